import * as tf from "@tensorflow/tfjs-core";
import { fail } from "../core/index.js";
import { linear, MASK_VALUE, swiglu, type ParamMap } from "../nn/index.js";
import type { MolmoAct2Config } from "./config.js";
import { POOL, PROJ } from "./param-shapes.js";

/**
 * The reference connector (`MolmoAct2VisionBackbone.forward` after the ViT): for each pooled token, gather
 * the features of the patches its pooling row names (−1 = padding: a zero row), attention-pool them with
 * a query built from the window, then the SwiGLU projector `w2(silu(w1 x) · w3 x)` into the LLM width.
 *
 * - `poolingAttentionMask` true: query = sum of the valid rows / their count, padded keys masked (the sdpa
 *   path the released checkpoints load with).
 * - false: query = mean over all rows (padding counts as zeros) and no key mask.
 *
 * Tokens whose row has no valid patch at all are dropped, as the reference drops them.
 *
 * @param feats ViT features of one image's crops, concatenated: `[crops · patches, poolDim]`
 * @param pooling `[tokens · K]` patch indices into `feats` (K = pool window size), −1 = padding
 * @returns `[valid tokens, text hidden]` float32, in pooling-row order (the `<im_patch>` order)
 */
export function connectorForward(params: ParamMap, cfg: MolmoAct2Config, feats: tf.Tensor2D, pooling: Int32Array, K: number): tf.Tensor2D {
  const fn = "connectorForward";
  const a = cfg.adapter;
  const rows = feats.shape[0];
  if (pooling.length % K !== 0) fail(fn, "pooling", `must hold a multiple of the window size ${K} indices; got ${pooling.length}`);
  const kept: number[] = [];
  for (let t = 0; t < pooling.length / K; t++) {
    let any = false;
    for (let k = 0; k < K; k++) {
      const i = pooling[t * K + k];
      if (i >= rows || i < -1) fail(fn, "pooling", `must index the ${rows} feature rows (or −1); got ${i} in row ${t}`);
      if (i >= 0) any = true;
    }
    if (any) kept.push(t);
  }
  const T = kept.length;
  const idx = new Int32Array(T * K);
  const valid = new Float32Array(T * K);
  const keyBias = new Float32Array(T * K);
  const qWeight = new Float32Array(T * K);
  kept.forEach((t, r) => {
    let n = 0;
    for (let k = 0; k < K; k++) {
      const i = pooling[t * K + k];
      idx[r * K + k] = i >= 0 ? i : rows; // `rows` = the appended zero row
      valid[r * K + k] = i >= 0 ? 1 : 0;
      if (i >= 0) n++;
    }
    for (let k = 0; k < K; k++) {
      qWeight[r * K + k] = a.poolingAttentionMask ? valid[r * K + k] / Math.max(n, 1) : 1 / K;
      keyBias[r * K + k] = a.poolingAttentionMask && !valid[r * K + k] ? MASK_VALUE : 0;
    }
  });
  const H = a.numAttentionHeads;
  const Hkv = a.numKeyValueHeads;
  const hd = a.headDim;
  return tf.tidy(() => {
    const p = (n: string) => params[n];
    const padded = tf.concat([feats, tf.zeros([1, feats.shape[1]])], 0);
    const X = tf.gather(padded, tf.tensor1d(idx, "int32")) as tf.Tensor2D; // [T·K, poolDim]
    // query: weighted sum over each window's rows
    const D = feats.shape[1];
    const query = tf.sum(tf.mul(tf.reshape(X, [T, K, D]), tf.tensor3d(qWeight, [T, K, 1])), 1) as tf.Tensor2D;
    const lin = (x: tf.Tensor2D, n: string) => linear(x, p(`${POOL}.${n}.weight`) as tf.Tensor2D, p(`${POOL}.${n}.bias`) as tf.Tensor1D);
    const q = tf.reshape(lin(query, "wq"), [T, 1, H, hd]);
    let k = tf.reshape(lin(X, "wk"), [T, K, Hkv, hd]);
    let v = tf.reshape(lin(X, "wv"), [T, K, Hkv, hd]);
    if (Hkv !== H) {
      // query head h reads KV head ⌊h / (H/Hkv)⌋ (repeat_interleave)
      const heads = tf.tensor1d(Int32Array.from({ length: H }, (_, h) => Math.floor(h / (H / Hkv))), "int32");
      k = tf.gather(k, heads, 2);
      v = tf.gather(v, heads, 2);
    }
    const s = tf.add(tf.mul(tf.sum(tf.mul(q, k), -1), 1 / Math.sqrt(hd)), tf.tensor3d(keyBias, [T, K, 1])); // [T, K, H]
    const w = tf.softmax(tf.transpose(s, [0, 2, 1])); // [T, H, K]
    const pooled = tf.reshape(tf.sum(tf.mul(tf.reshape(tf.transpose(w, [0, 2, 1]), [T, K, H, 1]), v), 1), [T, H * hd]) as tf.Tensor2D;
    const o = lin(pooled, "wo");
    return swiglu(o, p(`${PROJ}.w1.weight`) as tf.Tensor2D, p(`${PROJ}.w3.weight`) as tf.Tensor2D, p(`${PROJ}.w2.weight`) as tf.Tensor2D);
  });
}
