import type { BackendName } from "../nn/index.js";
import { MOLMOACT2_TOKEN_IDS } from "../vocab/index.js";
import { TINY, type MolmoAct2Config } from "./config.js";
import { parameterCounts, type Component } from "./param-shapes.js";

/** Parameters and float32 bytes per component, and what each backend can hold. */
export interface MemoryPlan {
  components: Record<Component, { params: number; float32Bytes: number }>;
  params: number;
  /** All parameters as float32 (what tfjs holds). */
  float32Bytes: number;
  /** The largest single tensor (WebGPU buffers and wasm allocations are per tensor). */
  largestTensorBytes: number;
  /**
   * Bytes each backend needs for the parameters: cpu / webgpu hold the float32 tensors once; wasm also keeps
   * XNNPACK's packed copy of every matMul weight (measured: the heap peaks near 2.6× the float32 parameters
   * before the ff_proj copies were removed), plus the largest tensor while it is being read.
   */
  needs: Record<BackendName, number>;
  /** Hard limits known without probing the device (wasm: 32-bit memory). */
  limits: Partial<Record<BackendName, { bytes: number; reason: string }>>;
}

/** wasm32 linear memory: 4 GiB at most, for parameters, activations and the KV cache together. */
export const WASM_MEMORY_BYTES = 4 * 2 ** 30;

/**
 * The float32 memory a config needs, per component (vision, connector, text model, lm_head, expert), and the
 * limits known up front: the wasm backend's 4 GiB address space. `fromPretrained` checks this before
 * allocating anything. Activations and the KV cache come on top (small for one robot step).
 */
export function memoryPlan(cfg: MolmoAct2Config): MemoryPlan {
  const counts = parameterCounts(cfg);
  const components = Object.fromEntries(Object.entries(counts).map(([k, n]) => [k, { params: n, float32Bytes: 4 * n }])) as MemoryPlan["components"];
  const params = Object.values(counts).reduce((a, b) => a + b, 0);
  const t = cfg.text;
  const largest = 4 * Math.max((t.vocabSize + t.additionalVocabSize) * t.hiddenSize, t.vocabSize * t.hiddenSize);
  return {
    components,
    params,
    float32Bytes: 4 * params,
    largestTensorBytes: largest,
    needs: { cpu: 4 * params + largest, webgpu: 4 * params + largest, wasm: 2 * 4 * params + 2 * largest },
    limits: { wasm: { bytes: WASM_MEMORY_BYTES, reason: "wasm32 linear memory is at most 4 GiB" } },
  };
}

/**
 * A release-shaped config for size tables (random weights only): a SigLIP2 so400m-class ViT (27 blocks,
 * width 1152, 25 built for features `[-3, -9]`), Qwen3-4B (36 layers, width 2560, 32 heads, 8 KV heads,
 * head 128, MLP 9728), a 36-block expert of width `expertWidth` (the release's config.json decides: 768 or
 * 1024 in the code's defaults). Widths the public material does not pin (connector MLP 9728, vocabulary
 * 155,648 + 128 image rows) are assumptions, stated in docs/model.md.
 */
export function releaseShapedConfig(expertWidth: 768 | 1024 = 768): MolmoAct2Config {
  return {
    ...TINY,
    vit: { hiddenSize: 1152, intermediateSize: 4304, numHiddenLayers: 27, numAttentionHeads: 16, numKeyValueHeads: 16, headDim: 72, layerNormEps: 1e-6, imageDefaultInputSize: [378, 378], imagePatchSize: 14, imageNumPos: 729 },
    adapter: { vitLayers: [-3, -9], poolingAttentionMask: true, hiddenSize: 1152, numAttentionHeads: 16, numKeyValueHeads: 16, headDim: 72, intermediateSize: 9728, textHiddenSize: 2560 },
    text: { ...TINY.text, hiddenSize: 2560, numAttentionHeads: 32, numKeyValueHeads: 8, headDim: 128, vocabSize: 155648, additionalVocabSize: 128, numHiddenLayers: 36, intermediateSize: 9728 },
    expert: { ...(TINY.expert as NonNullable<MolmoAct2Config["expert"]>), hiddenSize: expertWidth, numLayers: 36, numHeads: expertWidth === 1024 ? 16 : 8, ffnMultipleOf: 256, timestepEmbedDim: 256 },
    tokens: { ...MOLMOACT2_TOKEN_IDS },
    eosTokenId: 151645,
    padTokenId: 151643,
    depthGate: "none",
    enableDepthReasoning: false,
  };
}
