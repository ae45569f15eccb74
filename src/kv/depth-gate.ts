import * as tf from "@tensorflow/tfjs-core";
import { fail } from "../core/index.js";

/** One gate: `Linear(llmKvDim, 1)`, weight stored `[llmKvDim, 1]`, bias `[1]`. */
export interface DepthGateLinear {
  weight: tf.Tensor2D;
  bias: tf.Tensor1D;
}

/**
 * Learned depth gate (paper eq. 11–12, molmoact2.md §4.2). `shared`: one gate computed from the LAST layer's pooled V
 * and applied to all layers; `per_layer`: gate l from layer l's own pooled V.
 */
export type DepthGateMode = "shared" | "per_layer";

/**
 * Mean of `flatV: [T, D]` over rows with `poolMask = 1` (falls back to all `encoderMask` rows when no row qualifies),
 * as `[1, D]`; divides by max(1, count).
 */
export function pooledValue(flatV: tf.Tensor2D, poolMask: ArrayLike<number>): tf.Tensor2D {
  const T = flatV.shape[0];
  if (poolMask.length !== T) fail("pooledValue", "poolMask", `must have length ${T}; got ${poolMask.length}`);
  let n = 0;
  const w = new Float32Array(T);
  for (let i = 0; i < T; i++) if (poolMask[i]) (w[i] = 1), n++;
  return tf.tidy(() => tf.div(tf.matMul(tf.tensor2d(w, [1, T]), flatV), Math.max(1, n)) as tf.Tensor2D);
}

/**
 * Per-layer depth gate values `g_l = sigmoid(w_l · pooled_l + b_l)` (each a `[1, 1]` tensor), and the row scale
 * `[T, 1]` to multiply the raw flat K/V rows: `g_l` on depth-token rows, 1 elsewhere.
 *
 * @param flatV per-layer raw LLM values `[T, llmKvDim]` (before projection)
 * @param depthMask 1 on depth-token rows (and encoder-valid)
 * @param encoderMask 1 on valid rows
 * @param gates one gate (`shared`) or one per layer (`per_layer`)
 */
export function depthGateRowScales(
  flatV: tf.Tensor2D[],
  depthMask: ArrayLike<number>,
  encoderMask: ArrayLike<number>,
  mode: DepthGateMode,
  gates: DepthGateLinear[],
): tf.Tensor2D[] {
  const L = flatV.length;
  const T = depthMask.length;
  if (mode === "shared" && gates.length !== 1) fail("depthGateRowScales", "gates", `must hold 1 gate in shared mode; got ${gates.length}`);
  if (mode === "per_layer" && gates.length !== L) fail("depthGateRowScales", "gates", `must hold ${L} gates (one per layer); got ${gates.length}`);
  const pool = new Uint8Array(T);
  let any = false;
  for (let i = 0; i < T; i++) {
    pool[i] = encoderMask[i] && !depthMask[i] ? 1 : 0;
    if (pool[i]) any = true;
  }
  const poolMask = any ? pool : Uint8Array.from(encoderMask as ArrayLike<number>, (x) => (x ? 1 : 0));
  const dm = new Float32Array(T);
  for (let i = 0; i < T; i++) dm[i] = depthMask[i] ? 1 : 0;
  return tf.tidy(() => {
    const dmt = tf.tensor2d(dm, [T, 1]);
    const gateFor = (src: tf.Tensor2D, gl: DepthGateLinear) => tf.sigmoid(tf.add(tf.matMul(pooledValue(src, poolMask), gl.weight), gl.bias)); // [1,1]
    const rowScale = (g: tf.Tensor) => tf.add(1, tf.mul(dmt, tf.sub(g, 1))) as tf.Tensor2D; // [T,1]
    if (mode === "shared") {
      const s = rowScale(gateFor(flatV[L - 1], gates[0]));
      return flatV.map(() => s.clone());
    }
    return flatV.map((v, l) => rowScale(gateFor(v, gates[l])));
  });
}
