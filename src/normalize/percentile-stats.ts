import { fail, quantileSorted, rowMajor } from "../core/index.js";
import type { LeRobotEpisode } from "../io/index.js";
import { computeStats, type NormStats } from "./stats.js";

/** What {@link percentileStats} reads of an episode: a `LeRobotEpisode` from io, or the same fields built by hand. */
export type StatsEpisode = Pick<LeRobotEpisode, "episodeIndex" | "length" | "state" | "action" | "file">;

/** Per-dimension stats of a trajectory key over a set of episodes (plain arrays of length `dim`). */
export interface PercentileStats extends NormStats {
  q01: number[];
  q99: number[];
  /** 10th, 50th and 90th percentiles (numpy linear), the other quantiles LeRobot's stats.json stores. */
  q10: number[];
  q50: number[];
  q90: number[];
  min: number[];
  max: number[];
  mean: number[];
  std: number[];
  /** Frames pooled. */
  count: number;
  dim: number;
  /** How the numbers were computed: the normalize module's `computeStats` over the pooled frames. */
  method: "normalize.computeStats (numpy linear, pooled frames)";
}

/** The quantiles besides q01/q99 that LeRobot's stats.json also stores. */
const MORE_QUANTILES = [
  ["q10", 0.1],
  ["q50", 0.5],
  ["q90", 0.9],
] as const;

/**
 * 1st/99th percentiles (plus the 10th/50th/90th, min, max, mean, population std) per dimension of `"state"` or `"action"`,
 * pooled over every frame of the given episodes (e.g. `LeRobotDataset.loadEpisodes()` from io), computed by `computeStats`
 * (numpy's default `linear` quantile, `np.quantile(x, q, axis=0)`). This is *not* LeRobot's
 * stats.json q01/q99, which averages per-episode quantiles (see `LeRobotDataset.datasetQuantiles`).
 * The result plugs into `normalize(values, stats)`. Throws when the episodes are empty, differ in
 * dimension, or hold a non-finite value (naming episode, frame and dimension).
 */
export function percentileStats(episodes: readonly StatsEpisode[], which: "state" | "action"): PercentileStats {
  const fn = "percentileStats";
  if (!Array.isArray(episodes) || episodes.length === 0) fail(fn, "episodes", "must be a non-empty array of episodes; got none");
  if (which !== "state" && which !== "action") fail(fn, "which", `must be "state" or "action"; got ${JSON.stringify(which)}`);
  const dim = episodes[0][which].shape[1];
  let total = 0;
  for (const ep of episodes) {
    if (ep[which].shape[1] !== dim) fail(fn, "episodes", `must share one ${which} dimension; episode ${ep.episodeIndex} has ${ep[which].shape[1]}, expected ${dim}`);
    total += ep.length;
  }
  if (total === 0) fail(fn, "episodes", "must contain at least one frame; got 0");
  const rows = new Float64Array(total * dim);
  let off = 0;
  for (const ep of episodes) {
    const d = rowMajor(ep[which]);
    for (let i = 0; i < ep.length * dim; i++) {
      if (!Number.isFinite(d[i])) {
        const from = ep.file ? ` (${ep.file})` : "";
        fail(fn, "episodes", `must contain finite ${which} values; got ${d[i]} in episode ${ep.episodeIndex}${from} at [${Math.floor(i / dim)}][${i % dim}]`);
      }
    }
    rows.set(d.subarray(0, ep.length * dim), off);
    off += ep.length * dim;
  }
  const s = computeStats(rows, { horizon: total, dim });
  const more: Record<(typeof MORE_QUANTILES)[number][0], number[]> = { q10: [], q50: [], q90: [] };
  const col = new Float64Array(total);
  for (let d = 0; d < dim; d++) {
    for (let i = 0; i < total; i++) col[i] = rows[i * dim + d];
    col.sort();
    for (const [name, q] of MORE_QUANTILES) more[name].push(quantileSorted(col, q));
  }
  return {
    q01: s.q01,
    q99: s.q99,
    ...more,
    min: s.min!,
    max: s.max!,
    mean: s.mean!,
    std: s.std!,
    count: total,
    dim,
    method: "normalize.computeStats (numpy linear, pooled frames)",
  };
}
