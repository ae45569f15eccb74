import { fail } from "../core/index.js";
import { countCollisions } from "./contacts.js";
import { accumulateJerk, type JerkSums } from "./jerk.js";
import { norm, orientationPathLength, pathLength } from "./kinematics.js";
import { countSlips } from "./slips.js";
import { stageProgress } from "./stages.js";
import type { ArmStep, Episode, EpisodeMetricOptions, EpisodeMetrics, JerkCarry, MetricDict, UnavailableMetric } from "./types.js";

const REASON = {
  wrist: "the log has no wrist_position (end-effector positions); joint positions alone need the robot's forward kinematics",
  quat: "the log has no wrist_quat_wxyz (end-effector orientations)",
  vel: "the log has no joint_velocities (the reference uses simulator qvel)",
  contacts: "the log has no contact list and geom classes (geoms.robot/scene/ignore)",
  slips: "the log has no holding flags / gripper openings per slip object",
  success: "the log has no success flag",
  stages: "the log defines no task stages (stage_count = 0)",
  ct: "completion_time is wall clock; the log has no timestamps (see derived.sim_time_s = N/f)",
  bimanual: "needs two arms",
};

function hasField(ep: Episode, field: keyof ArmStep): boolean {
  // N = 0: nothing to compute, the reference reports zeros for path lengths and jerks.
  if (ep.steps.length === 0) return true;
  return ep.arms.every((a) => ep.steps[0].arms[a]?.[field] !== undefined);
}

function series(ep: Episode, arm: string, field: "jointPositions" | "wristPosition" | "wristQuatWxyz" | "jointVelocities"): number[][] {
  return ep.steps.map((s) => s.arms[arm][field] as number[]);
}

/** First non-finite number or ragged vector in an episode, as a path (for error messages), or undefined. */
function findBadValue(ep: Episode): string | undefined {
  const fields = ["jointPositions", "jointVelocities", "wristPosition", "wristQuatWxyz"] as const;
  const len: Record<string, number> = {};
  for (let k = 0; k < ep.steps.length; k++) {
    for (const arm of ep.arms) {
      const a = ep.steps[k].arms[arm];
      for (const f of fields) {
        const v = a[f];
        if (v === undefined) continue;
        const key = `${arm}.${f}`;
        if (len[key] === undefined) len[key] = v.length;
        if (v.length !== len[key]) return `steps[${k}].arms.${arm}.${f} has length ${v.length}, step 0 has ${len[key]}`;
        for (let i = 0; i < v.length; i++) if (!Number.isFinite(v[i])) return `steps[${k}].arms.${arm}.${f}[${i}] = ${v[i]}`;
      }
      if (a.gripperOpening !== undefined && !Number.isFinite(a.gripperOpening)) return `steps[${k}].arms.${arm}.gripperOpening = ${a.gripperOpening}`;
    }
  }
  return undefined;
}

function hasNonFinite(m: MetricDict): boolean {
  for (const v of Object.values(m)) {
    if (typeof v === "number" ? !Number.isFinite(v) : Object.values(v).some((x) => typeof x === "number" && !Number.isFinite(x))) return true;
  }
  return false;
}

/** Result of {@link scoreEpisode}: the metrics plus the jerk state to carry into the next episode. */
export interface ScoredEpisode {
  result: EpisodeMetrics;
  carry: JerkCarry;
}

/**
 * Score one episode (see {@link computeEpisodeMetrics}) and also return the last acceleration per arm,
 * for the reused-environment carry-over quirk.
 */
