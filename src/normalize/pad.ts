import { checkInt, describe, fail, isNdArray, isNumericArray, ndView, toChunk, toVector, type NdArray, type VectorInput, type ChunkInput } from "../core/index.js";

/** MolmoAct2 / pi0 pad every action and state to this many dims. */
export const MAX_ACTION_DIM = 32;

/** Rows `[T, dim]` or one vector `[dim]` (as `[1, dim]` plus a flag), packed float64. */
function rowsOf(fn: string, values: ChunkInput | VectorInput): { data: Float64Array; rows: number; dim: number; vector: boolean } {
  if (!isNdArray(values) && !isNumericArray(values) && !Array.isArray(values)) fail(fn, "values", `must be an ndarray, number[] or number[][]; got ${describe(values)}`);
  const vector = isNdArray(values) ? values.shape.length === 1 : isNumericArray(values) || values.length === 0 || !Array.isArray(values[0]);
  if (vector) {
    const v = toVector(fn, "values", values as VectorInput);
    return { data: v.data, rows: 1, dim: v.shape[0], vector };
  }
  const c = toChunk(fn, "values", values as ChunkInput);
  return { data: c.data, rows: c.shape[0], dim: c.shape[1], vector };
}

/**
 * Zero-pad rows `[T, dim]` (or one vector `[dim]`; a flat typed array is one vector) to `[T, size]` (default 32).
 * Returns the padded values as a new float64 ndarray and `mask` (length `size`, true on real dims) so consumers can
 * ignore padded dims.
 */
export function padDims(values: ChunkInput | VectorInput, size = MAX_ACTION_DIM): { values: NdArray<Float64Array>; mask: boolean[] } {
  const fn = "padDims";
  checkInt(fn, "size", size, 1);
  const { data, rows, dim, vector } = rowsOf(fn, values);
  if (dim > size) fail(fn, "values", `must have at most ${size} dims; got ${dim}`);
  const out = new Float64Array(rows * size);
  for (let t = 0; t < rows; t++) out.set(data.subarray(t * dim, (t + 1) * dim), t * size);
  const mask = Array.from({ length: size }, (_, d) => d < dim);
  return { values: ndView(out, vector ? [size] : [rows, size]), mask };
}

/**
 * Drop padded dims: the first `dim` entries of each row (or of one vector). An ndarray comes back as a view of the
 * same memory (`values.hi(T, dim)`, no copy); other inputs as a new float64 ndarray.
 */
export function unpadDims(values: ChunkInput | VectorInput, dim: number): NdArray<Float64Array> {
  const fn = "unpadDims";
  checkInt(fn, "dim", dim, 1);
  if (isNdArray(values) && values.data instanceof Float64Array && (values.shape.length === 1 || values.shape.length === 2)) {
    const have = values.shape[values.shape.length - 1];
    if (have < dim) fail(fn, "values", `must have at least ${dim} dims; got ${have}`);
    const v = values as NdArray<Float64Array>;
    return v.shape.length === 1 ? v.hi(dim) : v.hi(v.shape[0], dim);
  }
  const { data, rows, dim: have, vector } = rowsOf(fn, values);
  if (have < dim) fail(fn, "values", `must have at least ${dim} dims; got ${have}`);
  const out = new Float64Array(rows * dim);
  for (let t = 0; t < rows; t++) out.set(data.subarray(t * have, t * have + dim), t * dim);
  return ndView(out, vector ? [dim] : [rows, dim]);
}
