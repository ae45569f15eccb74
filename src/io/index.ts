// Formats (plain data in/out). Keep `node:*` imports out of module top level in this folder (use
// `await import("node:fs/promises")` inside functions), so browser bundles of the tokenizer stay fs-free.
export * from "./hf-tokenizer.js";
export { parseHfTokenizerSpec, type HfTokenizerSpec, type HfAddedToken, type HfNormalizer, type HfUnicodeForm, type HfPreTokenizer, type HfSplitBehavior, type HfBpeSpec } from "./hf-tokenizer-json.js";
export { parseTokenizerConfig, type HfTokenizerConfig } from "./hf-tokenizer-config.js";
export * from "./safetensors.js";
export { SAFETENSORS_DTYPE_BYTES, FLOAT_DTYPES, MAX_HEADER_BYTES, parseSafetensorsHeader } from "./safetensors-header.js";
export { openSafetensors, SafetensorsHandle } from "./safetensors-stream.js";
export { parseSafetensorsIndex, type SafetensorsIndex } from "./safetensors-index.js";
export { openCheckpoint, CheckpointReader, type CheckpointProgress, type OpenCheckpointOptions } from "./safetensors-checkpoint.js";
export { compareCheckpoint, formatCheckpointReport, type CheckpointEntry, type CheckpointReport, type CheckOptions } from "./safetensors-check.js";
export { bytesSource, blobSource, nodeFileSource, type ByteSource } from "./byte-source.js";
export { urlSource, type UrlSourceOptions } from "./url-source.js";
export { nodeFolder, fileMap, urlFolder, snapshotPath, type FileProvider, type FileMapValue } from "./file-provider.js";
export { readPng, decodePng, encodePng, type Rgb8Image } from "./png.js";
export { LeRobotDataset, type LeRobotEpisode, type LeRobotOpenOptions, type StatsOrigin, type Trajectory } from "./lerobot.js";
export { memorySource, fetchSource, nodeSource, toArrayBuffer, type DatasetSource } from "./lerobot-source.js";
export { parseInfo, detectKeys, flattenNames, parseStatsJson, combineEpisodeStats, STATE_KEYS, ACTION_KEYS, type LeRobotInfo, type LeRobotFeature, type LeRobotKeys, type FeatureStats } from "./lerobot-meta.js";
export { readParquetTable, parquetColumnNames, type ParquetTable } from "./lerobot-parquet.js";
export { percentileStats, type PercentileStats } from "./lerobot-stats.js";
export { episodeChunks, datasetChunks, type ChunkOptions } from "./lerobot-chunks.js";
export { LeRobotVideos, formatPathTemplate, type FrameOptions, type EpisodeFrame, type VideoLocation, type VideoInfo, type VideoFailure } from "./lerobot-video.js";
export { readMp4Track, type Mp4VideoTrack, type Mp4Sample, type Mp4Failure } from "./video-mp4.js";
export { defaultVideoDecoder, decodeRuns, type VideoFrameDecoder, type VideoDecodeJob, type DecodedFrame, type DecoderFailure, type DecodeRun } from "./video-decoder.js";
export { ffmpegDecoder, type FfmpegDecoderOptions } from "./video-ffmpeg.js";
export { webCodecsDecoder } from "./video-webcodecs.js";
export { depthMasks, DepthMaskSummary, type DepthMaskOptions, type DepthMaskFrame, type DepthMaskSummaryResult, type DepthCodeSource } from "./depth-masks.js";
export { depthMaskHistogramSvg } from "./depth-masks-svg.js";
