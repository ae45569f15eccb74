// Formats (plain data in/out). Keep `node:*` imports out of module top level in this folder (use
// `await import("node:fs/promises")` inside functions), so browser bundles of the tokenizer stay fs-free.
export * from "./hf-tokenizer.js";
export * from "./safetensors.js";
export { readPng, decodePng, encodePng, type Rgb8Image } from "./png.js";
export { LeRobotDataset, type LeRobotEpisode, type LeRobotOpenOptions, type StatsOrigin, type Trajectory } from "./lerobot.js";
export { memorySource, fetchSource, nodeSource, toArrayBuffer, type DatasetSource } from "./lerobot-source.js";
export { parseInfo, detectKeys, flattenNames, parseStatsJson, combineEpisodeStats, STATE_KEYS, ACTION_KEYS, type LeRobotInfo, type LeRobotFeature, type LeRobotKeys, type FeatureStats } from "./lerobot-meta.js";
export { readParquetTable, parquetColumnNames, type ParquetTable } from "./lerobot-parquet.js";
export { percentileStats, type PercentileStats } from "./lerobot-stats.js";
export { episodeChunks, datasetChunks, type ChunkOptions } from "./lerobot-chunks.js";
