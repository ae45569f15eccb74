import { fail } from "../core/index.js";

/** Whether larger ("max") or smaller ("min") values of a metric are better. */
export type Direction = "max" | "min";

/**
 * Directions from the RoboEval leaderboard schema (`success`, `tp` → max; everything else → min), under
 * the site's short keys, the reference dict keys and the MolmoAct2 table abbreviations.
 * Beware the clash: site `sc` = slip count, MolmoAct2 `SC` = self-collisions (both "min").
 */
export const METRIC_DIRECTIONS: Readonly<Record<string, Direction>> = Object.freeze({
  success: "max",
  success_rate: "max",
  SR: "max",
  tp: "max",
  subtask_progress: "max",
  bavd: "min",
  bgvd: "min",
  cpl: "min",
  ct: "min",
  ecc: "min",
  jpl: "min",
  mcj: "min",
  mjj: "min",
  opl: "min",
  scc: "min",
  sc: "min",
  tl: "min",
  TL: "min",
  CT: "min",
  JPL: "min",
  CPL: "min",
  CJ: "min",
  JJ: "min",
  SC: "min",
  SL: "min",
  completion_time: "min",
  trajectory_length_steps: "min",
  sim_time_s: "min",
  slip_count: "min",
  env_collision_count: "min",
  self_collision_count: "min",
  bimanual_arm_velocity_difference: "min",
  bimanual_gripper_vertical_difference: "min",
  total_cartesian_path_length: "min",
  avg_cartesian_path_length: "min",
  total_joint_path_length: "min",
  avg_joint_path_length: "min",
  total_orientation_path_length: "min",
  avg_orientation_path_length: "min",
  overall_avg_cartesian_jerk: "min",
  overall_rms_cartesian_jerk: "min",
  overall_avg_joint_jerk: "min",
  overall_rms_joint_jerk: "min",
  object_pose_error: "min",
});

/** One policy's raw value per metric key (null/undefined = not available). */
export interface PolicyValues {
  name: string;
  values: Record<string, number | null | undefined>;
}

/** Options of {@link normalizeForRadar}. */
export interface RadarNormalizeOptions {
  /** Axes in drawing order; default: every key that any policy has. */
  keys?: readonly string[];
  /** Per-key direction overrides on top of {@link METRIC_DIRECTIONS}; unknown keys default to "min". */
  directions?: Readonly<Record<string, Direction>>;
  /**
   * `"minmax"` (default): per axis, min–max over the policies on the chart, best = 1, worst = 0, all equal = 1.
   * `"reference"`: against a reference (e.g. human demos): lower-is-better r = clamp(ref/x, 0, 1),
   * higher-is-better r = clamp(x/ref, 0, 1); the reference itself scores 1.
   */
  mode?: "minmax" | "reference";
  /** Reference values per key (required for mode "reference"). */
  reference?: Readonly<Record<string, number>>;
  /** Name of the reference in the scheme text (default "reference"). */
  referenceName?: string;
}

/** Normalised scores in [0, 1] (1 = best) per policy and key; null where the raw value is missing. */
export interface RadarData {
  keys: string[];
  directions: Record<string, Direction>;
  series: { name: string; scores: Record<string, number | null>; raw: Record<string, number | null> }[];
  /** One line describing the normalisation, to print on the chart. */
  scheme: string;
}

const finite = (v: number | null | undefined): v is number => typeof v === "number" && Number.isFinite(v);

/** Normalise raw per-policy metric values for a radar chart, oriented so that 1 is best on every axis. */
export function normalizeForRadar(policies: readonly PolicyValues[], opts: RadarNormalizeOptions = {}): RadarData {
  const fn = "normalizeForRadar";
  if (policies.length === 0) fail(fn, "policies", "must hold at least one policy; got []");
  const mode = opts.mode ?? "minmax";
  if (mode !== "minmax" && mode !== "reference") fail(fn, "opts.mode", `must be "minmax" or "reference"; got ${JSON.stringify(mode)}`);
  const keys = opts.keys ? [...opts.keys] : [...new Set(policies.flatMap((p) => Object.keys(p.values)))];
  if (keys.length === 0) fail(fn, "opts.keys", "must name at least one metric; got none");
  const directions: Record<string, Direction> = {};
  for (const k of keys) directions[k] = opts.directions?.[k] ?? METRIC_DIRECTIONS[k] ?? "min";
  if (mode === "reference") {
    for (const k of keys) if (!finite(opts.reference?.[k])) fail(fn, "opts.reference", `must hold a finite value for "${k}" in reference mode; got ${opts.reference?.[k]}`);
  }
  const series = policies.map((p) => {
    const scores: Record<string, number | null> = {};
    const raw: Record<string, number | null> = {};
    for (const k of keys) {
      const x = p.values[k];
      raw[k] = finite(x) ? x : null;
      if (!finite(x)) {
        scores[k] = null;
        continue;
      }
      if (mode === "minmax") {
        const vals = policies.map((q) => q.values[k]).filter(finite);
        const lo = Math.min(...vals);
        const hi = Math.max(...vals);
        scores[k] = hi === lo ? 1 : directions[k] === "min" ? (hi - x) / (hi - lo) : (x - lo) / (hi - lo);
      } else {
        const ref = opts.reference![k];
        let r: number;
        if (directions[k] === "min") r = x <= 0 ? 1 : ref <= 0 ? 0 : ref / x;
        else r = ref <= 0 ? 1 : x / ref;
        scores[k] = Math.min(1, Math.max(0, r));
      }
    }
    return { name: p.name, scores, raw };
  });
  const scheme =
    mode === "minmax"
      ? "Per axis: min–max over the policies shown, 1 = best (outer edge), 0 = worst; lower is better except success and progress."
      : `Per axis: relative to ${opts.referenceName ?? "reference"} (= 1): lower-is-better ref/x, higher-is-better x/ref, clamped to [0, 1].`;
  return { keys, directions, series, scheme };
}
