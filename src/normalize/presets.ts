import { checkOneOf } from "../core/index.js";

/** Per-embodiment constants of MolmoAct2 (spec molmoact2.md §1.4, `build_molmoact2_pre_post_train`). */
export interface EmbodimentPreset {
  tag: string;
  /** `setup_type` prompt string. */
  setupType: string;
  /** `control_mode` prompt string. */
  controlMode: string;
  /** Chunk length = one second at the dataset rate (also n_action_steps). */
  actionHorizon: number;
  /** false: dims named "gripper" pass through normalization unchanged. */
  normalizeGripper: boolean;
  /** Camera keys in prompt order (empty when none are listed). */
  cameraKeys: string[];
  /** Dataset action key when it is not `action`. */
  actionKey?: string;
}

const P = (tag: string, setupType: string, controlMode: string, actionHorizon: number, normalizeGripper: boolean, cameraKeys: string[], actionKey?: string): EmbodimentPreset => ({
  tag,
  setupType,
  controlMode,
  actionHorizon,
  normalizeGripper,
  cameraKeys,
  ...(actionKey ? { actionKey } : {}),
});

/** The MolmoAct2 tags and their constants. */
export const EMBODIMENT_PRESETS = {
  yam_dual_molmoact2: P("yam_dual_molmoact2", "bimanual yam robotic arms in molmoact2", "absolute joint pose", 30, false, ["top", "left", "right"]),
  so100_so101_molmoact2: P("so100_so101_molmoact2", "single so100/so101 robotic arm in molmoact2", "absolute joint pose", 30, true, []),
  franka_molmoact: P("franka_molmoact", "single franka robotic arm in molmoact2", "delta end-effector pose", 10, false, ["primary", "secondary"], "action.del_ee_action"),
  franka_droid: P("franka_droid", "single franka robotic arm in droid", "absolute joint pose", 15, false, ["exterior_1_left", "exterior_2_left", "wrist_left"]),
  google_robot_bc_z: P("google_robot_bc_z", "google robot in bc_z", "delta end-effector pose", 10, false, ["image"]),
  google_robot_fractal: P("google_robot_fractal", "google robot in rt_1", "delta end-effector pose", 3, false, ["image"]),
  widowx_bridge: P("widowx_bridge", "single widowx robotic arm in bridge", "delta end-effector pose", 5, false, ["image_0", "image_1", "image_2", "image_3"]),
  libero: P("libero", "single franka robotic arm in libero", "delta end-effector pose", 10, false, ["image", "wrist_image"]),
} as const satisfies Record<string, EmbodimentPreset>;

export type EmbodimentTag = keyof typeof EMBODIMENT_PRESETS;

/** Defaults for tags not in the table (MolmoAct2 `DEFAULT_TAG_ACTION_HORIZON` / `_N_ACTION_STEPS`). */
export const DEFAULT_ACTION_HORIZON = 50;
export const DEFAULT_N_ACTION_STEPS = 25;

/** Look up a preset by tag; throws a VlaError listing the known tags. */
export function embodimentPreset(tag: string): EmbodimentPreset {
  const t = checkOneOf("embodimentPreset", "tag", tag, Object.keys(EMBODIMENT_PRESETS) as EmbodimentTag[]);
  return EMBODIMENT_PRESETS[t];
}
