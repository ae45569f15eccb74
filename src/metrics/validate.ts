import type { ArmInit, Episode, MetricConfig, Step } from "./types.js";
import { Checker, isObj, MAX_ISSUES, OPTIONAL_ARM_FIELDS, pick, readArmStep, readContacts, readGeoms, type EpisodeIssue } from "./validate-parts.js";

export type { EpisodeIssue } from "./validate-parts.js";

/** Validation result: a value, not an exception (bad data is not a programming error). */
export type EpisodeValidation = { ok: true; episode: Episode } | { ok: false; issues: EpisodeIssue[]; reason: string };

/** Default RoboEval metric config: every tracker on, sample window 20 (all shipped tasks). */
export const DEFAULT_METRIC_CONFIG: Readonly<MetricConfig> = Object.freeze({
  trackVelSync: true,
  trackVerticalSync: true,
  trackSlippage: true,
  slipSampleWindow: 20,
  trackCollisions: true,
  trackCartesianJerk: true,
  trackJointJerk: true,
  trackCartesianPathLength: true,
  trackJointPathLength: true,
  trackOrientationPathLength: true,
});

const CONFIG_KEYS: [keyof MetricConfig, string][] = [
  ["trackVelSync", "track_vel_sync"],
  ["trackVerticalSync", "track_vertical_sync"],
  ["trackSlippage", "track_slippage"],
  ["slipSampleWindow", "slip_sample_window"],
  ["trackCollisions", "track_collisions"],
  ["trackCartesianJerk", "track_cartesian_jerk"],
  ["trackJointJerk", "track_joint_jerk"],
  ["trackCartesianPathLength", "track_cartesian_path_length"],
  ["trackJointPathLength", "track_joint_path_length"],
  ["trackOrientationPathLength", "track_orientation_path_length"],
];

/** Format an issue as one line: `episode "ep0", step 5, field arms.left.wrist_position: expected ...; got ...`. */
export function formatIssue(issue: EpisodeIssue): string {
  const where = issue.step === undefined ? "" : `, step ${issue.step}`;
  return `episode ${issue.episode}${where}, field ${issue.field}: expected ${issue.expected}; got ${issue.got}`;
}

/**
 * Check one logged episode and convert it to an {@link Episode}. Accepts the RoboEval fixture's
 * snake_case form (`control_frequency`, `joint_positions`, `stage_marks`, ...) and the camelCase form.
 * Required: control frequency, arms, steps with joint positions per arm. Optional fields (velocities,
 * wrist poses, gripper, holding, contacts) must be present at every step or at none.
 * Returns every problem found (up to 20), each naming the episode, step, field, expected and got.
 */
