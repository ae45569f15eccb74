import ndarray from "ndarray";
import { describe, fail } from "./errors.js";
import { fromNested } from "./nested.js";
import { checkInt, formatIndex, isNumericArray, type NumericArray } from "./validate.js";

/**
 * The array floor's currency: a scijs `ndarray` view over numeric typed data (`shape`, `stride`, `offset`,
 * `get(i, j)`, `.lo()/.hi()/.pick()` views without copies). Action chunks are `[horizon, dim]`, vectors `[n]`,
 * images `[height, width, channels]`.
 */
export type NdArray<D extends NumericArray = NumericArray> = ndarray.NdArray<D>;

/** An action chunk inside the array floor: a float64 ndarray `[horizon, dim]` (row-major when the library made it). */
export type Chunk = ndarray.NdArray<Float64Array>;

/** A float64 ndarray `[n]` (a state vector, one row). */
export type Vector = ndarray.NdArray<Float64Array>;

/**
 * An action chunk at a face: an ndarray `[horizon, dim]` (any numeric dtype, any strides), `number[][]`
 * (`[horizon][dim]`), or a flat row-major typed array with `{ horizon, dim }`.
 */
export type ChunkInput = NdArray | readonly (readonly number[])[] | NumericArray;

/** A vector at a face: an ndarray `[n]`, `number[]` or a typed array. */
export type VectorInput = NdArray | readonly number[] | NumericArray;

export interface ChunkShape {
  horizon: number;
  dim: number;
}

/** True for an ndarray view (duck-typed: `data`, `shape`, `stride`, `offset`), whichever copy of the package made it. */
export function isNdArray(x: unknown): x is NdArray {
  if (x === null || typeof x !== "object") return false;
  const a = x as Partial<ndarray.NdArray>;
  return Array.isArray(a.shape) && Array.isArray(a.stride) && typeof a.offset === "number" && a.data !== undefined && typeof a.get === "function";
}

/** A row-major ndarray view of `data` with `shape` (no copy). Throws when `data` does not hold exactly `∏ shape` values. */
export function ndView<D extends NumericArray>(data: D, shape: readonly number[]): ndarray.NdArray<D> {
  let size = 1;
  for (const s of shape) {
    if (!Number.isInteger(s) || s < 0) fail("ndView", "shape", `must be non-negative integers; got [${shape.join(", ")}]`);
    size *= s;
  }
  if (!isNumericArray(data) || data.length !== size) fail("ndView", "data", `must be a typed array of ∏ shape = ${size} values (shape [${shape.join(", ")}]); got ${describe(data)}`);
  return ndarray(data, [...shape]);
}

/** Whether `a` is row-major and gapless (its values are `a.data[a.offset .. a.offset + a.size)` in order). */
function isPacked(a: NdArray): boolean {
  let want = 1;
  for (let k = a.shape.length - 1; k >= 0; k--) {
    if (a.shape[k] !== 1 && a.stride[k] !== want) return false;
    want *= a.shape[k];
  }
  return true;
}

/**
 * The values of `a` in row-major order as one typed array of its own dtype: `a.data` itself (or a `subarray`) when
 * `a` is already packed, else a packed copy (a strided view, e.g. `chunk.hi(8, 7)`). This is how the tensor floor
 * hands an ndarray to `tf.tensor` without a detour through `number[][]`.
 */
export function rowMajor<D extends NumericArray>(a: ndarray.NdArray<D>): D {
  const size = sizeOf(a);
  if (isPacked(a)) return (a.offset === 0 && a.data.length === size ? a.data : a.data.subarray(a.offset, a.offset + size)) as D;
  const Ctor = a.data.constructor as new (n: number) => D;
  return packInto(a, new Ctor(size));
}

function sizeOf(a: NdArray): number {
  let n = 1;
  for (const s of a.shape) n *= s;
  return n;
}

/** Copy the values of `a` in row-major order into `out` (length ∏ shape), whatever its strides. */
function packInto<O extends NumericArray>(a: NdArray, out: O): O {
  const rank = a.shape.length;
  const { data, shape, stride } = a;
  if (rank === 2) {
    // the common case (a chunk view such as flowOut.hi(H, D)): two plain loops
    const [n, m] = shape;
    const [s0, s1] = stride;
    for (let i = 0, k = 0; i < n; i++) for (let j = 0, p = a.offset + i * s0; j < m; j++, p += s1) out[k++] = data[p];
    return out;
  }
  const idx = new Array<number>(rank).fill(0);
  let p = a.offset;
  for (let i = 0; i < out.length; i++) {
    out[i] = data[p];
    // odometer over the indices, last axis fastest
    for (let k = rank - 1; k >= 0; k--) {
      p += stride[k];
      if (++idx[k] < shape[k]) break;
      p -= stride[k] * shape[k];
      idx[k] = 0;
    }
  }
  return out;
}

