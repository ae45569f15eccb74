/**
 * `vla-primitives/io` — the file formats (plain data in and out): Hugging Face tokenizer files, safetensors
 * checkpoints, PNG, LeRobot dataset folders and their camera videos, LeRobot `stats.json`, `preprocess.json`,
 * and the dataset-level depth-mask pass. Keep `node:*` imports out of module top level in this folder (use
 * `await import("node:fs/promises")` inside functions), so browser bundles stay fs-free.
 * Lower-level pieces (header parsers, byte sources, parquet tables) are in `vla-primitives/internal`.
 */
// Hugging Face tokenizer files (the one tokenizer.json reader; FAST is its strict profile)
export { parseHfTokenizerJson, parseFastProcessorConfig, serializeFastTokenizerFiles, type HfBpeModel, type FastProcessorConfig, type FastTokenizerFiles } from "./hf-tokenizer.js";
export { parseHfTokenizerSpec, type HfTokenizerSpec, type HfAddedToken, type HfNormalizer, type HfUnicodeForm, type HfPreTokenizer, type HfSplitBehavior, type HfBpeSpec } from "./hf-tokenizer-json.js";
export { parseTokenizerConfig, type HfTokenizerConfig } from "./hf-tokenizer-config.js";
// safetensors: in memory, and sharded checkpoints read lazily from a snapshot
export { readSafetensors, writeSafetensors, type SafetensorsFile, type SafeTensor, type SafeTensorInput, type SafetensorsDtype, type SafetensorsEntry } from "./safetensors.js";
export { openCheckpoint, type CheckpointReader, type CheckpointProgress, type OpenCheckpointOptions } from "./safetensors-checkpoint.js";
export type { CheckpointEntry, CheckpointReport, CheckOptions } from "./safetensors-check.js";
export { nodeFolder, fileMap, urlFolder, type FileProvider, type FileMapValue } from "./file-provider.js";
export { bytesSource, type ByteSource } from "./byte-source.js";
export type { UrlSourceOptions } from "./url-source.js";
export { readPng, decodePng, encodePng, type Rgb8Image } from "./png.js";
// LeRobot datasets
export { LeRobotDataset, type LeRobotEpisode, type LeRobotOpenOptions, type StatsOrigin, type Trajectory } from "./lerobot.js";
export { memorySource, fetchSource, type DatasetSource } from "./lerobot-source.js";
export type { LeRobotInfo, LeRobotFeature, LeRobotKeys } from "./lerobot-meta.js";
export { parseStatsJson, type FeatureStats } from "./lerobot-stats-json.js";
export { episodeChunks, datasetChunks, type ChunkOptions } from "./lerobot-chunks.js";
export type { FrameOptions, EpisodeFrame, VideoLocation, VideoInfo, VideoFailure } from "./lerobot-video.js";
export { readMp4Track, type Mp4VideoTrack, type Mp4Sample, type Mp4Failure } from "./video-mp4.js";
export type { VideoFrameDecoder, VideoDecodeJob, DecodedFrame, DecoderFailure } from "./video-decoder.js";
export { ffmpegDecoder, type FfmpegDecoderOptions } from "./video-ffmpeg.js";
export { webCodecsDecoder } from "./video-webcodecs.js";
export { depthMasks, DepthMaskSummary, type DepthMaskOptions, type DepthMaskFrame, type DepthMaskSummaryResult, type DepthCodeSource } from "./depth-masks.js";
export { depthMaskHistogramSvg } from "./depth-masks-svg.js";
// what fit-tokenizer records next to a fitted tokenizer
export { parsePreprocessJson, serializePreprocessJson, type Preprocess, type PreprocessFile, type FittedOn } from "./preprocess-json.js";