export function scoreEpisode(ep: Episode, opts: EpisodeMetricOptions = {}): ScoredEpisode {
  const fn = "computeEpisodeMetrics";
  if (!(ep.controlFrequencyHz > 0) || !Number.isFinite(ep.controlFrequencyHz)) fail(fn, "episode.controlFrequencyHz", `must be a finite number > 0; got ${ep.controlFrequencyHz}`);
  if (ep.arms.length === 0) fail(fn, "episode.arms", "must name at least one arm; got []");
  for (let k = 0; k < ep.steps.length; k++) {
    for (const arm of ep.arms) if (!ep.steps[k].arms[arm]) fail(fn, "episode.steps", `must hold arm "${arm}" at every step; missing at step ${k} (use validateEpisode on raw logs)`);
  }
  const timing = opts.timing ?? "nominal";
  const dt = 1 / ep.controlFrequencyHz;
  const times = timing === "timestamps" ? ep.timestamps?.steps : undefined;
  if (timing === "timestamps" && !times) fail(fn, "opts.timing", `is "timestamps" but episode ${ep.id ?? ""} has no timestamps.steps`);
  const cfg = ep.config;
  const n = ep.steps.length;
  const arms = ep.arms;
  const multi = arms.length >= 2;
  const m: MetricDict = {};
  const unavailable: UnavailableMetric[] = [];
  const miss = (reason: string, ...keys: string[]) => keys.forEach((key) => unavailable.push({ key, reason }));

  const hasWrist = hasField(ep, "wristPosition");
  const hasQuat = hasField(ep, "wristQuatWxyz");

  // Path lengths (spec 3.1)
  const paths: [string, boolean, boolean, (arm: string) => number][] = [
    ["cartesian", cfg.trackCartesianPathLength, hasWrist, (a) => pathLength(series(ep, a, "wristPosition"))],
    ["joint", cfg.trackJointPathLength, true, (a) => pathLength(series(ep, a, "jointPositions"))],
    ["orientation", cfg.trackOrientationPathLength, hasQuat, (a) => orientationPathLength(series(ep, a, "wristQuatWxyz"))],
  ];
  for (const [name, tracked, ok, f] of paths) {
    if (!tracked) continue;
    const key = `${name}_path_length`;
    if (!ok) {
      miss(name === "orientation" ? REASON.quat : REASON.wrist, ...(multi ? [key, `total_${key}`, `avg_${key}`] : [key]));
      continue;
    }
    if (!multi) {
      m[key] = f(arms[0]);
      continue;
    }
    const per: Record<string, number> = {};
    let total = 0;
    for (const a of arms) total += per[a] = f(a);
    m[key] = per;
    m[`total_${key}`] = total;
    m[`avg_${key}`] = total / arms.length;
  }

  // Jerk (spec 3.2)
  const carryOut: JerkCarry = { cartesian: {}, joint: {} };
  const samples: Record<string, number> = {};
  const jerks: [string, boolean, boolean, "wristPosition" | "jointPositions", "cartesian" | "joint"][] = [
    ["cartesian", cfg.trackCartesianJerk, hasWrist, "wristPosition", "cartesian"],
    ["joint", cfg.trackJointJerk, true, "jointPositions", "joint"],
  ];
  for (const a of arms) samples[a] = 0;
  for (const [name, tracked, ok, field, carryKey] of jerks) {
    if (!tracked) continue;
    if (!ok) {
      miss(REASON.wrist, `avg_${name}_jerk`, `rms_${name}_jerk`, ...(multi ? [`overall_avg_${name}_jerk`, `overall_rms_${name}_jerk`] : []));
      continue;
    }
    const per: Record<string, JerkSums> = {};
    for (const a of arms) {
      per[a] = accumulateJerk(series(ep, a, field), dt, opts.carry?.[carryKey][a], times);
      carryOut[carryKey][a] = per[a].lastAcc;
      samples[a] = Math.max(samples[a], per[a].count);
    }
    const avg = (s: JerkSums) => s.sum / Math.max(1, s.count);
    const rms = (s: JerkSums) => Math.sqrt(s.sqsum / Math.max(1, s.count));
    if (!multi) {
      m[`avg_${name}_jerk`] = avg(per[arms[0]]);
      m[`rms_${name}_jerk`] = rms(per[arms[0]]);
      continue;
    }
    const avgs: Record<string, number> = {};
    const rmss: Record<string, number> = {};
    let sum = 0;
    let sq = 0;
    let cnt = 0;
    for (const a of arms) {
      avgs[a] = avg(per[a]);
      rmss[a] = rms(per[a]);
      sum += per[a].sum;
      sq += per[a].sqsum;
      cnt += per[a].count;
    }
    m[`avg_${name}_jerk`] = avgs;
    m[`rms_${name}_jerk`] = rmss;
    if (cnt > 0) {
      m[`overall_avg_${name}_jerk`] = sum / cnt;
      m[`overall_rms_${name}_jerk`] = Math.sqrt(sq / cnt);
    }
  }

  // Bimanual coordination (spec 3.3)
  if (multi && n > 0) {
    const [l, r] = arms;
    if (cfg.trackVelSync) {
      if (!hasField(ep, "jointVelocities")) miss(REASON.vel, "bimanual_arm_velocity_difference");
      else {
        let s = 0;
        for (const st of ep.steps) s += Math.abs(norm(st.arms[l].jointVelocities as number[]) - norm(st.arms[r].jointVelocities as number[]));
        m.bimanual_arm_velocity_difference = s / n;
      }
    }
    if (cfg.trackVerticalSync) {
      if (!hasWrist) miss(REASON.wrist, "bimanual_gripper_vertical_difference");
      else {
        let s = 0;
        for (const st of ep.steps) s += Math.abs((st.arms[l].wristPosition as number[])[2] - (st.arms[r].wristPosition as number[])[2]);
        m.bimanual_gripper_vertical_difference = s / n;
      }
    }
  }

  // Collisions (spec 3.4)
  if (cfg.trackCollisions) {
    const hasContacts = n === 0 || ep.steps[0].contacts !== undefined;
    if (!ep.geoms || !hasContacts) miss(REASON.contacts, "self_collision_count", "env_collision_count");
    else {
      const c = countCollisions(ep.steps, ep.geoms, cfg.slipSampleWindow);
      m.self_collision_count = c.self;
      m.env_collision_count = c.env;
    }
  }

  // Slips (spec 3.5)
  if (cfg.trackSlippage && !(hasField(ep, "holding") && hasField(ep, "gripperOpening"))) {
    miss(REASON.slips, "slip_count", "slip_count_per_object");
  } else if (cfg.trackSlippage) {
    const s = countSlips(ep.steps, arms, ep.slipObjects, ep.init, cfg.slipSampleWindow, opts.quantizeGripper ?? true);
    m.slip_count = s.total;
    m.slip_count_per_object = s.perObject;
  } else m.slip_count = 0;

  // Stages and success (spec 3.6)
  const st = stageProgress(ep.stageCount, ep.stageMarks, n);
  if (st) {
    m.task_stage_reached = st.reached;
    m.subtask_progress = st.progress;
  } else miss(REASON.stages, "subtask_progress", "task_stage_reached");
  if (ep.success === undefined) miss(REASON.success, "success");
  else m.success = ep.success ? 1.0 : 0.0;

  // Completion time (spec 3.7)
  const ts = ep.timestamps;
  if (ts && n > 0) m.completion_time = ts.reset !== undefined ? ts.steps[n - 1] - ts.reset : ts.steps[n - 1] - ts.steps[0] + dt;
  else miss(REASON.ct, "completion_time");

  if (ep.taskMetrics) for (const [k, v] of Object.entries(ep.taskMetrics)) m[k] = typeof v === "number" ? v : { ...v };

  if (hasNonFinite(m)) {
    const bad = findBadValue(ep);
    fail(fn, "episode", `must hold finite numbers and equal-length vectors per arm; got ${bad ?? "a non-finite result"} (check raw logs with validateEpisode)`);
  }

  const result: EpisodeMetrics = {
    id: ep.id ?? "",
    metrics: m,
    derived: { trajectory_length_steps: n, sim_time_s: n / ep.controlFrequencyHz, control_frequency_hz: ep.controlFrequencyHz, dt_s: dt, jerk_samples_per_arm: samples },
    unavailable,
  };
  if (ep.task !== undefined) result.task = ep.task;
  // Keep the carried acceleration when this episode produced none (the reference never clears it).
  for (const k of ["cartesian", "joint"] as const) for (const a of arms) if (carryOut[k][a] === undefined) carryOut[k][a] = opts.carry?.[k][a];
  return { result, carry: carryOut };
}

