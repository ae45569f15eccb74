export { formatIssue, validateEpisode } from "../../src/metrics/index.js";
export { parseEpisode } from "../../src/metrics/parse.js";
export { VlaError as VlaErrorCheck } from "../../src/core/index.js";
import { DEFAULT_METRIC_CONFIG, type Episode, type Step } from "../../src/metrics/index.js";

/** A bimanual episode with full per-step data from position arrays (for property tests). */
export function makeEpisode(left: number[][], right: number[][] | null, opts: Partial<Episode> = {}): Episode {
  const steps: Step[] = left.map((q, k) => {
    const arms: Step["arms"] = { left: { jointPositions: q, wristPosition: q.slice(0, 3), jointVelocities: q.map((x) => x * 2), wristQuatWxyz: [1, 0, 0, 0], gripperOpening: 1, holding: {} } };
    if (right) arms.right = { jointPositions: right[k], wristPosition: right[k].slice(0, 3), jointVelocities: right[k].map((x) => -x), wristQuatWxyz: [1, 0, 0, 0], gripperOpening: 1, holding: {} };
    return { arms, contacts: [] };
  });
  return {
    controlFrequencyHz: 20,
    arms: right ? ["left", "right"] : ["left"],
    config: { ...DEFAULT_METRIC_CONFIG },
    slipObjects: [],
    geoms: { robot: [0, 1, 2], scene: [10, 11], ignore: [11] },
    steps,
    stageCount: 0,
    stageMarks: [],
    success: false,
    ...opts,
  };
}
