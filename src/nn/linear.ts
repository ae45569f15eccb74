import * as tf from "@tensorflow/tfjs-core";
import { checkInt, fail, type Rng } from "../core/index.js";

/**
 * `y = x @ w + b` with `x: [rows, in]`, `w: [in, out]`, `b: [out]` → `[rows, out]` (float32).
 * One rank-2 matMul with the weight as the right operand and no transpose flags, so it stays on the wasm
 * XNNPACK fast path (keep `w` a long-lived tensor: XNNPACK caches its packed form per tensor).
 */
export function linear(x: tf.Tensor2D, w: tf.Tensor2D, b?: tf.Tensor1D): tf.Tensor2D {
  if (x.rank !== 2) fail("linear", "x", `must be rank 2 [rows, in]; got shape [${x.shape.join(", ")}]`);
  if (w.rank !== 2 || w.shape[0] !== x.shape[1]) {
    fail("linear", "w", `must be [${x.shape[1]}, out] for x of shape [${x.shape.join(", ")}]; got [${w.shape.join(", ")}]`);
  }
  if (b && (b.rank !== 1 || b.shape[0] !== w.shape[1])) {
    fail("linear", "b", `must be [${w.shape[1]}]; got [${b.shape.join(", ")}]`);
  }
  return (b ? tf.fused.matMul({ a: x, b: w, bias: b }) : tf.matMul(x, w)) as tf.Tensor2D;
}

/** Options of {@link initLinear}. */
export interface InitLinearOptions {
  /** Create a (zero) bias; default true. */
  bias?: boolean;
  /** Zero-initialise the weight (AdaRMS modulation and final layers); default false. */
  zero?: boolean;
  /** Multiply the xavier bound by this gain (e.g. `(2L)^-0.5` for residual out-projections); default 1. */
  gain?: number;
}

/**
 * Seeded xavier-uniform init of a linear layer: `w[i][j] ~ U(-a, a)`, `a = gain·sqrt(6 / (in + out))`,
 * stored `[in, out]` float32; bias zeros `[out]`. Draws `in·out` uniforms from `rng` in row-major order
 * (none when `zero`).
 */
export function initLinear(rng: Rng, inDim: number, outDim: number, opts: InitLinearOptions = {}): { w: tf.Tensor2D; b?: tf.Tensor1D } {
  checkInt("initLinear", "inDim", inDim, 1);
  checkInt("initLinear", "outDim", outDim, 1);
  const gain = opts.gain ?? 1;
  if (!Number.isFinite(gain) || gain < 0) fail("initLinear", "opts.gain", `must be a finite number >= 0; got ${gain}`);
  const data = new Float32Array(inDim * outDim);
  if (!opts.zero) {
    const a = gain * Math.sqrt(6 / (inDim + outDim));
    for (let i = 0; i < data.length; i++) data[i] = (2 * rng.uniform() - 1) * a;
  }
  const w = tf.tensor2d(data, [inDim, outDim], "float32");
  if (opts.bias === false) return { w };
  return { w, b: tf.zeros([outDim], "float32") as tf.Tensor1D };
}
