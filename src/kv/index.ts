/**
 * `vla-primitives/kv`: the per-layer KV adapter that turns a VLM's per-layer K/V cache into the action expert's
 * cross-attention context (shared P_K/P_V, weightless RMSNorm, per-head k_norm), the learned depth gate, and the
 * context masks (EOS and discrete action spans hidden). See docs/kv.md.
 */
export { KvAdapter, kvAdapterParamShapes, DEPTH_GATE_INIT_BIAS, type LayerKV, type KvMode, type KvAdapterConfig, type ProjectedContext, type ProjectOptions } from "./adapter.js";
export { contextKeyMask, depthTokenMask, keyMaskBias, type ContextMaskOptions } from "./masks.js";
export { depthGateRowScales, pooledValue, type DepthGateLinear, type DepthGateMode } from "./depth-gate.js";
