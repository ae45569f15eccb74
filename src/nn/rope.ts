import * as tf from "@tensorflow/tfjs-core";
import { checkInt, fail } from "../core/index.js";

/**
 * Rotary tables for positions `p` and head size `hd`: `inv_freq_j = base^(−j/(hd/2))`, j = 0..hd/2−1,
 * `cos[i][j] = cos(p_i · inv_freq_j)`, `sin[i][j] = sin(p_i · inv_freq_j)`, shapes `[T, hd/2]` float32
 * (angles computed in float64, then rounded once).
 */
export function ropeTables(positions: ArrayLike<number>, headDim: number, base: number): { cos: tf.Tensor2D; sin: tf.Tensor2D } {
  checkInt("ropeTables", "headDim", headDim, 2);
  if (headDim % 2 !== 0) fail("ropeTables", "headDim", `must be even; got ${headDim}`);
  if (!(base > 0) || !Number.isFinite(base)) fail("ropeTables", "base", `must be a finite number > 0; got ${base}`);
  const T = positions.length;
  const half = headDim / 2;
  const cos = new Float32Array(T * half);
  const sin = new Float32Array(T * half);
  for (let i = 0; i < T; i++) {
    const p = positions[i];
    if (!Number.isFinite(p)) fail("ropeTables", "positions", `must be finite numbers; got ${p} at [${i}]`);
    for (let j = 0; j < half; j++) {
      const a = p * Math.pow(base, -j / half);
      cos[i * half + j] = Math.cos(a);
      sin[i * half + j] = Math.sin(a);
    }
  }
  return { cos: tf.tensor2d(cos, [T, half]), sin: tf.tensor2d(sin, [T, half]) };
}

/**
 * Apply rotary embeddings in the rotate-half layout to `x: [T, heads, hd]` with tables `[T, hd/2]`:
 * `x1 = x[..., :hd/2]`, `x2 = x[..., hd/2:]` → `[x1·cos − x2·sin, x1·sin + x2·cos]`. Returns `[T, heads, hd]`.
 */
export function applyRope(x: tf.Tensor3D, cos: tf.Tensor2D, sin: tf.Tensor2D): tf.Tensor3D {
  const [T, H, hd] = x.shape;
  if (x.rank !== 3) fail("applyRope", "x", `must be [T, heads, hd]; got [${x.shape.join(", ")}]`);
  if (cos.shape[0] !== T || cos.shape[1] * 2 !== hd || sin.shape[0] !== T || sin.shape[1] * 2 !== hd) {
    fail("applyRope", "cos", `cos and sin must be [${T}, ${hd / 2}]; got [${cos.shape.join(", ")}] and [${sin.shape.join(", ")}]`);
  }
  return tf.tidy(() => {
    const half = hd / 2;
    const c = tf.reshape(cos, [T, 1, half]);
    const s = tf.reshape(sin, [T, 1, half]);
    const x1 = tf.slice(x, [0, 0, 0], [T, H, half]);
    const x2 = tf.slice(x, [0, 0, half], [T, H, half]);
    const r1 = tf.sub(tf.mul(x1, c), tf.mul(x2, s));
    const r2 = tf.add(tf.mul(x1, s), tf.mul(x2, c));
    return tf.concat([r1, r2], 2) as tf.Tensor3D;
  });
}

/**
 * The `[hd, hd]` signed permutation `P` with `x·P = rotate_half(x) = [−x2, x1]` (x1 = first half, x2 = second half),
 * so rotate-half RoPE on rows becomes `x·C + (x·P)·S` with full-width tables `C = [cos, cos]`, `S = [sin, sin]`:
 * one rank-2 matMul and three elementwise ops instead of slices and a concat.
 */
export function rotateHalfMatrix(headDim: number): tf.Tensor2D {
  checkInt("rotateHalfMatrix", "headDim", headDim, 2);
  if (headDim % 2 !== 0) fail("rotateHalfMatrix", "headDim", `must be even; got ${headDim}`);
  const half = headDim / 2;
  const d = new Float32Array(headDim * headDim);
  for (let c = 0; c < half; c++) d[(half + c) * headDim + c] = -1;
  for (let c = half; c < headDim; c++) d[(c - half) * headDim + c] = 1;
  return tf.tensor2d(d, [headDim, headDim]);
}
