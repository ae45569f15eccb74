import { describe, fail } from "./errors.js";

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

/**
 * numpy's default quantile (`np.quantile(x, q)`, method "linear", Hyndman–Fan type 7) of values already sorted
 * ascending: position `(n − 1)·q`, then numpy's two-sided lerp between the neighbours `a`, `b` at fraction `t`
 * (`a + (b − a)·t` below one half, `b − (b − a)·(1 − t)` from one half on), so results equal numpy's bit for
 * bit. The one quantile of the library: normalize's stats and the metrics summaries both use it.
 */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  if (n === 0) fail("quantileSorted", "sorted", "must be non-empty; got 0 values");
  if (!(q >= 0 && q <= 1)) fail("quantileSorted", "q", `must be in [0, 1]; got ${describe(q)}`);
  const pos = (n - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, n - 1);
  const t = pos - lo;
  const a = sorted[lo];
  const d = sorted[hi] - a;
  return t >= 0.5 ? sorted[hi] - d * (1 - t) : a + d * t;
}
