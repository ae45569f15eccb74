import { fail } from "../core/index.js";
import type { RadarData } from "./radar.js";

/** Colour-blind-safe palette (Okabe–Ito, without the yellow that vanishes on white). */
export const POLICY_COLORS: readonly string[] = Object.freeze(["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#999999"]);

/** Escape text for SVG/XML. */
export function escapeXml(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&apos;");
}

const f1 = (x: number) => (Math.round(x * 10) / 10).toString();

/** Split a long line into lines of at most `max` characters at spaces. */
function wrap(text: string, max: number): string[] {
  const words = text.split(" ");
  const lines: string[] = [];
  let cur = "";
  for (const w of words) {
    if (cur && (cur + " " + w).length > max) {
      lines.push(cur);
      cur = w;
    } else cur = cur ? cur + " " + w : w;
  }
  if (cur) lines.push(cur);
  return lines;
}

/** Format a raw value compactly for labels. */
export function formatValue(x: number | null): string {
  if (x === null) return "n/a";
  const a = Math.abs(x);
  if (a === 0) return "0";
  if (a >= 1000) return x.toFixed(0);
  if (a >= 100) return x.toFixed(1);
  if (a >= 1) return x.toFixed(2);
  return String(Number(x.toPrecision(2)));
}

/** Options of {@link radarChartSvg}. */
export interface RadarChartOptions {
  title?: string;
  /** Axis labels per key (default: the key). */
  labels?: Readonly<Record<string, string>>;
  /** Colours per series, in order (default {@link POLICY_COLORS}). */
  colors?: readonly string[];
  /** Chart size in px (square plot area + legend and notes below). Default 640. */
  size?: number;
}

/**
 * A radar chart (like MolmoAct2 Fig. 6) as a standalone SVG string: one polygon per policy on axes with
 * normalised scores in [0, 1] (1 = best, outer ring), ring labels, axis labels, a legend with one colour per
 * policy and the normalisation scheme written under the chart. Missing scores are drawn at 0 and listed.
 */
export function radarChartSvg(data: RadarData, opts: RadarChartOptions = {}): string {
  const n = data.keys.length;
  if (n < 3) fail("radarChartSvg", "data.keys", `must hold at least 3 axes for a radar chart; got ${n}`);
  const size = opts.size ?? 640;
  const colors = opts.colors ?? POLICY_COLORS;
  const titleH = opts.title ? 40 : 10;
  const R = size / 2 - 130;
  const cx = size / 2;
  const cy = titleH + 36 + R;
  const font = "font-family=\"Helvetica, Arial, sans-serif\"";
  const angle = (i: number) => -Math.PI / 2 + (2 * Math.PI * i) / n;
  const pt = (i: number, r: number): [number, number] => [cx + R * r * Math.cos(angle(i)), cy + R * r * Math.sin(angle(i))];
  const out: string[] = [];
  // Legend rows and notes below the plot
  const legendRows = Math.ceil(data.series.length / 3);
  const notes = wrap(data.scheme, Math.floor(size / 6.5));
  const missing = data.series.flatMap((s) => data.keys.filter((k) => s.scores[k] === null).map((k) => `${s.name}: ${opts.labels?.[k] ?? k}`));
  if (missing.length) notes.push(...wrap(`Not available (drawn at 0): ${missing.join("; ")}.`, Math.floor(size / 6.5)));
  const legendTop = cy + R + 64;
  const height = legendTop + legendRows * 22 + 10 + notes.length * 16 + 10;
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${size}" height="${Math.ceil(height)}" viewBox="0 0 ${size} ${Math.ceil(height)}" role="img">`);
  out.push(`<rect width="100%" height="100%" fill="#ffffff"/>`);
  if (opts.title) out.push(`<text x="${cx}" y="28" text-anchor="middle" ${font} font-size="18" font-weight="bold" fill="#222">${escapeXml(opts.title)}</text>`);
  // Rings and ring labels
  for (const r of [0.25, 0.5, 0.75, 1]) {
    const pts = data.keys.map((_, i) => pt(i, r).map(f1).join(",")).join(" ");
    out.push(`<polygon points="${pts}" fill="none" stroke="${r === 1 ? "#888" : "#d0d0d0"}" stroke-width="1"/>`);
    const [lx, ly] = pt(0, r);
    out.push(`<text x="${f1(lx + 4)}" y="${f1(ly - 3)}" ${font} font-size="10" fill="#888">${r}</text>`);
  }
  // Spokes and axis labels
  data.keys.forEach((k, i) => {
    const [x, y] = pt(i, 1);
    out.push(`<line x1="${f1(cx)}" y1="${f1(cy)}" x2="${f1(x)}" y2="${f1(y)}" stroke="#d0d0d0" stroke-width="1"/>`);
    const [lx, ly] = pt(i, 1 + 14 / R);
    const c = Math.cos(angle(i));
    const anchor = Math.abs(c) < 0.2 ? "middle" : c > 0 ? "start" : "end";
    const s = Math.sin(angle(i));
    const dy = s < -0.5 ? -4 : s > 0.5 ? 12 : 4;
    const label = opts.labels?.[k] ?? k;
    const dir = data.directions[k] === "min" ? "↓" : "↑";
    out.push(`<text x="${f1(lx)}" y="${f1(ly + dy)}" text-anchor="${anchor}" ${font} font-size="13" fill="#222">${escapeXml(label)} <tspan fill="#777" font-size="11">${dir}</tspan></text>`);
  });
  // Series
  data.series.forEach((s, si) => {
    const color = colors[si % colors.length];
    const pts = data.keys.map((k, i) => pt(i, s.scores[k] ?? 0));
    out.push(`<g><title>${escapeXml(s.name)}</title>`);
    out.push(`<polygon points="${pts.map((p) => p.map(f1).join(",")).join(" ")}" fill="${color}" fill-opacity="0.12" stroke="${color}" stroke-width="2.2" stroke-linejoin="round"/>`);
    pts.forEach(([x, y], i) => {
      const k = data.keys[i];
      const tip = `${s.name} · ${opts.labels?.[k] ?? k}: ${formatValue(s.raw[k])} (score ${s.scores[k] === null ? "n/a" : s.scores[k]!.toFixed(2)})`;
      out.push(`<circle cx="${f1(x)}" cy="${f1(y)}" r="3.5" fill="${s.scores[k] === null ? "#fff" : color}" stroke="${color}" stroke-width="1.5"><title>${escapeXml(tip)}</title></circle>`);
    });
    out.push(`</g>`);
  });
  // Legend
  let y = legendTop;
  const colW = (size - 24) / 3;
  data.series.forEach((s, si) => {
    const col = si % 3;
    const row = Math.floor(si / 3);
    const x = 24 + col * colW;
    const yy = y + row * 22;
    out.push(`<rect x="${f1(x)}" y="${f1(yy - 11)}" width="14" height="14" rx="2" fill="${colors[si % colors.length]}"/>`);
    out.push(`<text x="${f1(x + 20)}" y="${f1(yy + 1)}" ${font} font-size="13" fill="#222">${escapeXml(s.name)}</text>`);
  });
  y += legendRows * 22 + 8;
  for (const line of notes) {
    out.push(`<text x="24" y="${f1(y)}" ${font} font-size="11" fill="#555">${escapeXml(line)}</text>`);
    y += 16;
  }
  out.push(`</svg>`);
  return out.join("\n");
}

