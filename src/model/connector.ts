import * as tf from "@tensorflow/tfjs-core";
import { getParam, linear, swiglu, MASK_VALUE, type ParamMap } from "../nn/index.js";
import type { ConnectorConfig } from "./config.js";

/** Reference parameter-name prefixes (the HF conversion moves these out of `vision_backbone`). */
export const POOL = "model.image_pooling_2d";
export const PROJ = "model.image_projector";

/**
 * Vision → LLM connector (Molmo2): attention pooling over `poolSize × poolSize` windows of the patch
 * grid (query = mean of the window's valid patches; keys/values = those patches; windows at the
 * edge of an odd grid see only their valid patches, like Molmo2's `pooled_patches_idx = −1` masking),
 * then a SwiGLU projector `w2(silu(w1 x) · w3 x)` into the LLM width.
 *
 * @param feats ViT features `[grid², inDim]` (row-major patch grid)
 * @param grid patches per side
 * @returns `[pooled², llmWidth]` float32, pooled windows row-major (the `<im_patch>` order)
 */
export function connectorForward(params: ParamMap, c: ConnectorConfig, feats: tf.Tensor2D, grid: number, llmWidth: number): tf.Tensor2D {
  const fn = "connectorForward";
  const inDim = feats.shape[1];
  const ps = c.poolSize;
  const side = Math.ceil(grid / ps);
  const nWin = side * side;
  const K = ps * ps;
  const D = c.poolDim;
  const H = c.heads;
  const hd = D / H;
  // window gather indices (grid² = the zero row), averaging matrix, key mask
  const idx = new Int32Array(nWin * K);
  const avg = new Float32Array(nWin * nWin * K);
  const bias = new Float32Array(nWin * K);
  for (let wy = 0; wy < side; wy++) {
    for (let wx = 0; wx < side; wx++) {
      const w = wy * side + wx;
      let cnt = 0;
      for (let k = 0; k < K; k++) {
        const y = wy * ps + Math.floor(k / ps);
        const x = wx * ps + (k % ps);
        const ok = y < grid && x < grid;
        idx[w * K + k] = ok ? y * grid + x : grid * grid;
        bias[w * K + k] = ok ? 0 : MASK_VALUE;
        if (ok) cnt++;
      }
      for (let k = 0; k < K; k++) if (bias[w * K + k] === 0) avg[w * nWin * K + w * K + k] = 1 / cnt;
    }
  }
  return tf.tidy(() => {
    const p = (name: string, shape: number[]) => getParam(fn, params, name, shape);
    const padded = tf.concat([feats, tf.zeros([1, inDim])], 0);
    const X = tf.gather(padded, tf.tensor1d(idx, "int32")) as tf.Tensor2D; // [nWin·K, inDim]
    const query = tf.matMul(tf.tensor2d(avg, [nWin, nWin * K]), X) as tf.Tensor2D; // [nWin, inDim]
    const lin = (x: tf.Tensor2D, nm: string) => linear(x, p(`${POOL}.${nm}.weight`, [x.shape[1], D]) as tf.Tensor2D, p(`${POOL}.${nm}.bias`, [D]) as tf.Tensor1D);
    const q = tf.reshape(lin(query, "wq"), [nWin, 1, H, hd]);
    const k = tf.reshape(lin(X, "wk"), [nWin, K, H, hd]);
    const v = tf.reshape(lin(X, "wv"), [nWin, K, H, hd]);
    const s = tf.add(tf.mul(tf.sum(tf.mul(q, k), -1), 1 / Math.sqrt(hd)), tf.tensor3d(bias, [nWin, K, 1])); // [nWin, K, H]
    const a = tf.softmax(tf.transpose(s, [0, 2, 1])); // [nWin, H, K]
    const wts = tf.reshape(tf.transpose(a, [0, 2, 1]), [nWin, K, H, 1]);
    const pooled = tf.reshape(tf.sum(tf.mul(wts, v), 1), [nWin, D]) as tf.Tensor2D;
    const o = linear(pooled, p(`${POOL}.wo.weight`, [D, D]) as tf.Tensor2D, p(`${POOL}.wo.bias`, [D]) as tf.Tensor1D);
    const hid = c.projectorHidden;
    return swiglu(
      o,
      p(`${PROJ}.w1.weight`, [D, hid]) as tf.Tensor2D,
      p(`${PROJ}.w3.weight`, [D, hid]) as tf.Tensor2D,
      p(`${PROJ}.w2.weight`, [hid, llmWidth]) as tf.Tensor2D,
    );
  });
}

/** Parameter names and shapes of the connector (`[in, out]` for linear weights). */
export function connectorParamShapes(c: ConnectorConfig, inDim: number, llmWidth: number): Record<string, number[]> {
  const D = c.poolDim;
  return {
    [`${POOL}.wq.weight`]: [inDim, D],
    [`${POOL}.wq.bias`]: [D],
    [`${POOL}.wk.weight`]: [inDim, D],
    [`${POOL}.wk.bias`]: [D],
    [`${POOL}.wv.weight`]: [inDim, D],
    [`${POOL}.wv.bias`]: [D],
    [`${POOL}.wo.weight`]: [D, D],
    [`${POOL}.wo.bias`]: [D],
    [`${PROJ}.w1.weight`]: [D, c.projectorHidden],
    [`${PROJ}.w3.weight`]: [D, c.projectorHidden],
    [`${PROJ}.w2.weight`]: [c.projectorHidden, llmWidth],
  };
}
