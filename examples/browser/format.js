// Number formatting for the demo page: durations, sizes, errors and axis ticks, so no raw float
// (`6.699999999953434`) reaches the screen. Pure functions (the Node tests use them too).

/** A duration: `0.42 ms`, `12.3 ms`, `357 ms`, `12.5 s`; `–` for a missing value. */
export function formatMs(ms) {
  if (typeof ms !== "number" || !Number.isFinite(ms)) return "–";
  if (ms >= 10_000) return `${(ms / 1000).toFixed(1)} s`;
  if (ms >= 100) return `${Math.round(ms)} ms`;
  if (ms >= 10) return `${ms.toFixed(1)} ms`;
  return `${ms.toFixed(2)} ms`;
}

/** The pattern every {@link formatMs} output matches (the page test checks the timings table with it). */
export const FORMATTED_MS = /^(–|\d+(\.\d{1,2})? (ms|s))$/;

/** Bytes in KiB/MiB/GiB with one decimal (`2.3 MiB`). */
export function formatBytes(n) {
  if (typeof n !== "number" || !Number.isFinite(n) || n < 0) return "–";
  if (n < 1024) return `${n} B`;
  const units = ["KiB", "MiB", "GiB", "TiB"];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(1)} ${units[i]}`;
}

/** A small error or value with 3 significant digits: `0.0811`, `1.18e-3`, `0`. */
export function formatSmall(v) {
  if (typeof v !== "number" || !Number.isFinite(v)) return "–";
  if (v === 0) return "0";
  const a = Math.abs(v);
  return a >= 0.01 && a < 1e4 ? String(Number(v.toPrecision(3))) : v.toExponential(2);
}

/** Chunks per second from a per-chunk duration (`2.8 Hz`). */
export function formatRate(ms) {
  if (typeof ms !== "number" || !(ms > 0) || !Number.isFinite(ms)) return "–";
  const hz = 1000 / ms;
  return `${hz >= 10 ? hz.toFixed(0) : hz.toFixed(1)} Hz`;
}

/**
 * "Nice" axis ticks over [lo, hi] (about `count` of them, steps of 1, 2 or 5 × 10^k):
 * `{ lo, hi, step, ticks }` with lo/hi widened to whole steps. A zero-width range is widened first.
 */
export function niceTicks(lo, hi, count = 3) {
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) return { lo: 0, hi: 1, step: 0.5, ticks: [0, 0.5, 1] };
  if (hi < lo) [lo, hi] = [hi, lo];
  if (hi - lo < 1e-9) {
    const pad = Math.max(Math.abs(lo) * 0.05, 0.01);
    lo -= pad;
    hi += pad;
  }
  const raw = (hi - lo) / Math.max(1, count);
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const a = Math.floor(lo / step + 1e-9) * step;
  const b = Math.ceil(hi / step - 1e-9) * step;
  const ticks = [];
  for (let v = a; v <= b + step * 1e-6; v += step) ticks.push(Number(v.toPrecision(12)));
  return { lo: a, hi: b, step, ticks };
}

/** A tick label with no float noise: as many decimals as the step needs (`0.2`, `-1.5`, `0`). */
export function formatTick(v, step) {
  const decimals = Math.max(0, Math.min(6, -Math.floor(Math.log10(step) + 1e-9)));
  const s = v.toFixed(decimals);
  return /^-0(\.0*)?$/.test(s) ? s.slice(1) : s;
}
