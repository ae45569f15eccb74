import * as tf from "@tensorflow/tfjs-core";
import { fail } from "../core/index.js";
import { siluMulFused } from "./fused.js";
import { linear } from "./linear.js";

/** SiLU / swish: `x · sigmoid(x)`, elementwise. */
export function silu(x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => tf.mul(x, tf.sigmoid(x)));
}

/** GELU, tanh approximation: `0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³)))`, elementwise (SigLIP's `gelu_pytorch_tanh`). */
export function gelu(x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const inner = tf.mul(Math.sqrt(2 / Math.PI), tf.add(x, tf.mul(0.044715, tf.mul(x, tf.square(x)))));
    return tf.mul(tf.mul(0.5, x), tf.add(1, tf.tanh(inner)));
  });
}

/**
 * SwiGLU MLP: `down(silu(gate(x)) · up(x))` with `x: [rows, d]`, `wGate, wUp: [d, inner]`, `wDown: [inner, d_out]`,
 * optional biases. Returns `[rows, d_out]`.
 */
export function swiglu(
  x: tf.Tensor2D,
  wGate: tf.Tensor2D,
  wUp: tf.Tensor2D,
  wDown: tf.Tensor2D,
  bGate?: tf.Tensor1D,
  bUp?: tf.Tensor1D,
  bDown?: tf.Tensor1D,
): tf.Tensor2D {
  if (wGate.shape[1] !== wUp.shape[1] || wDown.shape[0] !== wGate.shape[1]) {
    fail("swiglu", "wDown", `must be [${wGate.shape[1]}, out] matching gate/up [${wGate.shape.join(", ")}] / [${wUp.shape.join(", ")}]; got [${wDown.shape.join(", ")}]`);
  }
  return tf.tidy(() => {
    const g = linear(x, wGate, bGate);
    const u = linear(x, wUp, bUp);
    const h = siluMulFused(g, u) ?? tf.mul(silu(g), u); // one kernel on wasm / cpu (inference)
    return linear(h as tf.Tensor2D, wDown, bDown);
  });
}
