import { computeEpisodeMetrics } from "./episode-metrics.js";
import type { Episode, EpisodeMetricOptions, EpisodeMetrics, Step } from "./types.js";
import { DEFAULT_METRIC_CONFIG, formatIssue, type EpisodeIssue } from "./validate.js";
import { describe, fail } from "../core/index.js";

/**
 * A simple joint-space log, e.g. a LeRobot episode re-exported as JSON
 * (`{fps, state[][], state_names, timestamp[]}`): joint positions sampled at a known control frequency,
 * optionally with end-effector poses per arm.
 */
export interface SimpleLog {
  /** Control frequency in Hz (LeRobot `fps`). */
  fps: number;
  /** [N][D] float64 state rows (joint positions, grippers, hands ...). */
  state: number[][];
  /** Names of the D state dims (LeRobot `state_names`), used to split arms; null/absent = one arm. */
  state_names?: (string | null)[] | null;
  /** Per-frame time stamps in seconds (LeRobot `timestamp`). */
  timestamp?: number[];
  /** Optional end-effector poses per arm: positions [N][3] (m) and quaternions [N][4] (w,x,y,z). */
  end_effector?: Record<string, { position?: number[][]; quat_wxyz?: number[][] }>;
  /** Task success, when known. */
  success?: boolean;
  episode_index?: number;
}

/** Options of {@link simpleLogToEpisode} / {@link computeSimpleLogMetrics}. */
export interface SimpleLogOptions extends EpisodeMetricOptions {
  /** Arm name → indices of its joint dims in `state`. Default: split by `state_names` (see docs). */
  arms?: Record<string, number[]>;
  /**
   * Arm name → indices of its joint *velocity* dims in `state` (same order as `arms`), when the state also
   * holds velocities (RoboEval's LeRobot export: qpos ⊕ qvel). Enables BAVD. Default: none.
   */
  velocities?: Record<string, number[]>;
  /** Multiply joint values by this (e.g. Math.PI / 180 for degrees). Default 1 (the log's units). */
  jointScale?: number;
  /** Override the control frequency. */
  fps?: number;
  id?: string;
  task?: string;
}

/** Sampling of the log's time stamps. */
export interface TimingInfo {
  nominalDtS: number;
  /** Mean / min / max of consecutive time-stamp differences (null without time stamps). */
  meanDtS: number | null;
  minDtS: number | null;
  maxDtS: number | null;
  /** True when some period differs from 1/f by more than 1 % (real wall-clock jitter). */
  jitter: boolean;
}

