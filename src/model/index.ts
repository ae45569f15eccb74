/**
 * `vla-primitives/model` — MolmoAct2 on tfjs as the reference computes it: processor (state bins, prompt,
 * crops, image tokens) → SigLIP2 ViT → 2×2 attention-pooling connector → Qwen3 decoder (bidirectional image
 * block in the prefill) with a per-layer KV cache → the flow-matching DiT expert (continuous) or OpenFAST
 * tokens (discrete); MolmoAct2-Think adds adaptive depth. `MolmoAct2.fromPretrained` opens a Hugging Face
 * snapshot. See docs/model.md.
 */
export { MolmoAct2, MolmoAct2Think } from "./molmoact2.js";
export { fromPretrained, type FromPretrainedOptions, type PretrainedSource, type PretrainedProgress } from "./pretrained.js";
export {
  TINY,
  TINY_TOKEN_IDS,
  vitFeatureBlock,
  vitBlocksNeeded,
  expertFfnDim,
  type MolmoAct2Config,
  type VitConfig,
  type AdapterConfig,
  type TextConfig,
  type ExpertConfig,
  type ActionMode,
  type DepthGate,
} from "./config.js";
export { configFromJson, checkConfig, type SpecialTokenLookup } from "./config-json.js";
export { memoryPlan, releaseShapedConfig, WASM_MEMORY_BYTES, type MemoryPlan } from "./memory.js";
export { modelParamShapes, parameterCounts, type Component } from "./param-shapes.js";
export { initRandomParams, loadParams, exportParams, checkpointTensors, checkCheckpoint, assertCheckpoint, memoryTensorReader, type TensorReader, type CheckpointProblems, type LoadProgress } from "./weights.js";
export { tagFromPreset, tagsFromNormStats, stateBins, normalizeStateF32, stateBinsF32, unnormalizeChunk, type TagConfig } from "./embodiment.js";
export {
  parseImageProcessorConfig,
  preprocessImage,
  resizeBilinearTorchvision,
  canonicalizePixels,
  imageTokenIds,
  type ImageProcessorConfig,
  type PreprocessedImage,
} from "./image-processor.js";
export { buildRobotPrompt, normalizeTaskText, imagePrefix, expandImageTokens, insertBos, imageTokenTypes, type PromptStyle, type RobotPromptInput } from "./prompt.js";
export type { ProcessedInputs } from "./inputs.js";
export type { RgbImage } from "../depth/index.js";
export { byteTextTokenizer, type TextTokenizer } from "./text-tokenizer.js";
export { Qwen3Decoder, prefillMask } from "./llm.js";
export { KvCache } from "./kv-cache.js";
export { DecodeSession, type LogitsProcessor } from "./session.js";
export { extractActionBins } from "./discrete.js";
export type {
  MolmoAct2Init,
  Observation,
  PredictOptions,
  ActionPrediction,
  ActionSuccess,
  ActionFailure,
  ActionTokenizer,
  StageTimings,
  PredictTrace,
  CapturedStages,
} from "./types.js";
