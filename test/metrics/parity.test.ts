import { describe, expect, it } from "vitest";
import { hasFixtures, readFixtureJson, missingFixtures } from "../fixtures.js";
import {
  aggregateEpisodes,
  computeAllEpisodeMetrics,
  leaderboardGlobal,
  molmoAct2Table,
  parseEpisodes,
  successRate,
  type EpisodeMetrics,
  type MetricValue,
} from "../../src/metrics/index.js";

// Reference: RoboEval metric_rollout.py @ f36dfd4 run on the synthetic fixture (shared/fixtures/roboeval).
// Tolerance: counts, flags and progress exact; floats 1e-9 relative, because the reference nests
// (Δ/dt) differences and uses numpy norms/pairwise sums whose rounding differs from a sequential loop at ~1e-13.
const REL = 1e-9;

type Json = number | boolean | string | null | Json[] | { [k: string]: Json };

function expectClose(path: string, got: unknown, want: Json): void {
  if (typeof want === "number") {
    expect(typeof got, `${path} type`).toBe("number");
    const g = got as number;
    if (Number.isInteger(want) && !path.includes("jerk") && !path.includes("length") && !path.includes("difference")) {
      expect(g, path).toBe(want); // counts, success, progress: exact
    } else if (want === 0) expect(g, path).toBe(0);
    else expect(Math.abs(g - want) / Math.abs(want), `${path}: ${g} vs ${want}`).toBeLessThanOrEqual(REL);
  } else if (typeof want === "boolean" || typeof want === "string" || want === null) {
    expect(got, path).toBe(want);
  } else if (Array.isArray(want)) {
    want.forEach((w, i) => expectClose(`${path}[${i}]`, (got as unknown[])[i], w));
  } else {
    expect(got, path).toBeTypeOf("object");
    expect(Object.keys(got as object).sort(), `${path} keys`).toEqual(Object.keys(want).sort());
    for (const [k, w] of Object.entries(want)) expectClose(`${path}.${k}`, (got as Record<string, unknown>)[k], w);
  }
}

