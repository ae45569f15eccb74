import * as tf from "@tensorflow/tfjs-core";
import { Rng } from "../../src/core/index.js";
import type { ParamMap } from "../../src/nn/index.js";
import type { DepthGate, ExpertModelConfig } from "../../src/model/index.js";
import { EXPERT_PREFIX, expertParamShapes } from "../../src/model/expert-params.js";

/** Small expert sizes; everything else takes the reference's `action_expert_config` defaults. */
export interface SmallExpert {
  hiddenSize: number;
  numLayers: number;
  numHeads: number;
  /** The VLM's KV heads and head size (the model config's `text.numKeyValueHeads` / `text.headDim`). */
  llmNumKvHeads: number;
  llmHeadDim: number;
  maxActionDim?: number;
  timestepEmbedDim?: number;
  ffnMultipleOf?: number;
  mlpRatio?: number;
  rope?: boolean;
  depthGate?: DepthGate;
}

/** The model-config slice an `ActionExpert` reads, for a small expert (defaults as `configFromJson`'s). */
export function expertTestConfig(s: SmallExpert): ExpertModelConfig {
  return {
    expert: {
      hiddenSize: s.hiddenSize,
      numLayers: s.numLayers,
      numHeads: s.numHeads,
      mlpRatio: s.mlpRatio ?? 8 / 3,
      ffnMultipleOf: s.ffnMultipleOf ?? 256,
      timestepEmbedDim: s.timestepEmbedDim ?? 256,
      contextLayerNorm: true,
      qkNorm: true,
      qkNormEps: 1e-6,
      rope: s.rope ?? true,
    },
    text: { numKeyValueHeads: s.llmNumKvHeads, headDim: s.llmHeadDim },
    maxActionDim: s.maxActionDim ?? 32,
    depthGate: s.depthGate ?? "none",
  };
}

/**
 * Random (non-zero) parameters so every path contributes, drawn in checkpoint-name order; returns the tensors and
 * float64 copies keyed without the `model.action_expert.` prefix (for the float64 reference).
 */
export function randomExpertParams(cfg: ExpertModelConfig, seed: number, scale = 0.5): { params: ParamMap; P: Record<string, Float64Array> } {
  const r = new Rng(seed);
  const params: ParamMap = {};
  const P: Record<string, Float64Array> = {};
  for (const [k, shape] of Object.entries(expertParamShapes(cfg))) {
    const n = shape.reduce((a, b) => a * b, 1);
    const d = Float32Array.from({ length: n }, () => (r.uniform() - 0.5) * scale);
    params[k] = tf.tensor(d, shape);
    P[k.replace(EXPERT_PREFIX, "")] = Float64Array.from(d);
  }
  return { params, P };
}