/** One bar group: a metric panel with one bar per policy. */
export interface BarMetric {
  key: string;
  label?: string;
  unit?: string;
}

/** One policy's bars: value (and optional error bar, e.g. std) per metric key. */
export interface BarSeries {
  name: string;
  values: Record<string, number | null | undefined>;
  errors?: Record<string, number | null | undefined>;
}

/** Options of {@link barChartSvg}. */
export interface BarChartOptions {
  title?: string;
  colors?: readonly string[];
  /** Panels per row (default 3). */
  columns?: number;
  /** Panel size in px (default 240 × 200). */
  panelWidth?: number;
  panelHeight?: number;
  /** Note printed under the chart (e.g. "mean ± std over 50 episodes"). */
  note?: string;
}

/** A "nice" axis maximum ≥ x (1, 2, 2.5, 5 × 10^k). */
export function niceMax(x: number): number {
  if (!(x > 0)) return 1;
  const e = Math.pow(10, Math.floor(Math.log10(x)));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * e >= x * (1 - 1e-12)) return m * e;
  return 10 * e;
}

/**
 * Bar charts as a standalone SVG string: one panel per metric (own y axis from 0), one coloured bar per
 * policy with its value written on top and an optional error bar, a shared legend and a note.
 * Missing values are written "n/a".
 */
