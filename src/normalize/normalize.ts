import { describe, fail, isNdArray, isNumericArray, ndView, toChunk, toVector, type ChunkInput, type NdArray, type VectorInput } from "../core/index.js";
import { checkStats, type NormStats } from "./stats.js";

/**
 * - `"q01_q99"` (MolmoAct2, default): `y = 2·(x − q01)/max(q99 − q01, 1e-6) − 1`, clipped to [−1, 1].
 * - `"openpi"` (openpi `Normalize(use_quantiles=True)`, used by the FAST golden data):
 *   `y = (x − q01)/(q99 − q01 + 1e-6)·2 − 1`, **no** clipping.
 */
export type NormMode = "q01_q99" | "openpi";

/** A per-dim mask: booleans, or 0/1 numbers in a typed array or a 1-D ndarray (non-zero = true). */
export type MaskInput = readonly boolean[] | NdArray | ArrayLike<number>;

export interface NormalizeOptions {
  mode?: NormMode;
  /** Per dim: false (0) = pass the raw value through unchanged (grippers). Overrides `stats.mask`. */
  mask?: MaskInput;
}

/**
 * Values accepted by normalize/unnormalize: an ndarray `[dim]` (one vector) or `[rows, dim]`, `number[]`,
 * `number[][]`, or a flat row-major typed array (read as rows of the stats' dim).
 */
export type NormInput = ChunkInput | VectorInput;

/** Dims whose stats have zero range: min == max when both are given, else q01 == q99. */
export function zeroRangeDims(stats: NormStats): boolean[] {
  return stats.q01.map((q, d) => (stats.min && stats.max ? stats.min[d] === stats.max[d] : q === stats.q99[d]));
}

/** The mask as booleans of length `dim` (or undefined), from the options or the stats. */
function resolveMask(fn: string, stats: NormStats, opts: NormalizeOptions): readonly boolean[] | undefined {
  const mask = opts.mask ?? stats.mask;
  if (mask === undefined) return undefined;
  const dim = stats.q01.length;
  if (Array.isArray(mask) && mask.length === dim) return mask.map((m) => Boolean(m));
  if (isNdArray(mask) && mask.shape.length === 1 && mask.shape[0] === dim) return Array.from({ length: dim }, (_, d) => mask.get(d) !== 0);
  if (isNumericArray(mask) && mask.length === dim) return Array.from(mask, (m) => m !== 0);
  return fail(fn, "mask", `must be ${dim} booleans (one per dim; or 0/1 in a typed array / 1-D ndarray); got ${describe(mask)}`);
}

/**
 * The values as packed float64 and their output shape: an ndarray keeps its shape (`[dim]` or `[rows, dim]`),
 * `number[]` is one vector `[dim]`, `number[][]` rows `[rows, dim]`, a flat typed array rows of `dim`.
 */
function valuesOf(fn: string, values: NormInput, dim: number): { data: Float64Array; shape: number[] } {
  if ((isNdArray(values) && values.shape.length === 1) || (Array.isArray(values) && (values.length === 0 || !Array.isArray(values[0])))) {
    const v = toVector(fn, "values", values as VectorInput);
    if (v.shape[0] !== dim) fail(fn, "values", `must have ${dim} entries (stats dims); got ${v.shape[0]}`);
    return { data: v.data, shape: [dim] };
  }
  if (isNumericArray(values)) {
    if (values.length % dim !== 0 || values.length === 0) fail(fn, "values", `must have a non-zero multiple of ${dim} (stats dims) values; got ${values.length}`);
    const c = toChunk(fn, "values", values, { horizon: values.length / dim, dim });
    return { data: c.data, shape: c.shape };
  }
  if (!isNdArray(values) && !Array.isArray(values)) fail(fn, "values", `must be an ndarray, number[], number[][] or a typed array; got ${describe(values)}`);
  if (isNdArray(values) && values.shape.length === 2 && values.shape[1] !== dim) fail(fn, "values", `must have ${dim} columns (stats dims); got shape [${values.shape.join(", ")}]`);
  if (Array.isArray(values) && Array.isArray(values[0]) && (values[0] as readonly number[]).length !== dim) {
    fail(fn, "values", `must have ${dim} entries per row (stats dims); row 0 has ${(values[0] as readonly number[]).length}`);
  }
  const c = toChunk(fn, "values", values as ChunkInput, { dim });
  return { data: c.data, shape: c.shape };
}

function resolve(fn: string, stats: NormStats, opts: NormalizeOptions) {
  const s = checkStats(fn, "stats", stats);
  const mode = opts.mode ?? "q01_q99";
  if (mode !== "q01_q99" && mode !== "openpi") fail(fn, "mode", `must be "q01_q99" or "openpi"; got ${describe(mode)}`);
  return { s, dim: s.q01.length, mode, mask: resolveMask(fn, s, opts) };
}

/**
 * Normalize actions/states to about [−1, 1] with 1–99 percentile stats (see {@link NormMode}). Masked-out
 * dims (`mask[d] === false`) pass through unchanged. In `"q01_q99"` mode, zero-range dims (see
 * {@link zeroRangeDims}) become 0 (MolmoAct2's `zero_mask`), so no NaN/∞ can appear. Returns a new float64
 * ndarray: `[dim]` for one vector, `[rows, dim]` for rows (feed it to `OpenFastTokenizer.encode` as is).
 * Non-finite input throws a VlaError.
 */
export function normalize(values: NormInput, stats: NormStats, opts: NormalizeOptions = {}): NdArray<Float64Array> {
  const fn = "normalize";
  const { s, dim, mode, mask } = resolve(fn, stats, opts);
  const zero = zeroRangeDims(s);
  const { data: x, shape } = valuesOf(fn, values, dim);
  const out = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const d = i % dim;
    const v = x[i];
    if (mask && !mask[d]) {
      out[i] = v;
      continue;
    }
    const lo = s.q01[d];
    const hi = s.q99[d];
    if (mode === "openpi") {
      out[i] = ((v - lo) / (hi - lo + 1e-6)) * 2 - 1;
    } else if (zero[d]) {
      out[i] = 0;
    } else {
      const y = (2 * (v - lo)) / Math.max(hi - lo, 1e-6) - 1;
      out[i] = y < -1 ? -1 : y > 1 ? 1 : y;
    }
  }
  return ndView(out, shape);
}

/**
 * Map normalized values back to raw units. `"q01_q99"`: clip to [−1, 1], then `(y + 1)·(q99 − q01)/2 + q01`;
 * masked-out dims return the clipped value (MolmoAct2 behaviour). `"openpi"`: `(y + 1)/2·(q99 − q01 + 1e-6) + q01`
 * without clipping. Takes what {@link normalize} takes (e.g. `decode(...).actions`) and returns a new float64 ndarray
 * of the same shape.
 */
export function unnormalize(values: NormInput, stats: NormStats, opts: NormalizeOptions = {}): NdArray<Float64Array> {
  const fn = "unnormalize";
  const { s, dim, mode, mask } = resolve(fn, stats, opts);
  const { data: x, shape } = valuesOf(fn, values, dim);
  const out = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const d = i % dim;
    const lo = s.q01[d];
    const hi = s.q99[d];
    if (mode === "openpi") {
      out[i] = mask && !mask[d] ? x[i] : ((x[i] + 1) / 2) * (hi - lo + 1e-6) + lo;
      continue;
    }
    const y = x[i] < -1 ? -1 : x[i] > 1 ? 1 : x[i];
    out[i] = mask && !mask[d] ? y : ((y + 1) * (hi - lo)) / 2 + lo;
  }
  return ndView(out, shape);
}
