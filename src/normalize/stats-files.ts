import { describe, fail, parseJson } from "../core/index.js";
import { parseStatsJson } from "../io/index.js";
import { checkStats, type NormStats } from "./stats.js";

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function parse(fn: string, input: string | object): Record<string, unknown> {
  const j = parseJson(fn, "input", input);
  if (!isObj(j)) fail(fn, "input", `must be a JSON object; got ${describe(j)}`);
  return j;
}

function pick(src: Record<string, unknown>): Partial<NormStats> {
  const out: Record<string, unknown> = {};
  for (const k of ["q01", "q99", "min", "max", "mean", "std", "names", "mask"]) if (src[k] !== undefined && src[k] !== null) out[k] = src[k];
  if (typeof src.count === "number") out.count = src.count;
  else if (Array.isArray(src.count) && typeof src.count[0] === "number") out.count = src.count[0];
  return out as Partial<NormStats>;
}

/**
 * Stats of one feature from a LeRobot `meta/stats.json` (text or object), e.g. key `"action"` or
 * `"observation.state"`, read by io's `parseStatsJson` and checked here. Needs `q01`/`q99` (LeRobot ≥ 0.4 writes
 * them); older files without quantiles are rejected with a hint to use `computeStats` on the data.
 */
export function statsFromLeRobot(input: string | object, key: string): NormStats {
  const fn = "statsFromLeRobot";
  const features = parseStatsJson(input);
  const f = features[key];
  if (f === undefined) fail(fn, "key", `must name a feature of stats.json (${Object.keys(features).join(", ")}); got ${JSON.stringify(key)}`);
  if (f.q01 === undefined || f.q99 === undefined) {
    fail(fn, "input", `must have q01/q99 for ${JSON.stringify(key)} (older LeRobot stats have only min/max/mean/std); compute them with computeStats(rows)`);
  }
  const stats: NormStats = { q01: Array.from(f.q01), q99: Array.from(f.q99) };
  for (const k of ["min", "max", "mean", "std"] as const) {
    const v = f[k];
    if (v !== undefined) stats[k] = Array.from(v);
  }
  if (f.count !== undefined) stats.count = f.count;
  return checkStats(fn, key, stats);
}

/**
 * Stats from an openpi `norm_stats.json` (`{ norm_stats: { state, actions: { mean, std, q01, q99 } } }`),
 * key `"actions"` (default) or `"state"`. Use with `normalize(..., { mode: "openpi" })` to match openpi.
 */
export function statsFromOpenpi(input: string | object, key: "actions" | "state" = "actions"): NormStats {
  const fn = "statsFromOpenpi";
  const j = parse(fn, input);
  const ns = j.norm_stats;
  if (!isObj(ns)) fail(fn, "input", `must have a norm_stats object; got ${describe(ns)}`);
  const f = ns[key];
  if (!isObj(f)) fail(fn, "key", `must be one of ${Object.keys(ns).map((k) => JSON.stringify(k)).join(", ")}; got ${JSON.stringify(key)}`);
  return checkStats(fn, `norm_stats.${key}`, pick(f));
}

/** One tag of a MolmoAct2 `norm_stats.json` (format `molmoact2_norm_stats.v1`). */
export interface MolmoAct2TagStats {
  tag: string;
  normMode: string;
  action: NormStats;
  state?: NormStats;
  actionHorizon?: number;
  nActionSteps?: number;
  actionDim?: number;
  setupType?: string;
  controlMode?: string;
  normalizeGripper?: boolean;
  cameraKeys?: string[];
}

/**
 * Read one tag of a MolmoAct2 `norm_stats.json`: `{ format, norm_mode, metadata_by_tag: { tag: { action_stats,
 * state_stats, action_horizon, n_action_steps, setup_type, control_mode, normalize_gripper, camera_keys } } }`.
 * `tag` may be omitted when the file has exactly one.
 */
export function statsFromMolmoAct2(input: string | object, tag?: string): MolmoAct2TagStats {
  return readMolmoAct2Tag("statsFromMolmoAct2", parse("statsFromMolmoAct2", input), tag);
}

/**
 * Every tag of a MolmoAct2 `norm_stats.json`, in file order (see {@link statsFromMolmoAct2}); `normMode` is the
 * file's `norm_mode`, `"min_max"` when absent (the reference's default).
 */
export function allStatsFromMolmoAct2(input: string | object): MolmoAct2TagStats[] {
  const fn = "allStatsFromMolmoAct2";
  const j = parse(fn, input);
  const by = j.metadata_by_tag;
  if (!isObj(by) || Object.keys(by).length === 0) fail(fn, "input", `must have metadata_by_tag with at least one tag (format molmoact2_norm_stats.v1); got ${describe(by)}`);
  return Object.keys(by).map((t) => ({ ...readMolmoAct2Tag(fn, j, t), normMode: typeof j.norm_mode === "string" ? j.norm_mode : "min_max" }));
}

function readMolmoAct2Tag(fn: string, j: Record<string, unknown>, tag: string | undefined): MolmoAct2TagStats {
  const by = j.metadata_by_tag;
  if (!isObj(by)) fail(fn, "input", `must have metadata_by_tag (format molmoact2_norm_stats.v1); got ${describe(by)}`);
  const tags = Object.keys(by);
  const t = tag ?? (tags.length === 1 ? tags[0] : undefined);
  if (t === undefined || !isObj(by[t])) fail(fn, "tag", `must be one of ${tags.map((x) => JSON.stringify(x)).join(", ")}; got ${describe(tag)}`);
  const m = by[t] as Record<string, unknown>;
  if (!isObj(m.action_stats)) fail(fn, `metadata_by_tag.${t}.action_stats`, `must be an object; got ${describe(m.action_stats)}`);
  const out: MolmoAct2TagStats = {
    tag: t,
    normMode: typeof j.norm_mode === "string" ? j.norm_mode : "q01_q99",
    action: checkStats(fn, `metadata_by_tag.${t}.action_stats`, pick(m.action_stats)),
  };
  if (isObj(m.state_stats)) out.state = checkStats(fn, `metadata_by_tag.${t}.state_stats`, pick(m.state_stats));
  if (typeof m.action_horizon === "number") out.actionHorizon = m.action_horizon;
  if (typeof m.n_action_steps === "number") out.nActionSteps = m.n_action_steps;
  if (typeof m.action_dim === "number") out.actionDim = m.action_dim;
  if (typeof m.setup_type === "string") out.setupType = m.setup_type;
  if (typeof m.control_mode === "string") out.controlMode = m.control_mode;
  if (typeof m.normalize_gripper === "boolean") out.normalizeGripper = m.normalize_gripper;
  if (Array.isArray(m.camera_keys)) out.cameraKeys = m.camera_keys.map(String);
  return out;
}

/**
 * MolmoAct2's default feature mask: with `normalizeGripper` false every dim whose name contains "gripper"
 * (case-insensitive) passes through (mask false); otherwise all dims are normalized.
 */
export function gripperMask(names: readonly string[], normalizeGripper: boolean): boolean[] {
  return names.map((n) => normalizeGripper || !/gripper/i.test(n));
}
