import { roundHalfEven } from "../core/index.js";
import type { ArmInit, Step } from "./types.js";

/** Slip counts of one episode: total and per `object_<i+1>` key. */
export interface SlipCounts {
  total: number;
  perObject: Record<string, number>;
}

/** `np.round(x, 1)`: round half to even at one decimal. */
export function roundTenth(x: number): number {
  return roundHalfEven(x * 10) / 10;
}

/**
 * Count slips as the reference (spec §3.5): state per (object, arm) starts at the reset state; on steps
 * with k % window == 0, a slip is "held at the previous sample, not held now, and the gripper opening did
 * not increase" (g ≤ g_prev). Both arms are checked independently.
 */
export function countSlips(
  steps: readonly Step[],
  arms: readonly string[],
  objects: readonly string[],
  init: Record<string, ArmInit> | undefined,
  window: number,
  quantize = true,
): SlipCounts {
  const q = (g: number) => (quantize ? roundTenth(g) : g);
  const perObject: Record<string, number> = {};
  let total = 0;
  objects.forEach((obj, i) => {
    const key = `object_${i + 1}`;
    perObject[key] = 0;
    for (const arm of arms) {
      let prevHold = init?.[arm]?.holding[obj] ?? false;
      let prevG = q(init?.[arm]?.gripperOpening ?? 0);
      for (let k = 0; k < steps.length; k += window) {
        const a = steps[k].arms[arm];
        const hold = a.holding?.[obj] ?? false;
        const g = q(a.gripperOpening ?? 0);
        if (prevHold && !hold && g <= prevG) {
          total++;
          perObject[key]++;
        }
        prevHold = hold;
        prevG = g;
      }
    }
  });
  return { total, perObject };
}