export function validateEpisode(raw: unknown, index = 0): EpisodeValidation {
  const rawId = isObj(raw) && typeof raw.id === "string" ? raw.id : undefined;
  const c = new Checker(rawId !== undefined ? `${JSON.stringify(rawId)} (#${index})` : `#${index}`);
  if (!isObj(raw)) {
    c.add("(episode)", "an object", raw);
    return finish(c, undefined);
  }
  const f = c.num(pick(raw, "controlFrequencyHz", "control_frequency") ?? raw.control_frequency_hz ?? raw.fps, "control_frequency", undefined, 0, true);
  const armsRaw = raw.arms;
  let arms: string[] = [];
  if (!Array.isArray(armsRaw) || armsRaw.length === 0 || !armsRaw.every((a) => typeof a === "string") || new Set(armsRaw).size !== armsRaw.length) {
    c.add("arms", "a non-empty array of distinct arm names", armsRaw);
  } else arms = armsRaw as string[];

  const config: MetricConfig = { ...DEFAULT_METRIC_CONFIG };
  if (raw.config !== undefined) {
    if (!isObj(raw.config)) c.add("config", "an object of metric flags", raw.config);
    else {
      for (const [camel, snake] of CONFIG_KEYS) {
        const v = pick(raw.config, camel, snake);
        if (v === undefined) continue;
        if (camel === "slipSampleWindow") {
          const w = c.int(v, `config.${snake}`, undefined, 1);
          if (w !== undefined) config.slipSampleWindow = w;
        } else {
          const b = c.bool(v, `config.${snake}`);
          if (b !== undefined) (config as unknown as Record<string, boolean>)[camel] = b;
        }
      }
    }
  }
  const slipRaw = pick(raw, "slipObjects", "slip_objects") ?? [];
  let slipObjects: string[] = [];
  if (!Array.isArray(slipRaw) || !slipRaw.every((s) => typeof s === "string")) c.add("slip_objects", "an array of object names", slipRaw);
  else slipObjects = slipRaw as string[];

  const episode: Episode = {
    controlFrequencyHz: f ?? 1,
    arms,
    config,
    slipObjects,
    steps: [],
    stageCount: 0,
    stageMarks: [],
  };
  if (rawId !== undefined) episode.id = rawId;
  const envI = pick(raw, "envInstance", "env_instance");
  if (typeof envI === "string") episode.envInstance = envI;
  if (typeof raw.task === "string") episode.task = raw.task;
  if (raw.geoms !== undefined) episode.geoms = readGeoms(c, raw.geoms);

  if (raw.init !== undefined) {
    if (!isObj(raw.init)) c.add("init", "an object {arm: {gripper_opening, holding}}", raw.init);
    else {
      const init: Record<string, ArmInit> = {};
      for (const arm of arms) {
        const a = raw.init[arm];
        if (!isObj(a)) {
          c.add(`init.${arm}`, "an object {gripper_opening, holding}", a);
          continue;
        }
        const g = c.num(pick(a, "gripperOpening", "gripper_opening"), `init.${arm}.gripper_opening`);
        const h = c.holding(a.holding ?? {}, `init.${arm}.holding`);
        init[arm] = { gripperOpening: g ?? 0, holding: h ?? {} };
      }
      episode.init = init;
    }
  }

  const stepsRaw = raw.steps;
  if (!Array.isArray(stepsRaw)) c.add("steps", "an array of steps", stepsRaw);
  else {
    const dof: Record<string, number> = {};
    const present: Record<string, boolean> = {};
    let contactsPresent: boolean | undefined;
    for (let k = 0; k < stepsRaw.length && c.issues.length < MAX_ISSUES; k++) {
      const s: unknown = stepsRaw[k];
      if (!isObj(s) || !isObj(s.arms)) {
        c.add("arms", "a step object {arms: {<arm>: {...}}, contacts}", isObj(s) ? s.arms : s, k);
        continue;
      }
      const step: Step = { arms: {} };
      for (const arm of arms) {
        const a = readArmStep(c, s.arms[arm], `arms.${arm}`, k, dof[arm]);
        if (!a) continue;
        if (dof[arm] === undefined) dof[arm] = a.jointPositions.length;
        for (const [camel, snake] of OPTIONAL_ARM_FIELDS) {
          const key = `${arm}.${camel}`;
          const has = a[camel] !== undefined;
          if (present[key] === undefined) present[key] = has;
          else if (present[key] !== has) {
            c.add(`arms.${arm}.${snake}`, present[key] ? "present (it is logged at step 0)" : "absent (it is missing at step 0)", has ? "@present" : "@missing", k);
          }
        }
        step.arms[arm] = a;
      }
      const hasContacts = s.contacts !== undefined;
      if (contactsPresent === undefined) contactsPresent = hasContacts;
      else if (contactsPresent !== hasContacts) c.add("contacts", contactsPresent ? "present (logged at step 0)" : "absent (missing at step 0)", hasContacts ? "@present" : "@missing", k);
      if (hasContacts) step.contacts = readContacts(c, s.contacts, k);
      episode.steps.push(step);
    }
  }
  const n = episode.steps.length;
  const K = pick(raw, "stageCount", "stage_count");
  if (K !== undefined) episode.stageCount = c.int(K, "stage_count") ?? 0;
  const marks = pick(raw, "stageMarks", "stage_marks");
  if (marks !== undefined) {
    if (!Array.isArray(marks)) c.add("stage_marks", "an array of [step, stage]", marks);
    else
      marks.forEach((m: unknown, i: number) => {
        if (!Array.isArray(m) || m.length !== 2) return c.add(`stage_marks[${i}]`, "[step, stage]", m);
        const st = c.int(m[0], `stage_marks[${i}][0] (step)`, undefined, 0);
        const sg = c.int(m[1], `stage_marks[${i}][1] (stage)`, undefined, 1, Math.max(1, episode.stageCount));
        if (st !== undefined && sg !== undefined) episode.stageMarks.push([st, sg]);
      });
  }
  if (raw.success !== undefined && raw.success !== null) episode.success = c.bool(raw.success, "success");
  if (raw.timestamps !== undefined) {
    const t = raw.timestamps;
    const stepsT = Array.isArray(t) ? t : isObj(t) ? t.steps : undefined;
    const ts = c.vec(stepsT, "timestamps.steps", n);
    if (ts) {
      for (let k = 1; k < ts.length; k++) if (!(ts[k] > ts[k - 1])) {
        c.add(`timestamps.steps[${k}]`, `a time after step ${k - 1} (${ts[k - 1]})`, ts[k]);
        break;
      }
      const reset = isObj(t) && t.reset !== undefined ? c.num(t.reset, "timestamps.reset") : undefined;
      episode.timestamps = reset === undefined ? { steps: ts } : { reset, steps: ts };
    }
  }
  const tm = pick(raw, "taskMetrics", "task_metrics");
  const taskMetrics: Record<string, number | Record<string, number>> = {};
  const readTask = (key: string, v: unknown) => {
    if (typeof v === "number" && Number.isFinite(v)) taskMetrics[key] = v;
    else if (isObj(v) && Object.values(v).every((x) => typeof x === "number" && Number.isFinite(x))) taskMetrics[key] = v as Record<string, number>;
    else c.add(key, "a finite number or an object of finite numbers", v);
  };
  if (isObj(tm)) for (const [k, v] of Object.entries(tm)) readTask(k, v);
  for (const k of ["target_distance", "object_pose_error"]) if (raw[k] !== undefined) readTask(k, raw[k]);
  if (Object.keys(taskMetrics).length > 0) episode.taskMetrics = taskMetrics;
  return finish(c, episode);
}

function finish(c: Checker, episode: Episode | undefined): EpisodeValidation {
  if (c.issues.length > 0 || !episode) {
    const more = c.issues.length >= MAX_ISSUES ? ` (first ${MAX_ISSUES} shown)` : "";
    return { ok: false, issues: c.issues, reason: c.issues.map(formatIssue).join("\n") + more };
  }
  return { ok: true, episode };
}

/**
 * Unwrap a log file's JSON into a list of raw episodes: `{ episodes: [...] }`, an array of episodes,
 * or one episode object.
 */
export function episodeList(json: unknown): unknown[] {
  if (Array.isArray(json)) return json;
  if (isObj(json) && Array.isArray(json.episodes)) return json.episodes;
  return [json];
}
