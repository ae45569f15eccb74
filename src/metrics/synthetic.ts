import { checkInt, checkNumber, Rng } from "../core/index.js";
import { DEFAULT_METRIC_CONFIG } from "./validate.js";
import type { Episode, Step } from "./types.js";

/** Options of {@link syntheticEpisode}. */
export interface SyntheticEpisodeOptions {
  /** Control steps N (default 300). */
  steps?: number;
  /** Control frequency in Hz (default 20). */
  controlFrequencyHz?: number;
  /** Std of per-step joint noise in rad (jerkiness; default 0.002). */
  noise?: number;
  /** Probability of success (default 0.5). */
  successProbability?: number;
  /** Probability per step of a robot contact (default 0.02). */
  contactRate?: number;
  /** Probability that the grasped object slips out of the closed gripper (default 0.3). */
  slipProbability?: number;
  /** Amplitude of the joint motion in rad (default 0.6). */
  amplitude?: number;
  id?: string;
  task?: string;
}

/**
 * A synthetic bimanual (left/right Panda-like, 7 joints) episode for examples, tests and benchmarks:
 * smooth sinusoidal joint motion plus seeded noise, a crude wrist position from the joints, random
 * contacts and a grasp that sometimes slips. Deterministic for a given `rng` state. Not physics.
 */
export function syntheticEpisode(rng: Rng, opts: SyntheticEpisodeOptions = {}): Episode {
  const fn = "syntheticEpisode";
  const n = checkInt(fn, "opts.steps", opts.steps ?? 300, 0);
  const f = checkNumber(fn, "opts.controlFrequencyHz", opts.controlFrequencyHz ?? 20, 1e-6);
  const noise = checkNumber(fn, "opts.noise", opts.noise ?? 0.002, 0);
  const pSuccess = checkNumber(fn, "opts.successProbability", opts.successProbability ?? 0.5, 0, 1);
  const contactRate = checkNumber(fn, "opts.contactRate", opts.contactRate ?? 0.02, 0, 1);
  const pSlip = checkNumber(fn, "opts.slipProbability", opts.slipProbability ?? 0.3, 0, 1);
  const amp = checkNumber(fn, "opts.amplitude", opts.amplitude ?? 0.6, 0);
  const arms = ["left", "right"];
  const phase = arms.map(() => Array.from({ length: 7 }, () => rng.uniform() * 2 * Math.PI));
  const freq = arms.map(() => Array.from({ length: 7 }, () => 0.2 + 0.3 * rng.uniform()));
  const graspAt = Math.floor(n * (0.2 + 0.2 * rng.uniform()));
  const dropAt = rng.uniform() < pSlip ? Math.floor(n * (0.5 + 0.3 * rng.uniform())) : n + 1;
  const steps: Step[] = [];
  for (let k = 0; k < n; k++) {
    const t = k / f;
    const step: Step = { arms: {}, contacts: [] };
    arms.forEach((arm, a) => {
      const q = new Array<number>(7);
      const v = new Array<number>(7);
      for (let j = 0; j < 7; j++) {
        const w = 2 * Math.PI * freq[a][j];
        q[j] = amp * Math.sin(w * t + phase[a][j]) + noise * rng.normal();
        v[j] = amp * w * Math.cos(w * t + phase[a][j]);
      }
      const side = a === 0 ? 1 : -1;
      const reach = 0.5 + 0.1 * Math.cos(q[1]) + 0.1 * Math.cos(q[1] + q[3]);
      const wrist = [reach * Math.cos(q[0]), side * 0.3 + reach * Math.sin(q[0]), 1.0 + 0.1 * Math.sin(q[1]) + 0.05 * Math.sin(q[3])];
      const half = q[6] / 2;
      const held = k >= graspAt && k < dropAt;
      step.arms[arm] = {
        jointPositions: q,
        jointVelocities: v,
        wristPosition: wrist,
        wristQuatWxyz: [Math.cos(half), 0, 0, Math.sin(half)],
        gripperOpening: k >= graspAt ? 0 : 1, // after a slip the gripper stays closed: counted as a slip
        holding: { object: held },
      };
    });
    if (rng.uniform() < contactRate) step.contacts!.push([rng.int(10), rng.int(10), -1e-4]);
    if (rng.uniform() < contactRate) step.contacts!.push([rng.int(10), 10 + rng.int(4), -1e-4]);
    steps.push(step);
  }
  const success = rng.uniform() < pSuccess;
  const marks: [number, number][] = [[Math.min(graspAt, Math.max(0, n - 1)), 1]];
  if (success) marks.push([Math.max(0, n - 1), 2], [Math.max(0, n - 1), 3]);
  const ep: Episode = {
    id: opts.id,
    controlFrequencyHz: f,
    arms,
    config: { ...DEFAULT_METRIC_CONFIG },
    slipObjects: ["object"],
    geoms: { robot: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], scene: [10, 11, 12, 13], ignore: [13] },
    init: { left: { gripperOpening: 1, holding: { object: false } }, right: { gripperOpening: 1, holding: { object: false } } },
    steps,
    stageCount: 3,
    stageMarks: marks,
    success,
  };
  if (opts.task !== undefined) ep.task = opts.task;
  return ep;
}
