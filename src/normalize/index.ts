export { computeStats, checkStats, type NormStats } from "./stats.js";
export { normalize, unnormalize, zeroRangeDims, type NormMode, type NormalizeOptions, type NormInput } from "./normalize.js";
export { padDims, unpadDims, MAX_ACTION_DIM } from "./pad.js";
export { statsFromLeRobot, statsFromOpenpi, statsFromMolmoAct2, gripperMask, type MolmoAct2TagStats } from "./stats-files.js";
export { lerobotStatsJson, openpiNormStatsJson, molmoAct2NormStatsJson, type WritableStats, type MolmoAct2TagInput } from "./stats-writers.js";
export {
  EMBODIMENT_PRESETS,
  embodimentPreset,
  DEFAULT_ACTION_HORIZON,
  DEFAULT_N_ACTION_STEPS,
  type EmbodimentPreset,
  type EmbodimentTag,
} from "./presets.js";