/** Metrics of a simple log, plus how the state was split into arms and the timing found. */
export interface SimpleLogMetrics extends EpisodeMetrics {
  armDims: Record<string, number[]>;
  timing: TimingInfo;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

/** True when `json` looks like a simple/LeRobot log (`fps` and `state` rows) rather than a RoboEval episode. */
export function isSimpleLog(json: unknown): boolean {
  return isObj(json) && typeof json.fps === "number" && Array.isArray(json.state) && json.steps === undefined;
}

const GRIPPER_RE = /gripper|hand/i;

/**
 * Default arm split from state names: dims whose name contains "gripper" or "hand" are not arm joints;
 * names starting with `left`/`kLeft` or `right`/`kRight` go to arms "left"/"right"; names starting with
 * `arm<i>` go to arm "arm<i>"; anything else (or no names) to one arm "arm".
 */
export function defaultArmDims(names: readonly (string | null)[] | null | undefined, dim: number): Record<string, number[]> {
  const arms: Record<string, number[]> = {};
  for (let i = 0; i < dim; i++) {
    const nm = names?.[i] ?? "";
    if (nm && GRIPPER_RE.test(nm)) continue;
    const side = /^k?(left|right)/i.exec(nm);
    const numbered = /^(arm\d+)/i.exec(nm);
    const arm = side ? side[1].toLowerCase() : numbered ? numbered[1].toLowerCase() : "arm";
    (arms[arm] ??= []).push(i);
  }
  // left before right when both exist
  const keys = Object.keys(arms).sort((a, b) => (a === "left" ? -1 : b === "left" ? 1 : a < b ? -1 : a > b ? 1 : 0));
  const ordered: Record<string, number[]> = {};
  for (const k of keys) ordered[k] = arms[k];
  return ordered;
}

/** Validate a simple log; issues name the episode, frame (step) and field. */
export function validateSimpleLog(raw: unknown, index = 0, fpsOverride?: number): EpisodeIssue[] {
  const episode = `#${index}`;
  const issues: EpisodeIssue[] = [];
  const add = (field: string, expected: string, got: unknown, step?: number) => {
    if (issues.length < 20) issues.push({ episode, step, field, expected, got: describe(got) });
  };
  if (!isObj(raw)) {
    add("(log)", "an object {fps, state[][], ...}", raw);
    return issues;
  }
  const fps = fpsOverride ?? raw.fps;
  if (typeof fps !== "number" || !Number.isFinite(fps) || fps <= 0) add("fps", "a finite number > 0 (control frequency in Hz)", fps);
  if (!Array.isArray(raw.state)) {
    add("state", "an array of rows [N][D]", raw.state);
    return issues;
  }
  const rows = raw.state as unknown[];
  const dim = Array.isArray(rows[0]) ? (rows[0] as unknown[]).length : -1;
  for (let k = 0; k < rows.length && issues.length < 20; k++) {
    const r = rows[k];
    if (!Array.isArray(r) || r.length !== dim) {
      add("state", `a row of ${dim} finite numbers`, r, k);
      continue;
    }
    for (let i = 0; i < r.length; i++) if (typeof r[i] !== "number" || !Number.isFinite(r[i])) {
      add(`state[${i}]`, "a finite number", r[i], k);
      break;
    }
  }
  if (raw.timestamp !== undefined) {
    const ts = raw.timestamp;
    if (!Array.isArray(ts) || ts.length !== rows.length) add("timestamp", `an array of ${rows.length} times`, ts);
    else
      for (let k = 0; k < ts.length; k++) {
        if (typeof ts[k] !== "number" || !Number.isFinite(ts[k]) || (k > 0 && !(ts[k] > ts[k - 1]))) {
          add("timestamp", k > 0 ? `a finite time after frame ${k - 1} (${ts[k - 1]})` : "a finite time", ts[k], k);
          break;
        }
      }
  }
  return issues;
}

/** Summarise the spacing of time stamps against the nominal period 1/f. */
export function timingInfo(fps: number, timestamps?: readonly number[]): TimingInfo {
  const nominalDtS = 1 / fps;
  if (!timestamps || timestamps.length < 2) return { nominalDtS, meanDtS: null, minDtS: null, maxDtS: null, jitter: false };
  let min = Infinity;
  let max = -Infinity;
  for (let k = 1; k < timestamps.length; k++) {
    const d = timestamps[k] - timestamps[k - 1];
    min = Math.min(min, d);
    max = Math.max(max, d);
  }
  const mean = (timestamps[timestamps.length - 1] - timestamps[0]) / (timestamps.length - 1);
  const jitter = Math.abs(min - nominalDtS) > 0.01 * nominalDtS || Math.abs(max - nominalDtS) > 0.01 * nominalDtS;
  return { nominalDtS, meanDtS: mean, minDtS: min, maxDtS: max, jitter };
}

/**
 * Convert a simple log into an {@link Episode} (joint positions per arm; wrist poses when `end_effector`
 * is given; no velocities, contacts, gripper/holding flags or stages). Throws a VlaError on a bad log.
 */
export function simpleLogToEpisode(log: SimpleLog, opts: SimpleLogOptions = {}, index = 0): { episode: Episode; armDims: Record<string, number[]> } {
  const issues = validateSimpleLog(log, index, opts.fps);
  if (issues.length) fail("simpleLogToEpisode", "log", `must be a valid joint log; ${issues.map(formatIssue).join("\n")}`);
  const fps = opts.fps ?? log.fps;
  const dim = log.state.length > 0 ? log.state[0].length : (log.state_names?.length ?? 0);
  const armDims = opts.arms ?? defaultArmDims(log.state_names, dim);
  const armNames = Object.keys(armDims);
  for (const a of armNames) {
    const dims = armDims[a];
    if (!Array.isArray(dims) || dims.length === 0 || dims.some((i) => !Number.isInteger(i) || i < 0 || i >= dim)) {
      fail("simpleLogToEpisode", `opts.arms.${a}`, `must be a non-empty list of state dims in [0, ${dim - 1}]; got ${JSON.stringify(dims)}`);
    }
  }
  const vel = opts.velocities;
  if (vel) {
    for (const a of armNames) {
      const dims = vel[a];
      if (!Array.isArray(dims) || dims.length !== armDims[a].length || dims.some((i) => !Number.isInteger(i) || i < 0 || i >= dim)) {
        fail("simpleLogToEpisode", `opts.velocities.${a}`, `must list ${armDims[a].length} state dims in [0, ${dim - 1}] (one per joint of arm "${a}"); got ${JSON.stringify(dims)}`);
      }
    }
  }
  const scale = opts.jointScale ?? 1;
  const steps: Step[] = log.state.map((row, k) => {
    const arms: Step["arms"] = {};
    for (const a of armNames) {
      const arm: Step["arms"][string] = { jointPositions: armDims[a].map((i) => row[i] * scale) };
      if (vel) arm.jointVelocities = vel[a].map((i) => row[i] * scale);
      const ee = log.end_effector?.[a];
      if (ee?.position) arm.wristPosition = ee.position[k];
      if (ee?.quat_wxyz) arm.wristQuatWxyz = ee.quat_wxyz[k];
      arms[a] = arm;
    }
    return { arms };
  });
  const episode: Episode = {
    id: opts.id ?? (log.episode_index !== undefined ? `episode_${log.episode_index}` : `#${index}`),
    controlFrequencyHz: fps,
    arms: armNames,
    config: { ...DEFAULT_METRIC_CONFIG },
    slipObjects: [],
    steps,
    stageCount: 0,
    stageMarks: [],
  };
  if (opts.task !== undefined) episode.task = opts.task;
  if (log.success !== undefined) episode.success = log.success;
  if (log.timestamp) episode.timestamps = { steps: log.timestamp };
  return { episode, armDims };
}

/**
 * Every metric a joint-space log allows (TL, N/f, joint path length, joint jerk per arm and overall;
 * Cartesian/orientation metrics and BGVD when end-effector poses are given; completion time from time
 * stamps), and `unavailable` with the reason for the others. Joint metrics are in the log's units
 * (times `jointScale`). Jerk uses the nominal dt = 1/f like the reference; `timing: "timestamps"` uses the
 * logged time stamps instead (divided differences), useful for jittery logs.
 */
export function computeSimpleLogMetrics(log: SimpleLog, opts: SimpleLogOptions = {}, index = 0): SimpleLogMetrics {
  const { episode, armDims } = simpleLogToEpisode(log, opts, index);
  const r = computeEpisodeMetrics(episode, opts);
  return { ...r, armDims, timing: timingInfo(episode.controlFrequencyHz, log.timestamp) };
}

const range = (from: number, n: number) => Array.from({ length: n }, (_, i) => from + i);

/**
 * State layout of RoboEval's bimanual Panda proprioception (`obs_proprioception`, 36 values = qpos ⊕ qvel of
 * left arm 7, left fingers 2, right arm 7, right fingers 2), as in its LeRobot export (spec §8; layout inferred
 * from the demo format). Pass as `{ arms, velocities }` options of {@link computeSimpleLogMetrics}.
 */
export const ROBOEVAL_BIMANUAL_PANDA_LAYOUT: Readonly<{ arms: Record<string, number[]>; velocities: Record<string, number[]> }> = Object.freeze({
  arms: { left: range(0, 7), right: range(9, 7) },
  velocities: { left: range(18, 7), right: range(27, 7) },
});
