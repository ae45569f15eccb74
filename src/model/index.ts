/**
 * `vla-primitives/model` — MolmoAct2 on tfjs as the reference computes it: processor (state bins, prompt,
 * crops, image tokens) → SigLIP2 ViT → 2×2 attention-pooling connector → Qwen3 decoder (bidirectional image
 * block in the prefill) with a per-layer KV cache → the flow-matching DiT action expert (continuous) or OpenFAST
 * tokens (discrete); MolmoAct2-Think adds adaptive depth. `MolmoAct2.fromPretrained` opens a Hugging Face
 * snapshot. The face holds what a policy is composed from; docs/model.md says why each export is public.
 */
export { MolmoAct2, MolmoAct2Think } from "./molmoact2.js";
export type { FromPretrainedOptions, PretrainedSource, PretrainedProgress } from "./pretrained.js";
export { TINY, type MolmoAct2Config, type VitConfig, type AdapterConfig, type TextConfig, type ExpertConfig, type ActionMode, type DepthGate } from "./config.js";
export { configFromJson, type SpecialTokenLookup } from "./config-json.js";
export { memoryPlan, releaseShapedConfig, type MemoryPlan } from "./memory.js";
export { parameterCounts, type Component } from "./param-shapes.js";
export { initRandomParams, loadParams, exportParams, checkCheckpoint, memoryTensorReader, type TensorReader, type CheckpointProblems, type LoadProgress } from "./weights.js";
export { tagFromPreset, tagsFromNormStats, type TagConfig } from "./embodiment.js";
export { parseImageProcessorConfig, type ImageProcessorConfig, type PreprocessedImage } from "./image-processor.js";
export type { ProcessedInputs } from "./inputs.js";
export type { RgbImage } from "../depth/index.js";
export type { TextTokenizer } from "./text-tokenizer.js";
export { Qwen3Decoder } from "./llm.js";
export { KvCache } from "./kv-cache.js";
export { DecodeSession, type LogitsProcessor } from "./session.js";
export { extractActionBins } from "./discrete.js";
export { ActionExpert, type PrepareContextOptions, type VelocityOptions } from "./action-expert.js";
export type { ExpertContext } from "./expert-context.js";
export type { ExpertModelConfig } from "./expert-params.js";
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