export function barChartSvg(metrics: readonly BarMetric[], series: readonly BarSeries[], opts: BarChartOptions = {}): string {
  if (metrics.length === 0) fail("barChartSvg", "metrics", "must hold at least one metric; got []");
  if (series.length === 0) fail("barChartSvg", "series", "must hold at least one policy; got []");
  const colors = opts.colors ?? POLICY_COLORS;
  const cols = Math.min(opts.columns ?? 3, metrics.length);
  const pw = opts.panelWidth ?? 240;
  const ph = opts.panelHeight ?? 200;
  const rows = Math.ceil(metrics.length / cols);
  const titleH = opts.title ? 40 : 10;
  const width = cols * pw + 20;
  const legendY = titleH + rows * ph + 14;
  const legendRows = Math.ceil(series.length / 4);
  const height = legendY + legendRows * 22 + (opts.note ? 24 : 6);
  const font = "font-family=\"Helvetica, Arial, sans-serif\"";
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img">`);
  out.push(`<rect width="100%" height="100%" fill="#ffffff"/>`);
  if (opts.title) out.push(`<text x="${width / 2}" y="28" text-anchor="middle" ${font} font-size="18" font-weight="bold" fill="#222">${escapeXml(opts.title)}</text>`);
  metrics.forEach((m, mi) => {
    const x0 = 10 + (mi % cols) * pw;
    const y0 = titleH + Math.floor(mi / cols) * ph;
    const left = x0 + 46;
    const right = x0 + pw - 10;
    const top = y0 + 28;
    const bottom = y0 + ph - 18;
    const vals = series.map((s) => s.values[m.key]);
    const tops = series.map((s, i) => (vals[i] ?? 0) + Math.max(0, s.errors?.[m.key] ?? 0));
    const ymax = niceMax(Math.max(0, ...tops.filter((v) => Number.isFinite(v))));
    const yOf = (v: number) => bottom - ((bottom - top) * v) / ymax;
    const label = (m.label ?? m.key) + (m.unit ? ` (${m.unit})` : "");
    out.push(`<text x="${f1((left + right) / 2)}" y="${f1(y0 + 16)}" text-anchor="middle" ${font} font-size="13" font-weight="bold" fill="#222">${escapeXml(label)}</text>`);
    for (const t of [0, 0.5, 1]) {
      const yy = yOf(t * ymax);
      out.push(`<line x1="${f1(left)}" y1="${f1(yy)}" x2="${f1(right)}" y2="${f1(yy)}" stroke="${t === 0 ? "#888" : "#e3e3e3"}" stroke-width="1"/>`);
      out.push(`<text x="${f1(left - 4)}" y="${f1(yy + 4)}" text-anchor="end" ${font} font-size="10" fill="#666">${String(Number((t * ymax).toPrecision(3)))}</text>`);
    }
    // Same number of decimals for every value in a panel: about 3 significant digits at the axis maximum.
    const decimals = Math.min(4, Math.max(0, 2 - Math.floor(Math.log10(ymax))));
    const slot = (right - left) / series.length;
    const bw = Math.min(36, slot * 0.7);
    series.forEach((s, si) => {
      const v = vals[si];
      const bx = left + slot * si + (slot - bw) / 2;
      const color = colors[si % colors.length];
      if (typeof v !== "number" || !Number.isFinite(v)) {
        out.push(`<text x="${f1(bx + bw / 2)}" y="${f1(bottom - 4)}" text-anchor="middle" ${font} font-size="10" fill="#999">n/a</text>`);
        return;
      }
      const yy = yOf(Math.max(0, v));
      out.push(`<rect x="${f1(bx)}" y="${f1(yy)}" width="${f1(bw)}" height="${f1(bottom - yy)}" fill="${color}"><title>${escapeXml(`${s.name} · ${label}: ${formatValue(v)}`)}</title></rect>`);
      const e = s.errors?.[m.key];
      let labelY = yy - 4;
      if (typeof e === "number" && Number.isFinite(e) && e > 0) {
        const y1 = yOf(Math.max(0, v - e));
        const y2 = yOf(v + e);
        const mx = bx + bw / 2;
        out.push(`<path d="M${f1(mx)},${f1(y1)}V${f1(y2)}M${f1(mx - 5)},${f1(y2)}H${f1(mx + 5)}M${f1(mx - 5)},${f1(y1)}H${f1(mx + 5)}" stroke="#333" stroke-width="1.2" fill="none"/>`);
        labelY = Math.min(labelY, y2 - 4);
      }
      out.push(`<text x="${f1(bx + bw / 2)}" y="${f1(labelY)}" text-anchor="middle" ${font} font-size="10" fill="#333">${v.toFixed(decimals)}</text>`);
    });
  });
  series.forEach((s, si) => {
    const x = 24 + (si % 4) * ((width - 40) / 4);
    const y = legendY + Math.floor(si / 4) * 22;
    out.push(`<rect x="${f1(x)}" y="${f1(y - 11)}" width="14" height="14" rx="2" fill="${colors[si % colors.length]}"/>`);
    out.push(`<text x="${f1(x + 20)}" y="${f1(y + 1)}" ${font} font-size="13" fill="#222">${escapeXml(s.name)}</text>`);
  });
  if (opts.note) out.push(`<text x="24" y="${f1(legendY + legendRows * 22 + 8)}" ${font} font-size="11" fill="#555">${escapeXml(opts.note)}</text>`);
  out.push(`</svg>`);
  return out.join("\n");
}