/**
 * RoboEval metric dict of one episode (reference semantics, spec §3): path lengths, jerks, bimanual
 * differences, collisions, slips, stages, success, plus `derived` (TL = steps, N/f) and the list of
 * metrics the log does not allow (`unavailable`). Float64 throughout.
 */
export function computeEpisodeMetrics(ep: Episode, opts: EpisodeMetricOptions = {}): EpisodeMetrics {
  return scoreEpisode(ep, opts).result;
}

/** Options of {@link computeAllEpisodeMetrics}. */
export interface BatchMetricOptions extends Omit<EpisodeMetricOptions, "carry"> {
  /**
   * Reproduce the reference's reused-environment quirk: episodes with the same `envInstance`, in list
   * order, pass their last acceleration into the next one's first jerk sample. Default false.
   */
  carryOverAcceleration?: boolean;
}

/** Score a list of episodes in order (see {@link computeEpisodeMetrics}). */
export function computeAllEpisodeMetrics(episodes: readonly Episode[], opts: BatchMetricOptions = {}): EpisodeMetrics[] {
  const carries = new Map<string, JerkCarry>();
  return episodes.map((ep, i) => {
    const env = ep.envInstance;
    const carry = opts.carryOverAcceleration && env !== undefined ? carries.get(env) : undefined;
    const { result, carry: out } = scoreEpisode(ep, { ...opts, carry });
    if (!result.id) result.id = `#${i}`;
    if (opts.carryOverAcceleration && env !== undefined) carries.set(env, out);
    return result;
  });
}