/** Packed float64 values of an ndarray: no copy when it is already packed float64, else one copy (dtype and/or strides). */
function float64Of(fn: string, arg: string, a: NdArray): Float64Array {
  if (a.data instanceof Float64Array) return rowMajor(a as ndarray.NdArray<Float64Array>);
  if (!isNumericArray(a.data)) fail(fn, `${arg}.data`, `must be a numeric typed array; got ${describe(a.data)}`);
  return packInto(a, new Float64Array(sizeOf(a)));
}

function checkAllFinite(fn: string, arg: string, data: Float64Array, shape: readonly number[]): void {
  for (let i = 0; i < data.length; i++) {
    if (!Number.isFinite(data[i])) fail(fn, arg, `must contain finite numbers; got ${describe(data[i])} at ${formatIndex(i, shape)}`);
  }
}

/**
 * Any accepted chunk ({@link ChunkInput}) as a packed float64 ndarray `[horizon, dim]`: a packed float64 ndarray or a
 * `Float64Array` with its shape is used as is (no copy); other dtypes and strided views are copied once;
 * `number[][]` goes through the one nested-array conversion. Rejects ragged rows, empty chunks, a wrong rank and
 * (unless `allowNonFinite`) non-finite values, naming `fn`, `arg` and the index.
 */
export function toChunk(fn: string, arg: string, input: ChunkInput, shape?: Partial<ChunkShape>, opts: { allowNonFinite?: boolean } = {}): Chunk {
  let data: Float64Array;
  let horizon: number;
  let dim: number;
  if (isNdArray(input)) {
    if (input.shape.length !== 2) fail(fn, arg, `must be an ndarray [horizon, dim]; got shape [${input.shape.join(", ")}]`);
    [horizon, dim] = input.shape;
    if (horizon === 0 || dim === 0) fail(fn, arg, `must have at least one row and one column; got shape [${horizon}, ${dim}]`);
    if (shape?.horizon !== undefined && shape.horizon !== horizon) fail(fn, arg, `must have ${shape.horizon} rows (horizon); got ${horizon}`);
    if (shape?.dim !== undefined && shape.dim !== dim) fail(fn, arg, `must have ${shape.dim} columns (dim); got ${dim}`);
    data = float64Of(fn, arg, input);
  } else if (isNumericArray(input)) {
    if (shape?.horizon === undefined || shape?.dim === undefined) fail(fn, "shape", `must give { horizon, dim } when ${arg} is a flat ${describe(input)}`);
    horizon = checkInt(fn, "horizon", shape.horizon, 1);
    dim = checkInt(fn, "dim", shape.dim, 1);
    if (input.length !== horizon * dim) fail(fn, arg, `must have horizon*dim = ${horizon}*${dim} = ${horizon * dim} values; got ${input.length}`);
    data = input instanceof Float64Array ? input : Float64Array.from(input);
  } else if (Array.isArray(input)) {
    if (input.length > 0 && !Array.isArray(input[0])) fail(fn, arg, `must be [horizon][dim] (an array of rows); row 0 is ${describe(input[0])}`);
    const r = fromNested(fn, arg, input, { rows: shape?.horizon, cols: shape?.dim });
    data = r.data;
    [horizon, dim] = r.shape;
  } else {
    fail(fn, arg, `must be an ndarray [horizon, dim], number[][] or a typed array with { horizon, dim }; got ${describe(input)}`);
  }
  if (!opts.allowNonFinite) checkAllFinite(fn, arg, data, [horizon, dim]);
  return ndarray(data, [horizon, dim]);
}

/**
 * Any accepted vector ({@link VectorInput}) as a packed float64 ndarray `[n]` (no copy for a packed float64 one or a
 * `Float64Array`). With `length`, the vector must have exactly that many values. Non-finite values throw unless
 * `allowNonFinite`.
 */
export function toVector(fn: string, arg: string, input: VectorInput, opts: { length?: number; allowNonFinite?: boolean } = {}): Vector {
  let data: Float64Array;
  if (isNdArray(input)) {
    if (input.shape.length !== 1) fail(fn, arg, `must be an ndarray [n] (one vector); got shape [${input.shape.join(", ")}]`);
    data = float64Of(fn, arg, input);
  } else if (isNumericArray(input)) {
    data = input instanceof Float64Array ? input : Float64Array.from(input);
  } else if (Array.isArray(input)) {
    if (input.length > 0 && Array.isArray(input[0])) fail(fn, arg, `must be one vector (number[]); got rows (number[][])`);
    data = fromNested(fn, arg, input, { allowEmpty: true }).data;
  } else {
    fail(fn, arg, `must be an ndarray [n], number[] or a typed array; got ${describe(input)}`);
  }
  if (opts.length !== undefined && data.length !== opts.length) fail(fn, arg, `must have ${opts.length} values; got ${data.length}`);
  if (!opts.allowNonFinite) checkAllFinite(fn, arg, data, [data.length]);
  return ndarray(data, [data.length]);
}
