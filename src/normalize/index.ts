/**
 * `vla-primitives/normalize` — per-dimension statistics (numpy-linear quantiles), normalization to [−1, 1] and
 * back with gripper masks, padding to 32 dims, the three stats-file layouts policies read, and the MolmoAct2
 * embodiment presets.
 */
export { computeStats, checkStats, type NormStats } from "./stats.js";
export { percentileStats, type PercentileStats, type StatsEpisode } from "./percentile-stats.js";
export { normalize, unnormalize, type NormMode, type NormalizeOptions, type NormInput, type MaskInput } from "./normalize.js";
export { padDims, unpadDims } from "./pad.js";
export { statsFromLeRobot, statsFromOpenpi, statsFromMolmoAct2, allStatsFromMolmoAct2, gripperMask, type MolmoAct2TagStats } from "./stats-files.js";
export { lerobotStatsJson, openpiNormStatsJson, molmoAct2NormStatsJson, type WritableStats, type MolmoAct2TagInput } from "./stats-writers.js";
export { EMBODIMENT_PRESETS, embodimentPreset, type EmbodimentPreset, type EmbodimentTag } from "./presets.js";
