import type { DepthMaskSummaryResult } from "./depth-masks.js";

const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

/** 1, 2, 5 × 10^k step giving about `target` ticks up to `max`. */
function tickStep(max: number, target = 5): number {
  const raw = Math.max(max, 1) / target;
  const p = 10 ** Math.floor(Math.log10(raw));
  const m = raw / p;
  return (m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10) * p;
}

const pct = (x: number | null) => (x === null ? "n/a" : `${(100 * x).toFixed(1)} %`);
const num = (x: number | null, d = 1) => (x === null ? "n/a" : x.toFixed(d));

/**
 * A self-contained SVG histogram of changed cells per frame (frames after the first of each episode), with the
 * mean marked and the implied Think decoding cost written under the title. Plain SVG 1.1 text, no scripts, fonts
 * from the viewer's sans-serif.
 */
export function depthMaskHistogramSvg(r: DepthMaskSummaryResult, opts: { title?: string; subtitle?: string } = {}): string {
  const W = 820;
  const H = 440;
  const L = 70;
  const R = 24;
  const T = 112;
  const B = 62;
  const pw = W - L - R;
  const ph = H - T - B;
  const n = r.numCells;
  const maxCount = Math.max(1, ...r.histogram);
  const step = tickStep(maxCount);
  const top = Math.ceil(maxCount / step) * step;
  const x = (c: number) => L + (c / (n + 1)) * pw;
  const y = (v: number) => T + ph - (v / top) * ph;
  const bw = pw / (n + 1);
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="Helvetica, Arial, sans-serif">`);
  out.push(`<rect width="${W}" height="${H}" fill="#ffffff"/>`);
  out.push(`<text x="${L}" y="28" font-size="17" font-weight="bold" fill="#222">${esc(opts.title ?? "Depth update masks: changed cells per frame")}</text>`);
  if (opts.subtitle) out.push(`<text x="${L}" y="48" font-size="12" fill="#555">${esc(opts.subtitle)}</text>`);
  const later = r.histogram.reduce((a, b) => a + b, 0);
  const plural = (k: number, word: string) => `${k} ${word}${k === 1 ? "" : "s"}`;
  out.push(
    `<text x="${L}" y="72" font-size="12" fill="#333">${plural(r.episodes, "episode")}, ${plural(r.frames, "frame")} (${later} after each episode's first) · mean ${num(r.meanChangedCells)} of ${n} cells changed · no change in ${pct(r.shareUnchanged)} of frames</text>`,
  );
  out.push(
    `<text x="${L}" y="90" font-size="12" fill="#333">Think depth decoding per frame: ${num(r.meanDecodeSteps)} decode steps + replays = ${num(r.meanForwards)} forwards instead of ${n} (${num(r.forwardSpeedup, 2)}× fewer)</text>`,
  );
  // grid and y axis
  for (let v = 0; v <= top; v += step) {
    out.push(`<line x1="${L}" x2="${L + pw}" y1="${y(v).toFixed(1)}" y2="${y(v).toFixed(1)}" stroke="#e4e4e4"/>`);
    out.push(`<text x="${L - 8}" y="${(y(v) + 4).toFixed(1)}" font-size="11" text-anchor="end" fill="#444">${v}</text>`);
  }
  // bars
  r.histogram.forEach((count, c) => {
    if (count === 0) return;
    out.push(`<rect x="${(x(c) + 0.5).toFixed(2)}" y="${y(count).toFixed(2)}" width="${Math.max(1, bw - 1).toFixed(2)}" height="${(T + ph - y(count)).toFixed(2)}" fill="${c === 0 ? "#4c9f70" : "#c8553d"}"><title>${c} changed cells: ${count} frames</title></rect>`);
  });
  // x axis
  out.push(`<line x1="${L}" x2="${L + pw}" y1="${T + ph}" y2="${T + ph}" stroke="#333"/>`);
  out.push(`<line x1="${L}" x2="${L}" y1="${T}" y2="${T + ph}" stroke="#333"/>`);
  const xStep = n <= 20 ? 1 : n <= 50 ? 5 : 10;
  for (let c = 0; c <= n; c += xStep) {
    const cx = x(c) + bw / 2;
    out.push(`<line x1="${cx.toFixed(1)}" x2="${cx.toFixed(1)}" y1="${T + ph}" y2="${T + ph + 5}" stroke="#333"/>`);
    out.push(`<text x="${cx.toFixed(1)}" y="${T + ph + 18}" font-size="11" text-anchor="middle" fill="#444">${c}</text>`);
  }
  out.push(`<text x="${L + pw / 2}" y="${H - 18}" font-size="12" text-anchor="middle" fill="#222">changed cells in the frame (of ${n}; 0 = depth fully replayed, green)</text>`);
  out.push(`<text x="18" y="${T + ph / 2}" font-size="12" text-anchor="middle" fill="#222" transform="rotate(-90 18 ${T + ph / 2})">frames</text>`);
  if (r.meanChangedCells !== null) {
    const mx = x(r.meanChangedCells) + bw / 2;
    out.push(`<line x1="${mx.toFixed(1)}" x2="${mx.toFixed(1)}" y1="${T}" y2="${T + ph}" stroke="#1f4e9c" stroke-width="1.5" stroke-dasharray="5 4"/>`);
    const anchor = r.meanChangedCells > n * 0.7 ? "end" : "start";
    out.push(`<text x="${(mx + (anchor === "start" ? 5 : -5)).toFixed(1)}" y="${T + 14}" font-size="11" text-anchor="${anchor}" fill="#1f4e9c">mean ${num(r.meanChangedCells)}</text>`);
  }
  out.push(`</svg>`);
  return out.join("\n") + "\n";
}
