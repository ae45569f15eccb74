/** numpy's `np.around` / `np.rint`: round half to even, on the float64 value as given. */
export function roundHalfEven(x: number): number {
  const r = Math.round(x); // rounds .5 up
  if (Math.abs(x - Math.trunc(x)) === 0.5) {
    // exact tie: pick the even neighbour
    const f = Math.floor(x);
    return f % 2 === 0 ? f : f + 1;
  }
  return r;
}

/** Clamp to [lo, hi]. NaN stays NaN: callers decide what NaN means. */
export function clamp(x: number, lo: number, hi: number): number {
  return x < lo ? lo : x > hi ? hi : x;
}

/** Linear-interpolation quantile (numpy's default, "linear" / type 7) of already sorted values. */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  const pos = (n - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, n - 1);
  const frac = pos - lo;
  return sorted[lo] + (sorted[hi] - sorted[lo]) * frac;
}
