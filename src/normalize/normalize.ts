import { describe, fail, formatIndex, isNumericArray } from "../core/index.js";
import { checkStats, type NormStats } from "./stats.js";

/**
 * - `"q01_q99"` (MolmoAct2, default): `y = 2·(x − q01)/max(q99 − q01, 1e-6) − 1`, clipped to [−1, 1].
 * - `"openpi"` (openpi `Normalize(use_quantiles=True)`, used by the FAST golden data):
 *   `y = (x − q01)/(q99 − q01 + 1e-6)·2 − 1`, **no** clipping.
 */
export type NormMode = "q01_q99" | "openpi";

export interface NormalizeOptions {
  mode?: NormMode;
  /** Per dim: false = pass the raw value through unchanged (grippers). Overrides `stats.mask`. */
  mask?: readonly boolean[];
}

/** Values accepted by normalize/unnormalize: one vector, rows `[T][dim]`, or a flat row-major typed array. */
export type NormInput = readonly number[] | readonly (readonly number[])[] | Float64Array | Float32Array;

function flatten(fn: string, values: NormInput, dim: number): { flat: Float64Array; kind: "vector" | "rows" | "typed"; rows: number } {
  if (isNumericArray(values)) {
    if (values.length % dim !== 0) fail(fn, "values", `must have a multiple of ${dim} (stats dims) values; got ${values.length}`);
    const flat = Float64Array.from(values);
    checkAllFinite(fn, flat, dim);
    return { flat, kind: "typed", rows: values.length / dim };
  }
  if (!Array.isArray(values)) fail(fn, "values", `must be number[], number[][] or a Float64Array; got ${describe(values)}`);
  if (values.length > 0 && Array.isArray(values[0])) {
    const rows = values as readonly (readonly number[])[];
    const flat = new Float64Array(rows.length * dim);
    rows.forEach((r, t) => {
      if (!Array.isArray(r) || r.length !== dim) fail(fn, "values", `must have ${dim} entries per row (stats dims); row ${t} has ${Array.isArray(r) ? r.length : describe(r)}`);
      for (let d = 0; d < dim; d++) flat[t * dim + d] = r[d];
    });
    checkAllFinite(fn, flat, dim);
    return { flat, kind: "rows", rows: rows.length };
  }
  const v = values as readonly number[];
  if (v.length !== dim) fail(fn, "values", `must have ${dim} entries (stats dims); got ${v.length}`);
  const flat = Float64Array.from(v);
  checkAllFinite(fn, flat, dim);
  return { flat, kind: "vector", rows: 1 };
}

function checkAllFinite(fn: string, flat: Float64Array, dim: number): void {
  for (let i = 0; i < flat.length; i++) {
    if (typeof flat[i] !== "number" || !Number.isFinite(flat[i])) fail(fn, "values", `must contain finite numbers; got ${describe(flat[i])} at ${formatIndex(i, [flat.length / dim, dim])}`);
  }
}

function reshape<T extends NormInput>(kind: "vector" | "rows" | "typed", flat: Float64Array, dim: number, like: T): T {
  if (kind === "typed") return (like instanceof Float32Array ? Float32Array.from(flat) : flat) as unknown as T;
  if (kind === "vector") return Array.from(flat) as unknown as T;
  const out: number[][] = [];
  for (let t = 0; t < flat.length / dim; t++) out.push(Array.from(flat.subarray(t * dim, (t + 1) * dim)));
  return out as unknown as T;
}

/** Dims whose stats have zero range: min == max when both are given, else q01 == q99. */
export function zeroRangeDims(stats: NormStats): boolean[] {
  return stats.q01.map((q, d) => (stats.min && stats.max ? stats.min[d] === stats.max[d] : q === stats.q99[d]));
}

function resolveMask(fn: string, stats: NormStats, opts: NormalizeOptions): readonly boolean[] | undefined {
  const mask = opts.mask ?? stats.mask;
  if (mask !== undefined && (!Array.isArray(mask) || mask.length !== stats.q01.length)) {
    fail(fn, "mask", `must be ${stats.q01.length} booleans (one per dim); got ${describe(mask)}`);
  }
  return mask;
}

/**
 * Normalize actions/states to about [−1, 1] with 1–99 percentile stats (see {@link NormMode}). Masked-out
 * dims (`mask[d] === false`) pass through unchanged. In `"q01_q99"` mode, zero-range dims (see
 * {@link zeroRangeDims}) become 0 (MolmoAct2's `zero_mask`), so no NaN/∞ can appear. Returns the same kind
 * of container it was given (vector, rows or typed array). Non-finite input throws a VlaError.
 */
export function normalize<T extends NormInput>(values: T, stats: NormStats, opts: NormalizeOptions = {}): T {
  const fn = "normalize";
  const s = checkStats(fn, "stats", stats);
  const dim = s.q01.length;
  const mode = opts.mode ?? "q01_q99";
  if (mode !== "q01_q99" && mode !== "openpi") fail(fn, "mode", `must be "q01_q99" or "openpi"; got ${describe(mode)}`);
  const mask = resolveMask(fn, s, opts);
  const zero = zeroRangeDims(s);
  const { flat, kind } = flatten(fn, values, dim);
  for (let i = 0; i < flat.length; i++) {
    const d = i % dim;
    if (mask && !mask[d]) continue;
    const x = flat[i];
    const lo = s.q01[d];
    const hi = s.q99[d];
    if (mode === "openpi") {
      flat[i] = ((x - lo) / (hi - lo + 1e-6)) * 2 - 1;
    } else if (zero[d]) {
      flat[i] = 0;
    } else {
      const y = (2 * (x - lo)) / Math.max(hi - lo, 1e-6) - 1;
      flat[i] = y < -1 ? -1 : y > 1 ? 1 : y;
    }
  }
  return reshape(kind, flat, dim, values);
}

/**
 * Map normalized values back to raw units. `"q01_q99"`: clip to [−1, 1], then `(y + 1)·(q99 − q01)/2 + q01`;
 * masked-out dims return the clipped value (MolmoAct2 behaviour). `"openpi"`: `(y + 1)/2·(q99 − q01 + 1e-6) + q01`
 * without clipping.
 */
export function unnormalize<T extends NormInput>(values: T, stats: NormStats, opts: NormalizeOptions = {}): T {
  const fn = "unnormalize";
  const s = checkStats(fn, "stats", stats);
  const dim = s.q01.length;
  const mode = opts.mode ?? "q01_q99";
  if (mode !== "q01_q99" && mode !== "openpi") fail(fn, "mode", `must be "q01_q99" or "openpi"; got ${describe(mode)}`);
  const mask = resolveMask(fn, s, opts);
  const { flat, kind } = flatten(fn, values, dim);
  for (let i = 0; i < flat.length; i++) {
    const d = i % dim;
    const lo = s.q01[d];
    const hi = s.q99[d];
    if (mode === "openpi") {
      if (mask && !mask[d]) continue;
      flat[i] = ((flat[i] + 1) / 2) * (hi - lo + 1e-6) + lo;
      continue;
    }
    const y = flat[i] < -1 ? -1 : flat[i] > 1 ? 1 : flat[i];
    flat[i] = mask && !mask[d] ? y : ((y + 1) * (hi - lo)) / 2 + lo;
  }
  return reshape(kind, flat, dim, values);
}
