import { describe, fail, parseJson } from "../core/index.js";

/**
 * LeRobot's per-feature statistics files: `meta/stats.json` (v3, v2.0) and `meta/episodes_stats.jsonl` (v2.1).
 * The one reader of this layout in the library: normalize's `statsFromLeRobot` and `LeRobotDataset.stats` both
 * come from here.
 */

/** Summary statistics of one feature as stored by LeRobot (each a per-dimension float64 vector). */
export interface FeatureStats {
  min?: Float64Array;
  max?: Float64Array;
  mean?: Float64Array;
  std?: Float64Array;
  q01?: Float64Array;
  q10?: Float64Array;
  q50?: Float64Array;
  q90?: Float64Array;
  q99?: Float64Array;
  /** Number of frames the stats were computed over, when stored (LeRobot writes `count: [N]`). */
  count?: number;
}

const STAT_NAMES = ["min", "max", "mean", "std", "q01", "q10", "q50", "q90", "q99"] as const;

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** A stats vector: numbers, or nested lists of numbers for image features (`[[[r]], [[g]], [[b]]]`), flattened. */
function toVector(fn: string, field: string, v: unknown): Float64Array {
  const flat = Array.isArray(v) ? (v.flat(Infinity) as unknown[]) : null;
  if (flat === null || flat.length === 0 || !flat.every((x) => typeof x === "number")) {
    fail(fn, field, `must be a non-empty list of numbers (nested lists for images); got ${describe(v)}`);
  }
  return Float64Array.from(flat as number[]);
}

function parseFeatureStats(fn: string, where: string, v: unknown): FeatureStats {
  if (!isObj(v)) fail(fn, where, `must be an object of statistics ({ min, max, mean, std, count, q01, ... }); got ${describe(v)}`);
  const out: FeatureStats = {};
  for (const name of STAT_NAMES) {
    if (v[name] !== undefined && v[name] !== null) out[name] = toVector(fn, `${where}.${name}`, v[name]);
  }
  // LeRobot stores the frame count as a one-element list; older files and hand-written ones as a number
  const c = Array.isArray(v.count) && v.count.length === 1 ? v.count[0] : v.count;
  if (c !== undefined && c !== null) {
    if (typeof c !== "number" || !Number.isInteger(c) || c < 0) fail(fn, `${where}.count`, `must be an integer >= 0 or [integer]; got ${describe(v.count)}`);
    out.count = c;
  }
  return out;
}

/**
 * Parse a LeRobot `meta/stats.json` (text or parsed object): `{ [feature]: { min, max, mean, std, count: [N],
 * q01?, q10?, q50?, q90?, q99? } }`. Vectors become float64 (image features' `[C][1][1]` lists are flattened);
 * other keys of a feature are ignored. A feature that is not an object, or a statistic that is not a list of
 * numbers, throws a `VlaError` naming the feature and field.
 */
export function parseStatsJson(input: string | object): Record<string, FeatureStats> {
  const fn = "parseStatsJson";
  const j = parseJson(fn, "input", input);
  if (!isObj(j)) fail(fn, "input", `must be a stats.json object ({ [feature]: { min, max, ... } }); got ${describe(j)}`);
  const out: Record<string, FeatureStats> = {};
  for (const [key, v] of Object.entries(j)) out[key] = parseFeatureStats(fn, JSON.stringify(key), v);
  return out;
}

/**
 * Combine LeRobot v2.1 `meta/episodes_stats.jsonl` lines (`{episode_index, stats: {feature: {min,
 * max, mean, std, count}}}`) into dataset stats: min of mins, max of maxes, count-weighted mean and
 * pooled std (`sqrt(Σ n_i (std_i² + mean_i²) / N − mean²)`). Quantiles are not combined (v2.1 has none).
 */
export function combineEpisodeStats(jsonl: string): Record<string, FeatureStats> {
  const fn = "combineEpisodeStats";
  const acc: Record<string, { n: number; min?: Float64Array; max?: Float64Array; s1?: Float64Array; s2?: Float64Array }> = {};
  const lines = jsonl.split("\n");
  for (const [i, line] of lines.entries()) {
    if (line.trim() === "") continue;
    const rec = parseJson(fn, `line ${i + 1}`, line);
    if (!isObj(rec)) fail(fn, `line ${i + 1}`, `must be a JSON object { episode_index, stats }; got ${describe(rec)}`);
    const stats = rec.stats ?? {};
    if (!isObj(stats)) fail(fn, `line ${i + 1}.stats`, `must be an object; got ${describe(stats)}`);
    for (const [key, raw] of Object.entries(stats)) {
      const s = parseFeatureStats(fn, `line ${i + 1}.stats[${JSON.stringify(key)}]`, raw);
      const n = s.count ?? 1;
      const a = (acc[key] ??= { n: 0 });
      a.n += n;
      if (s.min) a.min = a.min ? a.min.map((x, d) => Math.min(x, s.min![d])) : s.min.slice();
      if (s.max) a.max = a.max ? a.max.map((x, d) => Math.max(x, s.max![d])) : s.max.slice();
      if (s.mean && s.std) {
        const m = s.mean;
        const sd = s.std;
        if (!a.s1) {
          a.s1 = new Float64Array(m.length);
          a.s2 = new Float64Array(m.length);
        }
        for (let d = 0; d < m.length; d++) {
          a.s1[d] += n * m[d];
          a.s2![d] += n * (sd[d] * sd[d] + m[d] * m[d]);
        }
      }
    }
  }
  const out: Record<string, FeatureStats> = {};
  for (const [key, a] of Object.entries(acc)) {
    const fs: FeatureStats = { count: a.n };
    if (a.min) fs.min = a.min;
    if (a.max) fs.max = a.max;
    if (a.s1 && a.s2) {
      fs.mean = a.s1.map((x) => x / a.n);
      fs.std = a.s2.map((x, d) => Math.sqrt(Math.max(0, x / a.n - fs.mean![d] * fs.mean![d])));
    }
    out[key] = fs;
  }
  return out;
}
