import { fail, quantileSorted } from "../core/index.js";
import type { EpisodeMetrics, MetricDict } from "./types.js";

/**
 * pandas `describe()`-style statistics of one metric over episodes (5_gather_metrics style): missing
 * values are skipped; `std` uses ddof = 1; percentiles are numpy "linear". Fields that are undefined for
 * the number of values (std with < 2, everything with 0) are `null`, never NaN.
 */
export interface SummaryStats {
  count: number;
  mean: number | null;
  std: number | null;
  min: number | null;
  max: number | null;
  median: number | null;
  p25: number | null;
  p50: number | null;
  p75: number | null;
  p90: number | null;
}

/** The keys `examples/5_gather_metrics.py` summarises (spec §5). */
export const GATHER_KEYS: readonly string[] = Object.freeze([
  "completion_time",
  "slip_count",
  "env_collision_count",
  "self_collision_count",
  "subtask_progress",
  "object_pose_error",
  "success",
  "total_cartesian_path_length",
  "avg_cartesian_path_length",
  "total_joint_path_length",
  "avg_joint_path_length",
  "total_orientation_path_length",
  "avg_orientation_path_length",
  "bimanual_arm_velocity_difference",
  "bimanual_gripper_vertical_difference",
  "overall_avg_cartesian_jerk",
  "overall_avg_joint_jerk",
]);

/** Summary statistics of the finite numbers in `values` (undefined/null/NaN skipped). */
export function summarize(values: readonly (number | undefined | null)[]): SummaryStats {
  const xs = values.filter((v): v is number => typeof v === "number" && Number.isFinite(v));
  const n = xs.length;
  if (n === 0) return { count: 0, mean: null, std: null, min: null, max: null, median: null, p25: null, p50: null, p75: null, p90: null };
  let sum = 0;
  for (const x of xs) sum += x;
  const mean = sum / n;
  let ss = 0;
  for (const x of xs) ss += (x - mean) * (x - mean);
  const sorted = [...xs].sort((a, b) => a - b);
  const median = quantileSorted(sorted, 0.5);
  return {
    count: n,
    mean,
    std: n >= 2 ? Math.sqrt(ss / (n - 1)) : null,
    min: sorted[0],
    max: sorted[n - 1],
    median,
    p25: quantileSorted(sorted, 0.25),
    p50: median,
    p75: quantileSorted(sorted, 0.75),
    p90: quantileSorted(sorted, 0.9),
  };
}

/** A scalar metric of an episode: a top-level number in the dict, or a derived value (`trajectory_length_steps`, `sim_time_s`). */
export function scalarMetric(ep: EpisodeMetrics | MetricDict, key: string): number | undefined {
  const dict = (ep as EpisodeMetrics).metrics !== undefined && typeof (ep as EpisodeMetrics).derived === "object" ? (ep as EpisodeMetrics) : undefined;
  const m: MetricDict = dict ? dict.metrics : (ep as MetricDict);
  const v = m[key];
  if (typeof v === "number") return v;
  if (dict && (key === "trajectory_length_steps" || key === "sim_time_s")) return dict.derived[key];
  return undefined;
}

/**
 * Summary statistics per key over episodes (5_gather style). Dict-valued keys are ignored; a key missing
 * in an episode is skipped for that episode, not counted as zero.
 */
export function aggregateEpisodes(episodes: readonly (EpisodeMetrics | MetricDict)[], keys: readonly string[] = GATHER_KEYS): Record<string, SummaryStats> {
  const out: Record<string, SummaryStats> = {};
  for (const key of keys) out[key] = summarize(episodes.map((e) => scalarMetric(e, key)));
  return out;
}

/** Mean of `success` over the episodes that report it (null when none does). */
export function successRate(episodes: readonly (EpisodeMetrics | MetricDict)[]): number | null {
  return summarize(episodes.map((e) => scalarMetric(e, "success"))).mean;
}

/** MolmoAct2 table abbreviation → RoboEval key (spec §1; CPL/JPL totals, CJ/JJ overall averages). */
export const MOLMOACT2_KEYS = Object.freeze({
  TL: "trajectory_length_steps",
  JPL: "total_joint_path_length",
  CPL: "total_cartesian_path_length",
  CJ: "overall_avg_cartesian_jerk",
  JJ: "overall_avg_joint_jerk",
  SC: "self_collision_count",
  SL: "slip_count",
} as const);

/** One column of the MolmoAct2-style table: the key, the mean over episodes that have it, and how many. */
export interface TableMean {
  key: string;
  mean: number | null;
  n: number;
}

/** MolmoAct2-table-style means: success rate plus one {@link TableMean} per column. */
export interface MolmoAct2Table {
  success_rate: number | null;
  TL: TableMean;
  JPL: TableMean;
  CPL: TableMean;
  CJ: TableMean;
  JJ: TableMean;
  SC: TableMean;
  SL: TableMean;
}

/** MolmoAct2-table-style means: success rate plus TL, JPL, CPL, CJ, JJ, SC, SL (plain means over all episodes, missing skipped). */
export function molmoAct2Table(episodes: readonly EpisodeMetrics[]): MolmoAct2Table {
  const col = (abbr: keyof typeof MOLMOACT2_KEYS & string): TableMean => {
    const key = MOLMOACT2_KEYS[abbr];
    const s = summarize(episodes.map((e) => scalarMetric(e, key)));
    return { key, mean: s.mean, n: s.count };
  };
  return { success_rate: successRate(episodes), TL: col("TL"), JPL: col("JPL"), CPL: col("CPL"), CJ: col("CJ"), JJ: col("JJ"), SC: col("SC"), SL: col("SL") };
}

/** Per-task summary: episodes grouped by `task` (or a key function), then {@link aggregateEpisodes}. */
export function aggregateByTask(
  episodes: readonly EpisodeMetrics[],
  taskOf: (e: EpisodeMetrics) => string = (e) => e.task ?? "all",
  keys: readonly string[] = GATHER_KEYS,
): Record<string, { episodes: number; successRate: number | null; stats: Record<string, SummaryStats> }> {
  const groups = new Map<string, EpisodeMetrics[]>();
  for (const e of episodes) {
    const t = taskOf(e);
    const g = groups.get(t);
    if (g) g.push(e);
    else groups.set(t, [e]);
  }
  const out: Record<string, { episodes: number; successRate: number | null; stats: Record<string, SummaryStats> }> = {};
  for (const [t, g] of groups) out[t] = { episodes: g.length, successRate: successRate(g), stats: aggregateEpisodes(g, keys) };
  return out;
}

/**
 * Leaderboard-style global row (RoboEval site): unweighted mean over task families of the per-family
 * means, and unweighted mean of the per-family stds. Input: family → [mean, std] or {mean, std}.
 */
export function leaderboardGlobal(perFamily: Record<string, readonly [number, number] | { mean: number; std: number }>): { mean: number; std: number; families: number } {
  const rows = Object.entries(perFamily);
  if (rows.length === 0) fail("leaderboardGlobal", "perFamily", "must hold at least one family; got {}");
  let m = 0;
  let s = 0;
  for (const [name, v] of rows) {
    const [mean, std] = Array.isArray(v) ? v : [(v as { mean: number }).mean, (v as { std: number }).std];
    if (!Number.isFinite(mean) || !Number.isFinite(std)) fail("leaderboardGlobal", `perFamily["${name}"]`, `must be finite [mean, std]; got [${mean}, ${std}]`);
    m += mean;
    s += std;
  }
  return { mean: m / rows.length, std: s / rows.length, families: rows.length };
}
