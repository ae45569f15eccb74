import * as tf from "@tensorflow/tfjs-core";
import { checkInt, fail } from "../core/index.js";
import { ropeRowsFused } from "./fused.js";

/**
 * `inv_freq_j = 1 / base^(j/half)` and the angle `p · inv_freq_j` in float32 arithmetic, as the reference builds its
 * RoPE cache (`torch.float32` exponent, power, reciprocal and outer product). Computing the angle in float64 instead
 * differs by up to half a float32 ulp of the angle, an error that grows with the position (≈ 1e-4 on K at position
 * 500 for |k| ≈ 5); in float32 only the final cos / sin rounding remains.
 */
function angle32(p: number, j: number, half: number, base: number): number {
  const invFreq = Math.fround(1 / Math.fround(Math.pow(base, Math.fround(j / half))));
  return Math.fround(Math.fround(p) * invFreq);
}

/**
 * Rotary tables for positions `p` and head size `hd`: `inv_freq_j = base^(−j/(hd/2))`, j = 0..hd/2−1,
 * `cos[i][j] = cos(p_i · inv_freq_j)`, `sin[i][j] = sin(p_i · inv_freq_j)`, shapes `[T, hd/2]` float32
 * (the angle in float32 arithmetic as the reference computes it, then cos / sin rounded once).
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
      const a = angle32(p, j, half, base);
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
 * so rotate-half RoPE on rows becomes `x·C + (x·P)·S` with full-width tables `C = [cos, cos]`, `S = [sin, sin]`.
 */
function rotateHalfMatrix(headDim: number): tf.Tensor2D {
  const half = headDim / 2;
  const d = new Float32Array(headDim * headDim);
  for (let c = 0; c < half; c++) d[(half + c) * headDim + c] = -1;
  for (let c = half; c < headDim; c++) d[(c - half) * headDim + c] = 1;
  return tf.tensor2d(d, [headDim, headDim]);
}

/**
 * RoPE tables for the rows of a 2-D operand `[n, hd]` (made by {@link ropeRowTables}, applied by {@link applyRopeRows}):
 * full-width `cos = [cos, cos]·scale` and `sin = [sin, sin]·scale` per row, and the rotate-half permutation. Long-lived:
 * `dispose()` when done.
 */
export interface RopeRowTables {
  readonly cos: tf.Tensor2D;
  readonly sin: tf.Tensor2D;
  readonly rotate: tf.Tensor2D;
  dispose(): void;
}

/**
 * Rotate-half RoPE tables for n rows of head size `hd`, row i at position `positions[i]` (angles as in
 * {@link ropeTables}, in float32 arithmetic), each row multiplied by `rowScale[i]` (default 1) before the one rounding to float32 —
 * e.g. a score scale 1/√hd folded into the query rows. Rows of different heads, sequences or roles (q and k
 * interleaved) can share one table, so one {@link applyRopeRows} rotates them all.
 */
export function ropeRowTables(positions: ArrayLike<number>, headDim: number, base: number, rowScale?: ArrayLike<number>): RopeRowTables {
  const fn = "ropeRowTables";
  checkInt(fn, "headDim", headDim, 2);
  if (headDim % 2 !== 0) fail(fn, "headDim", `must be even; got ${headDim}`);
  if (!(base > 0) || !Number.isFinite(base)) fail(fn, "base", `must be a finite number > 0; got ${base}`);
  const n = positions.length;
  if (rowScale && rowScale.length !== n) fail(fn, "rowScale", `must have one scale per row (${n}); got ${rowScale.length}`);
  const half = headDim / 2;
  const cos = new Float32Array(n * headDim);
  const sin = new Float32Array(n * headDim);
  for (let i = 0; i < n; i++) {
    const p = positions[i];
    const s = rowScale ? rowScale[i] : 1;
    if (!Number.isFinite(p)) fail(fn, "positions", `must be finite numbers; got ${p} at [${i}]`);
    if (!Number.isFinite(s)) fail(fn, "rowScale", `must be finite numbers; got ${s} at [${i}]`);
    for (let j = 0; j < headDim; j++) {
      const a = angle32(p, j % half, half, base);
      cos[i * headDim + j] = Math.cos(a) * s;
      sin[i * headDim + j] = Math.sin(a) * s;
    }
  }
  const t = { cos: tf.tensor2d(cos, [n, headDim]), sin: tf.tensor2d(sin, [n, headDim]), rotate: rotateHalfMatrix(headDim) };
  return { ...t, dispose: () => tf.dispose([t.cos, t.sin, t.rotate]) };
}

/**
 * Rotate-half RoPE on rows: `x·cos + (x·P)·sin` for `x: [n, hd]` with tables from {@link ropeRowTables} — one rank-2
 * matMul and three elementwise ops instead of slices and a concat ({@link applyRope}'s form), which is what a model
 * that rotates many small rows per step (queries and keys of all heads in one operand) wants. Returns `[n, hd]`.
 */
export function applyRopeRows(x: tf.Tensor2D, t: RopeRowTables): tf.Tensor2D {
  if (x.rank !== 2 || x.shape[0] !== t.cos.shape[0] || x.shape[1] !== t.cos.shape[1]) {
    fail("applyRopeRows", "x", `must be [${t.cos.shape.join(", ")}] (the tables' rows and head size); got [${x.shape.join(", ")}]`);
  }
  // one kernel on wasm / cpu (inference); the plain form elsewhere and under a gradient tape
  return ropeRowsFused(x, t.cos, t.sin) ?? (tf.tidy(() => tf.add(tf.mul(x, t.cos), tf.mul(tf.matMul(x, t.rotate), t.sin))) as tf.Tensor2D);
}
