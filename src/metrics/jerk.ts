/**
 * Jerk accumulation exactly as the RoboEval reference (`metric_rollout.py`, spec §3.2):
 *   vel_k = (x_k − x_{k−1}) / dt            (k ≥ 1)
 *   acc_k = (vel_k − vel_{k−1}) / dt        (k ≥ 2)
 *   jerk_k = (acc_k − acc_{k−1}) / dt       (k ≥ 3, or k = 2 when an acceleration is carried over)
 * and per sample s = ‖jerk_k‖: sum += s, sqsum += s², count += 1.
 */

/** Result of {@link accumulateJerk}: sums over the jerk samples plus the last acceleration (for carry-over). */
export interface JerkSums {
  sum: number;
  sqsum: number;
  count: number;
  /** Last acceleration vector seen (or the carried one when the episode produced none). */
  lastAcc: number[] | undefined;
}

/**
 * Accumulate jerk norms over a trajectory `xs` ([N][d] float64, positions in m or rad).
 * `dt` = nominal control period (1/f). With `times` (N strictly increasing seconds) the differences are
 * non-uniform divided differences instead: vel over t_k − t_{k−1}, acc over (t_k − t_{k−2})/2, jerk over
 * (t_k − t_{k−3})/3 — identical to the nominal recurrence when the times are evenly spaced.
 * `carryAcc` = the previous episode's last acceleration (reference reused-environment quirk).
 */
export function accumulateJerk(xs: readonly ArrayLike<number>[], dt: number, carryAcc?: readonly number[], times?: readonly number[]): JerkSums {
  const n = xs.length;
  let sum = 0;
  let sqsum = 0;
  let count = 0;
  let prevAcc: number[] | undefined = carryAcc ? carryAcc.slice() : undefined;
  if (n === 0) return { sum, sqsum, count, lastAcc: prevAcc };
  const d = xs[0].length;
  let prevVel: Float64Array<ArrayBuffer> | undefined;
  let vel: Float64Array<ArrayBuffer> = new Float64Array(d);
  for (let k = 1; k < n; k++) {
    const x = xs[k];
    const xp = xs[k - 1];
    const h1 = times ? times[k] - times[k - 1] : dt;
    for (let i = 0; i < d; i++) vel[i] = (x[i] - xp[i]) / h1;
    if (prevVel) {
      const h2 = times && k >= 2 ? (times[k] - times[k - 2]) / 2 : dt;
      const acc = new Array<number>(d);
      for (let i = 0; i < d; i++) acc[i] = (vel[i] - prevVel[i]) / h2;
      if (prevAcc) {
        const h3 = times && k >= 3 ? (times[k] - times[k - 3]) / 3 : dt;
        let s2 = 0;
        for (let i = 0; i < d; i++) {
          const j = (acc[i] - prevAcc[i]) / h3;
          s2 += j * j;
        }
        const s = Math.sqrt(s2);
        sum += s;
        sqsum += s * s;
        count += 1;
      }
      prevAcc = acc;
    }
    const t = prevVel ?? new Float64Array(d);
    prevVel = vel;
    vel = t;
  }
  return { sum, sqsum, count, lastAcc: prevAcc };
}
