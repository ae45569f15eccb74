/**
 * Path lengths of RoboEval (reference `metric_rollout.py` §3.1 of the spec). Inputs are arrays of
 * per-step float64 vectors; the motion from the reset pose to step 0 is never counted.
 */

/** Euclidean norm of `a - b` (same length), summed in index order. */
export function diffNorm(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) {
    const d = a[i] - b[i];
    s += d * d;
  }
  return Math.sqrt(s);
}

/** Euclidean norm of `a`. */
export function norm(a: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * a[i];
  return Math.sqrt(s);
}

/** Σ_{k=1}^{N-1} ‖x_k − x_{k−1}‖ (joint path length in rad with q, Cartesian path length in m with p). N ≤ 1 → 0. */
export function pathLength(xs: readonly ArrayLike<number>[]): number {
  let total = 0;
  for (let k = 1; k < xs.length; k++) total += diffNorm(xs[k], xs[k - 1]);
  return total;
}

/** Rotation angle between two quaternions (w,x,y,z): 2·acos(|clip(q1·q2, −1, 1)|), in rad; sign-invariant. */
export function quaternionAngle(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let d = a[0] * b[0] + a[1] * b[1] + a[2] * b[2] + a[3] * b[3];
  d = d < -1 ? -1 : d > 1 ? 1 : d;
  return 2 * Math.acos(Math.abs(d));
}

/** Σ_{k=1}^{N-1} 2·acos(|r_k · r_{k−1}|): orientation path length in rad. */
export function orientationPathLength(quats: readonly ArrayLike<number>[]): number {
  let total = 0;
  for (let k = 1; k < quats.length; k++) total += quaternionAngle(quats[k], quats[k - 1]);
  return total;
}
