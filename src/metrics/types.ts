/**
 * In-memory types of the metrics module (camelCase). Logs on disk may use the RoboEval fixture's
 * snake_case form; {@link validateEpisode} converts either form into an {@link Episode}.
 */

/** One arm's state after one control step (RoboEval `ArmStepData`). Every array is float64 numbers. */
export interface ArmStep {
  /** Arm joint positions q_k, length = the arm's DOF (7 for a Panda), rad (or the log's joint units). */
  jointPositions: number[];
  /** Simulator joint velocities v_k (same length as `jointPositions`), rad/s. Needed only for BAVD. */
  jointVelocities?: number[];
  /** Wrist (flange `attachment_site`) world position p_k, [x, y, z] in m. */
  wristPosition?: number[];
  /** Wrist orientation as a unit quaternion [w, x, y, z]; the sign is irrelevant. */
  wristQuatWxyz?: number[];
  /** Normalised gripper opening g_k, 0 = closed .. 1 = open (the reference rounds it to 0.1). */
  gripperOpening?: number;
  /** Per slip object: is the gripper holding it at this step. */
  holding?: Record<string, boolean>;
}

/** A MuJoCo contact `[geom1, geom2, dist]`; `dist <= 1e-8` counts as touching. */
export type Contact = [number, number, number];

/** The robot state after one `env.step()`. */
export interface Step {
  /** Per arm name (e.g. `"left"`, `"right"`). */
  arms: Record<string, ArmStep>;
  /** The contact list at this step; absent = no contact data was logged (collision metrics unavailable). */
  contacts?: Contact[];
}

/** RoboEval `MetricConfig` / `_metric_init` flags (defaults: everything on, window 20). */
export interface MetricConfig {
  trackVelSync: boolean;
  trackVerticalSync: boolean;
  trackSlippage: boolean;
  /** Collisions and slips are evaluated only on steps with `k % slipSampleWindow === 0`. */
  slipSampleWindow: number;
  trackCollisions: boolean;
  trackCartesianJerk: boolean;
  trackJointJerk: boolean;
  trackCartesianPathLength: boolean;
  trackJointPathLength: boolean;
  trackOrientationPathLength: boolean;
}

/** Geom id classes of the scene (RoboEval `CollisionContext`). */
export interface GeomSets {
  /** Every geom of the robot (arms, hands, fingers, base). */
  robot: number[];
  /** Every other geom of the scene. */
  scene: number[];
  /** Colliders of the manipulated (slip) objects: contacts with them never count. */
  ignore: number[];
}

/** Gripper state of one arm sampled at reset (initial state of slip detection). */
export interface ArmInit {
  gripperOpening: number;
  holding: Record<string, boolean>;
}

/**
 * One logged episode: the state after each control step k = 0..N-1 (k = 0 is the state after the
 * first `env.step()`, the reset state is not a sample).
 */
export interface Episode {
  /** Free identifier used in reports and error messages. */
  id?: string;
  /** Episodes with the same `envInstance` ran back-to-back on one environment object (jerk carry-over quirk). */
  envInstance?: string;
  /** Task / variant name for per-task aggregation. */
  task?: string;
  /** Control frequency f in Hz; the reference uses dt = 1 / f. */
  controlFrequencyHz: number;
  /** Arm names in robot order (LEFT, RIGHT). Two or more arms = bimanual output dicts. */
  arms: string[];
  config: MetricConfig;
  /** Slip objects; output keys become `object_1..object_n` in this order. */
  slipObjects: string[];
  /** Geom classes; absent = collision metrics unavailable. */
  geoms?: GeomSets;
  /** Reset-time gripper states per arm; absent = slips start from "not holding, opening 0". */
  init?: Record<string, ArmInit>;
  steps: Step[];
  /** Number of task stages K (0 = task defines no stages: progress keys absent). */
  stageCount: number;
  /** `[step, stage]` pairs: stage flag `stage` (1-based) becomes true at control step `step` (sticky). */
  stageMarks: [number, number][];
  /** Task success at the last evaluated step; absent = unknown (success unavailable). */
  success?: boolean;
  /** Wall-clock seconds: reset time and the end of each step (for completion_time and timestamp jerk). */
  timestamps?: { reset?: number; steps: number[] };
  /** Task pass-through values (`target_distance`, `object_pose_error`), copied into the metric dict. */
  taskMetrics?: Record<string, number | Record<string, number>>;
}

/** A metric value as in the reference dict: a number, or per-arm / per-object / per-stage records. */
export type MetricValue = number | Record<string, number> | Record<string, boolean>;

/** The reference metric dict (RoboEval key names, snake_case). Missing keys mean "not computed". */
export type MetricDict = Record<string, MetricValue>;

/** A metric the log does not allow, with the reason. */
export interface UnavailableMetric {
  key: string;
  reason: string;
}

/** Values derived from the log that are not in the reference dict. */
export interface DerivedMetrics {
  /** TL: number of control steps N. */
  trajectory_length_steps: number;
  /** N · dt in seconds (not the reference wall-clock completion_time). */
  sim_time_s: number;
  control_frequency_hz: number;
  dt_s: number;
  /** Jerk samples per arm (count of the reference's jerk accumulator). */
  jerk_samples_per_arm: Record<string, number>;
}

/** Result of scoring one episode. */
export interface EpisodeMetrics {
  id: string;
  task?: string;
  metrics: MetricDict;
  derived: DerivedMetrics;
  unavailable: UnavailableMetric[];
}

/** Jerk state carried from one episode to the next on a reused environment (per arm: last acceleration). */
export interface JerkCarry {
  cartesian: Record<string, number[] | undefined>;
  joint: Record<string, number[] | undefined>;
}

/** Options of {@link computeEpisodeMetrics}. */
export interface EpisodeMetricOptions {
  /**
   * Reproduce the reference's reused-environment quirk: the previous episode's last acceleration per
   * arm seeds the first jerk sample (count N-2 instead of N-3). Pass the carry returned by the previous
   * episode of the same environment. Default: undefined (fresh environment, count N-3).
   */
  carry?: JerkCarry;
  /**
   * `"nominal"` (default, reference): every difference is divided by dt = 1/f.
   * `"timestamps"`: non-uniform divided differences on `episode.timestamps.steps` (for jittery logs).
   */
  timing?: "nominal" | "timestamps";
  /** Round gripper openings to 0.1 (half-to-even, as `np.round`) before slip detection. Default true. */
  quantizeGripper?: boolean;
}