describe.skipIf(missingFixtures("RoboEval parity", "roboeval"))("RoboEval parity (shared/fixtures/roboeval)", () => {
  const traj = hasFixtures ? readFixtureJson("roboeval", "trajectories.json") : { episodes: [] };
  const expected = hasFixtures ? readFixtureJson<Record<string, any>>("roboeval", "expected.json") : {};
  const episodes = parseEpisodes(traj);
  const fresh = computeAllEpisodeMetrics(episodes);
  const reused = computeAllEpisodeMetrics(episodes, { carryOverAcceleration: true });
  const byId = (rs: EpisodeMetrics[], id: string) => rs.find((r) => r.id === id)!;
  // completion_time is wall clock, omitted from the reference output; the fixture has no timestamps.
  const referenceDict = (r: EpisodeMetrics): Record<string, MetricValue> => {
    const { completion_time: _ct, ...rest } = r.metrics;
    return rest;
  };

  it("reads all 6 episodes", () => {
    expect(episodes.map((e) => e.id)).toEqual(Object.keys(expected.per_episode.fresh_env));
  });

  for (const mode of ["fresh_env", "reused_env"] as const) {
    it(`matches every key of every episode in ${mode} mode (same key set: missing-vs-zero exact)`, () => {
      const rs = mode === "fresh_env" ? fresh : reused;
      for (const [id, want] of Object.entries(expected.per_episode[mode] as Record<string, Json>)) {
        expectClose(`${mode}.${id}`, referenceDict(byId(rs, id)), want);
      }
    });
  }

  it("carry-over changes only the second episode of envA, and only its jerk", () => {
    const f = byId(fresh, "ep1_bimanual_41steps_envA").metrics;
    const r = byId(reused, "ep1_bimanual_41steps_envA").metrics;
    expect(r.overall_avg_joint_jerk).not.toBe(f.overall_avg_joint_jerk);
    expect(r.total_joint_path_length).toBe(f.total_joint_path_length);
    expect(byId(reused, "ep1_bimanual_41steps_envA").derived.jerk_samples_per_arm.left).toBe(39); // N - 2
    expect(byId(fresh, "ep1_bimanual_41steps_envA").derived.jerk_samples_per_arm.left).toBe(38); // N - 3
    expect(byId(reused, "ep2_bimanual_5steps_fresh").metrics).toEqual(byId(fresh, "ep2_bimanual_5steps_fresh").metrics);
  });

  it("derived TL, sim time, dt and jerk sample counts", () => {
    for (const [id, d] of Object.entries(expected.derived_not_in_reference_dict as Record<string, any>)) {
      const r = byId(fresh, id).derived;
      expect(r.trajectory_length_steps).toBe(d.trajectory_length_steps);
      expect(r.control_frequency_hz).toBe(d.control_frequency_hz);
      expectClose(`${id}.sim_time_s`, r.sim_time_s, d.sim_time_s);
      expectClose(`${id}.dt_s`, r.dt_s, d.dt_s);
      for (const a of Object.values(r.jerk_samples_per_arm)) expect(a).toBe(d.jerk_samples_per_arm_fresh);
    }
  });

  it("5_gather-style aggregate statistics", () => {
    const agg = expected.aggregate_5_gather_metrics_style;
    const eps = (agg.episodes as string[]).map((id) => byId(fresh, id));
    const stats = aggregateEpisodes(eps, Object.keys(agg.stats));
    for (const [key, s] of Object.entries(agg.stats as Record<string, any>)) {
      const g = stats[key];
      expect(g.count, key).toBe(s.count);
      expectClose(`${key}.mean`, g.mean, s.mean);
      expectClose(`${key}.std`, g.std, s.std_ddof1);
      expectClose(`${key}.min`, g.min, s.min);
      expectClose(`${key}.max`, g.max, s.max);
      expectClose(`${key}.median`, g.median, s.median);
      expectClose(`${key}.p25`, g.p25, s.percentiles_linear["25th"]);
      expectClose(`${key}.p50`, g.p50, s.percentiles_linear["50th"]);
      expectClose(`${key}.p75`, g.p75, s.percentiles_linear["75th"]);
      expectClose(`${key}.p90`, g.p90, s.percentiles_linear["90th"]);
    }
  });

  it("MolmoAct2 table-style means", () => {
    const t = expected.molmoact2_table_style_means;
    const eps = (t.episodes as string[]).map((id) => byId(fresh, id));
    const got = molmoAct2Table(eps);
    expectClose("success_rate", got.success_rate, t.success_rate);
    expect(successRate(eps)).toBe(got.success_rate);
    for (const abbr of ["TL", "JPL", "CPL", "CJ", "JJ", "SC", "SL"] as const) {
      const g = got[abbr];
      expect(g.n, abbr).toBe(t[abbr].n);
      expectClose(`${abbr}.mean`, g.mean, t[abbr].mean_over_episodes_with_value);
      if (abbr !== "TL") expect(g.key).toBe(t[abbr].key);
    }
  });

  it("leaderboard global row = unweighted mean of family means and of family stds", () => {
    const lb = expected.leaderboard_aggregation_check;
    for (const [metric, published] of [
      ["ACT_success_per_task_mean_std", lb.ACT_success_global_published],
      ["ACT_tl_per_task_mean_std", lb.ACT_tl_global_published],
    ] as const) {
      const g = leaderboardGlobal(lb[metric]);
      expect(g.families).toBe(8);
      // published numbers are rounded to 2-4 decimals
      expect(g.mean).toBeCloseTo(published.mean, 4);
      expect(g.std).toBeCloseTo(published.std, 2);
    }
    expectClose("recomputed.success", leaderboardGlobal(lb.ACT_success_per_task_mean_std).mean, lb.ACT_success_global_recomputed.mean);
    expectClose("recomputed.tl", leaderboardGlobal(lb.ACT_tl_per_task_mean_std).mean, lb.ACT_tl_global_recomputed.mean);
    expectClose("recomputed.tl.std", leaderboardGlobal(lb.ACT_tl_per_task_mean_std).std, lb.ACT_tl_global_recomputed.std);
  });
});
