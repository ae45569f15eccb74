// RoboEval metrics throughput: episodes/s on 1,000 synthetic bimanual episodes of 300 steps (seeded Rng).
import { Rng } from "../src/core/index.js";
import {
  aggregateEpisodes,
  computeAllEpisodeMetrics,
  normalizeForRadar,
  radarChartSvg,
  syntheticEpisode,
  validateEpisode,
  type Episode,
} from "../src/metrics/index.js";
import { measure, report, type BenchRow } from "./lib.js";

/** Snake-case JSON form of an episode (what a log file holds), for the validation benchmark. */
function toSnake(ep: Episode): unknown {
  return {
    id: ep.id,
    control_frequency: ep.controlFrequencyHz,
    arms: ep.arms,
    slip_objects: ep.slipObjects,
    geoms: ep.geoms,
    init: Object.fromEntries(Object.entries(ep.init ?? {}).map(([a, v]) => [a, { gripper_opening: v.gripperOpening, holding: v.holding }])),
    stage_count: ep.stageCount,
    stage_marks: ep.stageMarks,
    success: ep.success,
    steps: ep.steps.map((s) => ({
      arms: Object.fromEntries(
        Object.entries(s.arms).map(([a, v]) => [
          a,
          { joint_positions: v.jointPositions, joint_velocities: v.jointVelocities, wrist_position: v.wristPosition, wrist_quat_wxyz: v.wristQuatWxyz, gripper_opening: v.gripperOpening, holding: v.holding },
        ]),
      ),
      contacts: s.contacts,
    })),
  };
}

export async function run(): Promise<void> {
  const rng = new Rng(2026);
  const N = 1000;
  const episodes = Array.from({ length: N }, (_, i) => syntheticEpisode(rng, { steps: 300, id: `ep${i}`, noise: 0.002 }));
  const raw = episodes.map(toSnake);
  const rows: BenchRow[] = [];
  rows.push(await measure("computeAllEpisodeMetrics 1000 x 300 steps, bimanual", "episode", () => computeAllEpisodeMetrics(episodes), { opsPerCall: N, warmup: 1, minRuns: 3 }));
  rows.push(await measure("validateEpisode (snake_case JSON) 1000 x 300", "episode", () => raw.forEach((r, i) => validateEpisode(r, i)), { opsPerCall: N, warmup: 1, minRuns: 3 }));
  const scored = computeAllEpisodeMetrics(episodes);
  rows.push(await measure("aggregateEpisodes (5_gather keys) over 1000", "aggregate", () => aggregateEpisodes(scored), { warmup: 2 }));
  const policies = Array.from({ length: 6 }, (_, p) => ({ name: `policy ${p}`, values: { success_rate: rng.uniform(), TL: 300 * rng.uniform(), CJ: 50 * rng.uniform(), JJ: 500 * rng.uniform(), SC: rng.uniform(), SL: rng.uniform() } }));
  rows.push(await measure("normalizeForRadar + radarChartSvg, 6 policies x 6 axes", "chart", () => radarChartSvg(normalizeForRadar(policies)), { warmup: 5 }));
  report("metrics", rows, { episodes: N, stepsPerEpisode: 300, arms: 2 });
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
