import { describe, fail } from "../core/index.js";
import { gripperMask } from "./stats-files.js";
import { checkStats, type NormStats } from "./stats.js";

/** Per-dimension statistics of one feature, as the writers take them (plain arrays of length `dim`). */
export interface WritableStats extends NormStats {
  min: number[];
  max: number[];
  mean: number[];
  std: number[];
  /** Frames the stats were computed over. */
  count: number;
  /** LeRobot also stores the 10th/50th/90th percentiles; written when present. */
  q10?: number[];
  q50?: number[];
  q90?: number[];
}

function checked(fn: string, arg: string, s: WritableStats): WritableStats {
  const c = checkStats(fn, arg, s);
  for (const k of ["min", "max", "mean", "std"] as const) if (c[k] === undefined) fail(fn, `${arg}.${k}`, `must be given; got undefined`);
  for (const k of ["q10", "q50", "q90"] as const) {
    const v = s[k];
    if (v !== undefined && (v.length !== c.q01.length || !v.every((x) => Number.isFinite(x)))) fail(fn, `${arg}.${k}`, `must be ${c.q01.length} finite numbers; got ${describe(v)}`);
  }
  if (!Number.isInteger(s.count) || s.count < 1) fail(fn, `${arg}.count`, `must be a positive integer; got ${describe(s.count)}`);
  return { ...s, ...c } as WritableStats;
}

const json = (o: unknown) => JSON.stringify(o, null, 2) + "\n";

/**
 * LeRobot `meta/stats.json`: `{ [feature]: { min, max, mean, std, count: [N], q01, q10, q50, q90, q99 } }`, the
 * layout LeRobot ≥ 0.4 writes and its QUANTILES normalization reads (q01/q99). `existing` (the dataset's current
 * stats.json as a parsed object, e.g. `JSON.parse(text)`) keeps the features not given here (images,
 * timestamps, ...) as they are; given ones replace theirs. Returns the file text.
 */
export function lerobotStatsJson(features: Record<string, WritableStats>, existing?: Record<string, unknown>): string {
  const fn = "lerobotStatsJson";
  const base = existing ?? {};
  if (typeof base !== "object" || base === null || Array.isArray(base)) fail(fn, "existing", `must be a parsed stats.json object; got ${describe(base)}`);
  const out: Record<string, unknown> = { ...(base as Record<string, unknown>) };
  for (const [key, raw] of Object.entries(features)) {
    const s = checked(fn, key, raw);
    const f: Record<string, unknown> = { min: s.min, max: s.max, mean: s.mean, std: s.std, count: [s.count], q01: s.q01 };
    for (const k of ["q10", "q50", "q90"] as const) if (s[k]) f[k] = s[k];
    f.q99 = s.q99;
    out[key] = f;
  }
  return json(out);
}

/**
 * openpi `norm_stats.json`: `{ norm_stats: { state: { mean, std, q01, q99 }, actions: { mean, std, q01, q99 } } }`
 * (openpi's `NormStats`; read by `statsFromOpenpi`). Returns the file text.
 */
export function openpiNormStatsJson(stats: { state: WritableStats; actions: WritableStats }): string {
  const fn = "openpiNormStatsJson";
  const pick = (arg: string, raw: WritableStats) => {
    const s = checked(fn, arg, raw);
    return { mean: s.mean, std: s.std, q01: s.q01, q99: s.q99 };
  };
  return json({ norm_stats: { state: pick("state", stats.state), actions: pick("actions", stats.actions) } });
}

/** One tag of a MolmoAct2 `norm_stats.json`, as {@link molmoAct2NormStatsJson} takes it. */
export interface MolmoAct2TagInput {
  tag: string;
  action: WritableStats;
  state?: WritableStats;
  actionKey: string;
  stateKey?: string;
  cameraKeys: string[];
  /** false (MolmoAct2's usual): dims named "gripper" get mask false (pass through unnormalized). */
  normalizeGripper: boolean;
  actionHorizon: number;
  nActionSteps: number;
  setupType?: string;
  controlMode?: string;
  /** Per-dimension names of action / state (for the mask and `names`). */
  actionNames?: string[] | null;
  stateNames?: string[] | null;
}

/**
 * MolmoAct2 `norm_stats.json` (`molmoact2_norm_stats.v1`, spec §6.2): `{ format, norm_mode: "q01_q99",
 * metadata_by_tag: { [tag]: { action_key, state_key, camera_keys, normalize_gripper, action_dim, action_horizon,
 * n_action_steps, setup_type, control_mode, action_stats: { min, max, mean, std, q01, q99, count, names, mask },
 * state_stats } } }`. The mask follows MolmoAct2's default (`gripperMask`). Returns the file text.
 */
export function molmoAct2NormStatsJson(t: MolmoAct2TagInput): string {
  const fn = "molmoAct2NormStatsJson";
  if (typeof t.tag !== "string" || t.tag === "") fail(fn, "tag", `must be a non-empty string; got ${describe(t.tag)}`);
  for (const k of ["actionHorizon", "nActionSteps"] as const) if (!Number.isInteger(t[k]) || t[k] < 1) fail(fn, k, `must be a positive integer; got ${describe(t[k])}`);
  const block = (arg: string, raw: WritableStats, names: string[] | null | undefined) => {
    const s = checked(fn, arg, raw);
    if (names && names.length !== s.q01.length) fail(fn, `${arg}Names`, `must have ${s.q01.length} names like the stats; got ${names.length}`);
    const out: Record<string, unknown> = { min: s.min, max: s.max, mean: s.mean, std: s.std, q01: s.q01, q99: s.q99, count: s.count };
    if (names) {
      out.names = names;
      out.mask = gripperMask(names, t.normalizeGripper);
    }
    return out;
  };
  const meta: Record<string, unknown> = {
    action_key: t.actionKey,
    ...(t.stateKey ? { state_key: t.stateKey } : {}),
    camera_keys: t.cameraKeys,
    normalize_gripper: t.normalizeGripper,
    action_dim: t.action.q01.length,
    action_horizon: t.actionHorizon,
    n_action_steps: t.nActionSteps,
    ...(t.setupType ? { setup_type: t.setupType } : {}),
    ...(t.controlMode ? { control_mode: t.controlMode } : {}),
    action_stats: block("action", t.action, t.actionNames),
    ...(t.state ? { state_stats: block("state", t.state, t.stateNames) } : {}),
  };
  return json({ format: "molmoact2_norm_stats.v1", norm_mode: "q01_q99", metadata_by_tag: { [t.tag]: meta } });
}
