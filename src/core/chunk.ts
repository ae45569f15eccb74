import { describe, fail } from "./errors.js";
import { checkInt, formatIndex, isNumericArray, type NumericArray } from "./validate.js";

/**
 * An action chunk at the API edge: `number[][]` ([horizon][dim]) or a flat typed array with its shape.
 */
export type ChunkInput = readonly (readonly number[])[] | NumericArray;

/** A chunk inside the array floor: row-major float64 `[horizon][dim]`. */
export interface Chunk {
  data: Float64Array;
  horizon: number;
  dim: number;
}

export interface ChunkShape {
  horizon: number;
  dim: number;
}

/**
 * Convert a chunk given as `number[][]` or a flat typed array (with `{ horizon, dim }`) into a
 * row-major float64 {@link Chunk}. Rejects ragged rows, empty chunks and non-finite values, naming
 * the function and the offending index.
 */
export function toChunk(fn: string, arg: string, input: ChunkInput, shape?: Partial<ChunkShape>, opts: { allowNonFinite?: boolean } = {}): Chunk {
  let data: Float64Array;
  let horizon: number;
  let dim: number;
  if (isNumericArray(input)) {
    if (shape?.horizon === undefined || shape?.dim === undefined) {
      fail(fn, "shape", `must give { horizon, dim } when ${arg} is a flat ${describe(input)}`);
    }
    horizon = checkInt(fn, "horizon", shape.horizon, 1);
    dim = checkInt(fn, "dim", shape.dim, 1);
    if (input.length !== horizon * dim) {
      fail(fn, arg, `must have horizon*dim = ${horizon}*${dim} = ${horizon * dim} values; got ${input.length}`);
    }
    data = input instanceof Float64Array ? input : Float64Array.from(input);
  } else if (Array.isArray(input)) {
    horizon = input.length;
    if (horizon === 0) fail(fn, arg, "must have at least one row ([horizon][dim]); got an empty array");
    const first = input[0];
    if (!Array.isArray(first)) fail(fn, arg, `must be [horizon][dim] (an array of rows); row 0 is ${describe(first)}`);
    dim = first.length;
    if (dim === 0) fail(fn, arg, "must have at least one column; row 0 is empty");
    if (shape?.horizon !== undefined && shape.horizon !== horizon) fail(fn, arg, `must have ${shape.horizon} rows (horizon); got ${horizon}`);
    if (shape?.dim !== undefined && shape.dim !== dim) fail(fn, arg, `must have ${shape.dim} columns (dim); got ${dim}`);
    data = new Float64Array(horizon * dim);
    for (let t = 0; t < horizon; t++) {
      const row = input[t];
      if (!Array.isArray(row) || row.length !== dim) {
        fail(fn, arg, `must be rectangular [${horizon}][${dim}]; row ${t} has ${Array.isArray(row) ? row.length : describe(row)} entries`);
      }
      for (let d = 0; d < dim; d++) {
        const v = row[d];
        if (typeof v !== "number") fail(fn, arg, `must hold numbers; got ${describe(v)} at [${t}][${d}]`);
        data[t * dim + d] = v;
      }
    }
  } else {
    fail(fn, arg, `must be number[][] or a typed array with { horizon, dim }; got ${describe(input)}`);
  }
  if (!opts.allowNonFinite) {
    for (let i = 0; i < data.length; i++) {
      if (!Number.isFinite(data[i])) fail(fn, arg, `must contain finite numbers; got ${describe(data[i])} at ${formatIndex(i, [horizon, dim])}`);
    }
  }
  return { data, horizon, dim };
}
