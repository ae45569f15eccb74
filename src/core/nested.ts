import type ndarray from "ndarray";
import { describe, fail } from "./errors.js";

/**
 * The one place where the library reads or builds nested JavaScript arrays of numbers (`number[]`,
 * `number[][]`). Everything inside the array floor travels as ndarray views; a nested array is converted here,
 * once, where it enters a face ({@link fromNested}) or where a user asks for one ({@link toRows}, {@link toList}).
 * `test/core/one-conversion.test.ts` spies on these three functions to pin that the walks make no round trips.
 */

/**
 * `number[][]` (`[rows][cols]`, rectangular) or `number[]` to a row-major `Float64Array` and its shape. Throws a
 * `VlaError` naming `fn`, `arg` and the offending index on ragged rows, empty input (unless `allowEmpty`) or a
 * non-number. Finiteness is the caller's check (it knows whether NaN is allowed).
 */
export function fromNested(fn: string, arg: string, input: readonly number[] | readonly (readonly number[])[], want?: { rows?: number; cols?: number; allowEmpty?: boolean }): { data: Float64Array; shape: number[] } {
  if (!Array.isArray(input)) fail(fn, arg, `must be number[] or number[][]; got ${describe(input)}`);
  const n = input.length;
  if (n === 0 && !want?.allowEmpty) fail(fn, arg, "must have at least one row ([horizon][dim]); got an empty array");
  if (n === 0 || !Array.isArray(input[0])) {
    const v = input as readonly number[];
    const data = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const x = v[i];
      if (typeof x !== "number") fail(fn, arg, `must hold numbers; got ${describe(x)} at [${i}]`);
      data[i] = x;
    }
    return { data, shape: [n] };
  }
  const rows = input as readonly (readonly number[])[];
  const cols = rows[0].length;
  if (cols === 0) fail(fn, arg, "must have at least one column; row 0 is empty");
  if (want?.rows !== undefined && want.rows !== n) fail(fn, arg, `must have ${want.rows} rows (horizon); got ${n}`);
  if (want?.cols !== undefined && want.cols !== cols) fail(fn, arg, `must have ${want.cols} columns (dim); got ${cols}`);
  const data = new Float64Array(n * cols);
  for (let t = 0; t < n; t++) {
    const row = rows[t];
    if (!Array.isArray(row) || row.length !== cols) {
      fail(fn, arg, `must be rectangular [${n}][${cols}]; row ${t} has ${Array.isArray(row) ? row.length : describe(row)} entries`);
    }
    for (let d = 0; d < cols; d++) {
      const x = row[d];
      if (typeof x !== "number") fail(fn, arg, `must hold numbers; got ${describe(x)} at [${t}][${d}]`);
      data[t * cols + d] = x;
    }
  }
  return { data, shape: [n, cols] };
}

/** A 2-D ndarray (any strides, e.g. a `.hi()/.lo()` view) as `number[][]`: for users, at the very end of a walk. */
export function toRows(a: ndarray.NdArray<ndarray.TypedArray>): number[][] {
  if (a === null || typeof a !== "object" || !Array.isArray(a.shape) || a.shape.length !== 2) {
    fail("toRows", "a", `must be a 2-D ndarray [rows, cols]; got ${a && typeof a === "object" && Array.isArray(a.shape) ? `shape [${a.shape.join(", ")}]` : describe(a)}`);
  }
  const [n, m] = a.shape;
  const [s0, s1] = a.stride;
  const data = a.data as ArrayLike<number>;
  const out: number[][] = new Array(n);
  for (let i = 0; i < n; i++) {
    const row = new Array<number>(m);
    const base = a.offset + i * s0;
    for (let j = 0; j < m; j++) row[j] = data[base + j * s1];
    out[i] = row;
  }
  return out;
}

/** A 1-D ndarray (any stride) as `number[]`. */
export function toList(a: ndarray.NdArray<ndarray.TypedArray>): number[] {
  if (a === null || typeof a !== "object" || !Array.isArray(a.shape) || a.shape.length !== 1) {
    fail("toList", "a", `must be a 1-D ndarray [n]; got ${a && typeof a === "object" && Array.isArray(a.shape) ? `shape [${a.shape.join(", ")}]` : describe(a)}`);
  }
  const n = a.shape[0];
  const s = a.stride[0];
  const data = a.data as ArrayLike<number>;
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) out[i] = data[a.offset + i * s];
  return out;
}
