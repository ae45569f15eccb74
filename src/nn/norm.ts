import * as tf from "@tensorflow/tfjs-core";
import { fail } from "../core/index.js";
import { rmsNormFused } from "./fused.js";

/**
 * RMSNorm over the last axis: `y = x · rsqrt(mean(x², -1) + eps)`, times `weight` (shape `[last]`) when given
 * (Qwen3 style `y·w`; pass `1 + w` yourself for Gemma style). Weightless when `weight` is omitted
 * (the MolmoAct2 action expert's norms). Any rank ≥ 1, float32; output has the input's shape.
 */
export function rmsNorm(x: tf.Tensor, eps = 1e-6, weight?: tf.Tensor1D): tf.Tensor {
  const last = x.shape[x.rank - 1];
  if (x.rank < 1) fail("rmsNorm", "x", "must have rank >= 1; got a scalar");
  if (!(eps >= 0) || !Number.isFinite(eps)) fail("rmsNorm", "eps", `must be a finite number >= 0; got ${eps}`);
  if (weight && (weight.rank !== 1 || weight.shape[0] !== last)) {
    fail("rmsNorm", "weight", `must be [${last}]; got [${weight.shape.join(", ")}]`);
  }
  const fused = rmsNormFused(x, eps, weight); // one kernel on wasm / cpu (inference)
  if (fused) return fused;
  return tf.tidy(() => {
    const ms = tf.mean(tf.square(x), -1, true);
    const y = tf.mul(x, tf.rsqrt(tf.add(ms, eps)));
    return weight ? tf.mul(y, weight) : y;
  });
}

/**
 * LayerNorm over the last axis: `y = (x − mean) / sqrt(var + eps) · weight + bias` (biased variance, as PyTorch).
 * Any rank ≥ 1, float32.
 */
export function layerNorm(x: tf.Tensor, weight: tf.Tensor1D, bias: tf.Tensor1D, eps = 1e-6): tf.Tensor {
  const last = x.shape[x.rank - 1];
  if (weight.rank !== 1 || weight.shape[0] !== last) fail("layerNorm", "weight", `must be [${last}]; got [${weight.shape.join(", ")}]`);
  if (bias.rank !== 1 || bias.shape[0] !== last) fail("layerNorm", "bias", `must be [${last}]; got [${bias.shape.join(", ")}]`);
  if (!(eps >= 0) || !Number.isFinite(eps)) fail("layerNorm", "eps", `must be a finite number >= 0; got ${eps}`);
  return tf.tidy(() => {
    const mean = tf.mean(x, -1, true);
    const c = tf.sub(x, mean);
    const v = tf.mean(tf.square(c), -1, true);
    return tf.add(tf.mul(tf.mul(c, tf.rsqrt(tf.add(v, eps))), weight), bias);
  });
}
