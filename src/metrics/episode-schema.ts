/**
 * JSON Schema (draft 2020-12) of one RoboEval episode log in the snake_case form of
 * `shared/fixtures/roboeval/trajectories.json`. The camelCase spelling of every key is accepted too by
 * {@link validateEpisode}, which also checks what a schema cannot (equal lengths per arm, fields present at
 * every step or none, increasing time stamps) and names episode, step and field on failure.
 */

const finite = { type: "number" } as const;
const vec = (n?: number) => (n === undefined ? { type: "array", items: finite } : { type: "array", items: finite, minItems: n, maxItems: n });

export const EPISODE_JSON_SCHEMA = {
  $schema: "https://json-schema.org/draft/2020-12/schema",
  $id: "https://github.com/vla-primitives/schemas/roboeval-episode.json",
  title: "RoboEval episode log",
  description: "State after each control step k = 0..N-1 (k = 0 = after the first env.step(); the reset state is not a sample).",
  type: "object",
  required: ["control_frequency", "arms", "steps"],
  properties: {
    id: { type: "string" },
    env_instance: { type: "string", description: "Episodes with equal env_instance ran back-to-back on one environment (jerk carry-over quirk)." },
    task: { type: "string" },
    control_frequency: { type: "number", exclusiveMinimum: 0, description: "Hz; dt = 1/f." },
    arms: { type: "array", items: { type: "string" }, minItems: 1, uniqueItems: true, description: "Arm names in robot order, e.g. [\"left\", \"right\"]." },
    config: {
      type: "object",
      description: "RoboEval _metric_init flags; all default to true, slip_sample_window to 20.",
      properties: {
        track_vel_sync: { type: "boolean" },
        track_vertical_sync: { type: "boolean" },
        track_slippage: { type: "boolean" },
        slip_sample_window: { type: "integer", minimum: 1 },
        track_collisions: { type: "boolean" },
        track_cartesian_jerk: { type: "boolean" },
        track_joint_jerk: { type: "boolean" },
        track_cartesian_path_length: { type: "boolean" },
        track_joint_path_length: { type: "boolean" },
        track_orientation_path_length: { type: "boolean" },
      },
    },
    slip_objects: { type: "array", items: { type: "string" }, description: "Output keys become object_1..object_n." },
    geoms: {
      type: "object",
      properties: {
        robot: { type: "array", items: { type: "integer", minimum: 0 } },
        scene: { type: "array", items: { type: "integer", minimum: 0 } },
        ignore: { type: "array", items: { type: "integer", minimum: 0 }, description: "Colliders of the slip objects." },
      },
    },
    init: {
      type: "object",
      description: "Reset-time gripper state per arm.",
      additionalProperties: {
        type: "object",
        required: ["gripper_opening"],
        properties: { gripper_opening: finite, holding: { type: "object", additionalProperties: { type: "boolean" } } },
      },
    },
    steps: {
      type: "array",
      items: {
        type: "object",
        required: ["arms"],
        properties: {
          arms: {
            type: "object",
            additionalProperties: {
              type: "object",
              required: ["joint_positions"],
              properties: {
                joint_positions: { ...vec(), description: "rad (7 for a Panda)" },
                joint_velocities: { ...vec(), description: "rad/s, simulator qvel" },
                wrist_position: { ...vec(3), description: "m, flange attachment_site" },
                wrist_quat_wxyz: { ...vec(4), description: "unit quaternion (w, x, y, z)" },
                gripper_opening: { ...finite, description: "0 closed .. 1 open, rounded to 0.1" },
                holding: { type: "object", additionalProperties: { type: "boolean" } },
              },
            },
          },
          contacts: {
            type: "array",
            items: { type: "array", prefixItems: [{ type: "integer", minimum: 0 }, { type: "integer", minimum: 0 }, finite], minItems: 3, maxItems: 3 },
            description: "[geom1, geom2, dist]; dist <= 1e-8 touches",
          },
        },
      },
    },
    stage_count: { type: "integer", minimum: 0 },
    stage_marks: { type: "array", items: { type: "array", prefixItems: [{ type: "integer", minimum: 0 }, { type: "integer", minimum: 1 }], minItems: 2, maxItems: 2 } },
    success: { type: "boolean" },
    timestamps: {
      type: "object",
      required: ["steps"],
      properties: { reset: finite, steps: vec() },
      description: "Wall-clock seconds (reset and end of every step) for completion_time.",
    },
    target_distance: { oneOf: [finite, { type: "object", additionalProperties: finite }] },
    object_pose_error: finite,
  },
} as const;
