import { isNdArray, toRows, type NdArray } from "../src/core/index.js";

type Rows = readonly (readonly number[])[];

/** Largest |a − b| over two [H][D] chunks, each `number[][]` or a 2-D ndarray (Infinity on a shape mismatch). */
export function maxAbsDiff(x: Rows | NdArray, y: Rows | NdArray): number {
  const a = isNdArray(x) ? toRows(x) : x;
  const b = isNdArray(y) ? toRows(y) : y;
  if (a.length !== b.length) return Infinity;
  let m = 0;
  a.forEach((row, t) => {
    if (row.length !== b[t].length) m = Infinity;
    row.forEach((v, d) => (m = Math.max(m, Math.abs(v - b[t][d]))));
  });
  return m;
}
