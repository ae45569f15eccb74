/** Largest |a − b| over two [H][D] arrays (Infinity on a shape mismatch). */
export function maxAbsDiff(a: readonly (readonly number[])[], b: readonly (readonly number[])[]): number {
  if (a.length !== b.length) return Infinity;
  let m = 0;
  a.forEach((row, t) => {
    if (row.length !== b[t].length) m = Infinity;
    row.forEach((v, d) => (m = Math.max(m, Math.abs(v - b[t][d]))));
  });
  return m;
}
