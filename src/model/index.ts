/**
 * `vla-primitives/model` — MolmoAct2 on tfjs (Fig. 4 of the paper): SigLIP2 ViT + 2×2 attention-pooling
 * connector → Qwen3 decoder with a per-layer KV cache → flow-matching DiT expert (continuous) or
 * OpenFAST tokens (discrete); MolmoAct2-Think adds adaptive depth. See docs/model.md.
 */
export {
  MOLMOACT2_4B,
  TINY,
  TINY_TOKEN_IDS,
  expertFfnDim,
  featureBlockIndex,
  imageGrid,
  type MolmoAct2Config,
  type VisionConfig,
  type ConnectorConfig,
  type LlmConfig,
  type ExpertConfig,
} from "./config.js";
export { imageToPatches, type RgbImage } from "./image.js";
export { visionForward, visionParamShapes, VIT } from "./vision.js";
export { connectorForward, connectorParamShapes, POOL, PROJ } from "./connector.js";
export { Qwen3Decoder, llmParamShapes, LM } from "./llm.js";
export { KvCache } from "./kv-cache.js";
export { DecodeSession, type LogitsProcessor } from "./session.js";
export { encodeImages, mergeImageTokens } from "./embed.js";
export { tagFromPreset, stateBins, unnormalizeChunk, type TagConfig } from "./embodiment.js";
export {
  buildRobotPrompt,
  normalizeTaskText,
  imagePrefix,
  expandImageTokens,
  insertBos,
  type PromptStyle,
  type RobotPromptInput,
} from "./prompt.js";
export { byteTextTokenizer, withSpecialTokens, splitSpecial, type TextTokenizer } from "./text-tokenizer.js";
export { qwen3TextTokenizer, QWEN_SPLIT } from "./qwen3-tokenizer.js";
export {
  modelParamShapes,
  initRandomParams,
  loadMolmoAct2Weights,
  exportMolmoAct2Weights,
  mergeSources,
  expertConfigOf,
  checkpointName,
  isLinearWeight,
  EXPERT_PREFIX,
  type TensorSource,
} from "./weights.js";
export { runDepthPhase, type DepthPhaseResult } from "./think.js";
export { MolmoAct2, MolmoAct2Think } from "./molmoact2.js";
export { runContinuous } from "./continuous.js";
export { runDiscrete, extractActionBins } from "./discrete.js";
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
} from "./types.js";
