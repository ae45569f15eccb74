/**
 * `vla-primitives/internal` — the building blocks behind the module faces, for advanced use: a custom action
 * tokenizer (DCT, quantizer, byte-level BPE), another change detector (resampling, cell geometry), new trajectory
 * metrics (path, jerk, contact and slip kernels), lower-level file access (single safetensors files, byte
 * sources, parquet tables, LeRobot metadata). No tfjs, no side effects. Unlike the faces these names carry no
 * stability promise: they may change in any minor version. Listed in docs/architecture-faces.md.
 * @module
 */

// tokenizer: the pieces OpenFastTokenizer composes
export { dctOrtho, idctOrtho, dctMatrix, DCT_MATRIX_MAX, type DctMethod } from "./tokenizer/dct.js";
export { quantizeCoefficients } from "./tokenizer/quantize.js";
export { BpeModel, MAX_WORD_BYTES } from "./tokenizer/bpe.js";
export { trainBpe, type TrainBpeOptions, type TrainBpeResult, type TrainProgress } from "./tokenizer/bpe-train.js";
export { BYTE_TO_CHAR, CHAR_TO_BYTE, pretokenizeString } from "./tokenizer/byte-level.js";
export { onigToJsRegExp } from "./tokenizer/onig-regex.js";

// normalize, state
export { zeroRangeDims } from "./normalize/normalize.js";
export { MAX_ACTION_DIM } from "./normalize/pad.js";
export { NUM_STATE_BINS, molmoAct2StateBin, pi05StateBin } from "./state/discretize.js";

// depth: resampling, cell geometry, plan pieces
export { bilinearCoeffs, type ResampleCoeffs } from "./depth/resize.js";
export { toRgb8 } from "./depth/image.js";
export { resolveGrid, cellMask, DEPTH_GRID, DEPTH_CELL_SIZE, DEPTH_THRESHOLD } from "./depth/cells.js";
export { simdAvailable } from "./depth/simd.js";
export { maskRuns, depthSpanTokenIds } from "./depth/plan.js";

// metrics: per-quantity kernels and the simple-log conversion
export { pathLength, orientationPathLength } from "./metrics/kinematics.js";
export { accumulateJerk, type JerkSums } from "./metrics/jerk.js";
export { countCollisions, type CollisionCounts } from "./metrics/contacts.js";
export { countSlips, type SlipCounts } from "./metrics/slips.js";
export { stageProgress, type StageResult } from "./metrics/stages.js";
export { simpleLogToEpisode, defaultArmDims } from "./metrics/simple-log.js";
export { METRIC_DIRECTIONS } from "./metrics/radar.js";

// io: single files, byte sources, tables and metadata under the dataset and checkpoint readers
export { openSafetensors, type SafetensorsHandle } from "./io/safetensors-stream.js";
export { parseSafetensorsIndex, type SafetensorsIndex } from "./io/safetensors-index.js";
export { f16ToF32, f32ToF16, f32ToBf16 } from "./io/safetensors.js";
export { blobSource, nodeFileSource } from "./io/byte-source.js";
export { urlSource } from "./io/url-source.js";
export { nodeSource } from "./io/lerobot-source.js";
export { readParquetTable, parquetColumnNames, type ParquetTable } from "./io/lerobot-parquet.js";
export { parseInfo, detectKeys } from "./io/lerobot-meta.js";
export { combineEpisodeStats } from "./io/lerobot-stats-json.js";
export { decodeRuns, defaultVideoDecoder, type DecodeRun } from "./io/video-decoder.js";
