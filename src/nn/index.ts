/**
 * `vla-primitives/nn`: tfjs building blocks (float32, batch folded into rows so every matMul is rank-2 — the wasm
 * XNNPACK fast path) and the MolmoAct2 flow-matching action expert (DiT with AdaRMS). See docs/nn.md.
 */
export { useBackend, type BackendName } from "./backend.js";
export { linear, initLinear, type InitLinearOptions } from "./linear.js";
export { rmsNorm, layerNorm } from "./norm.js";
export { silu, gelu, swiglu } from "./activations.js";
export { ropeTables, applyRope, rotateHalfMatrix } from "./rope.js";
export { attention, attentionPrepared, prepareKV, MASK_VALUE, type AttentionOptions, type PreparedKV } from "./attention.js";
export { sinusoidalTimeEmbedding, sinusoidalTimeEmbeddingArray, posembSinCos, posembSinCosArray } from "./time-embedding.js";
export { registerTrainingGradients } from "./gradients.js";
export { getParam, disposeParams, countParams, type ParamMap } from "./params.js";
export { ditBlock, modulate, type BlockModulation, type DitBlockWeights, type DitBlockInputs } from "./dit-block.js";
export { ActionExpert, ExpertContext, type PrepareContextOptions, type VelocityOptions } from "./action-expert.js";
export {
  actionExpertParamShapes,
  initActionExpertParams,
  resolveExpertConfig,
  type ActionExpertConfig,
  type ResolvedActionExpertConfig,
} from "./expert-config.js";
