import * as tf from "@tensorflow/tfjs-core";
import { Rng } from "../../src/core/index.js";
import { actionExpertParamShapes, type ActionExpertConfig, type ParamMap } from "../../src/nn/index.js";

/** Random (non-zero) parameters so every path contributes; returns tensors and float64 copies keyed without prefix. */
export function randomExpertParams(cfg: ActionExpertConfig, seed: number, scale = 0.5): { params: ParamMap; P: Record<string, Float64Array> } {
  const r = new Rng(seed);
  const params: ParamMap = {};
  const P: Record<string, Float64Array> = {};
  for (const [k, shape] of Object.entries(actionExpertParamShapes(cfg))) {
    const n = shape.reduce((a, b) => a * b, 1);
    const d = Float32Array.from({ length: n }, () => (r.uniform() - 0.5) * scale);
    params[k] = tf.tensor(d, shape);
    P[k.replace("action_expert.", "")] = Float64Array.from(d);
  }
  return { params, P };
}

