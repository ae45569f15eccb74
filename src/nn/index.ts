/**
 * `vla-primitives/nn`: generic tfjs building blocks, float32, batch folded into rows so every matMul is rank-2 (the
 * wasm XNNPACK fast path): backends, linear, norms, activations, RoPE, attention, time embeddings, parameter maps and
 * the training gradients tfjs-core lacks. No model lives here (the MolmoAct2 action expert is in `model`). See
 * docs/nn.md.
 */
export { useBackend, type BackendName } from "./backend.js";
export { linear, initLinear, type InitLinearOptions } from "./linear.js";
export { rmsNorm, layerNorm } from "./norm.js";
export { silu, gelu, swiglu } from "./activations.js";
export { rmsNormModulate, residualGate } from "./fused.js";
export { ropeTables, applyRope, ropeRowTables, applyRopeRows, type RopeRowTables } from "./rope.js";
export { attention, attentionPrepared, prepareKV, MASK_VALUE, type AttentionOptions, type KvHeads, type PreparedKV } from "./attention.js";
export { sinusoidalTimeEmbedding, posembSinCos } from "./time-embedding.js";
export { registerTrainingGradients } from "./gradients.js";
export { getParam, disposeParams, countParams, type ParamMap } from "./params.js";
