/**
 * `vla-primitives/kv`: the per-layer KV adapter that turns a VLM's per-layer K/V cache into the action expert's
 * cross-attention context (shared P_K/P_V, weightless RMSNorm, per-head k_norm, the learned depth gate on depth-token
 * rows) and the context mask (EOS and discrete action spans hidden). Built from `nn`'s blocks. See docs/kv.md.
 */
export { KvAdapter, kvAdapterParamShapes, DEPTH_GATE_INIT_BIAS, type LayerKV, type KvMode, type KvAdapterConfig, type ProjectedContext, type ProjectOptions } from "./adapter.js";
export { contextKeyMask, type ContextMaskOptions } from "./masks.js";
export type { DepthGateMode } from "./depth-gate.js";
