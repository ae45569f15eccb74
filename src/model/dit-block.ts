import * as tf from "@tensorflow/tfjs-core";
import { applyRopeRows, attention, attentionPrepared, linear, residualGate, rmsNorm, rmsNormModulate, swiglu, type PreparedKV, type RopeRowTables } from "../nn/index.js";

/**
 * AdaRMS modulation of one block at one flow time: shift, `scale1` (= 1 + scale) and gate for self-attention (msa),
 * cross-attention (mca) and the MLP, each `[1, h]` (broadcast over rows) or `[rows, h]`. A type alias, not an
 * interface, so a modulation is a plain tensor container (tf.tidy can return it).
 */
export type BlockModulation = {
  shiftMsa: tf.Tensor2D;
  scale1Msa: tf.Tensor2D;
  gateMsa: tf.Tensor2D;
  shiftMca: tf.Tensor2D;
  scale1Mca: tf.Tensor2D;
  gateMca: tf.Tensor2D;
  shiftMlp: tf.Tensor2D;
  scale1Mlp: tf.Tensor2D;
  gateMlp: tf.Tensor2D;
};

/** Weights of one DiT block (`[in, out]` layout). */
export interface DitBlockWeights {
  qkvW: tf.Tensor2D;
  qkvB: tf.Tensor1D;
  outW: tf.Tensor2D;
  outB: tf.Tensor1D;
  qW: tf.Tensor2D;
  qB: tf.Tensor1D;
  cOutW: tf.Tensor2D;
  cOutB: tf.Tensor1D;
  gateW: tf.Tensor2D;
  gateB: tf.Tensor1D;
  upW: tf.Tensor2D;
  upB: tf.Tensor1D;
  downW: tf.Tensor2D;
  downB: tf.Tensor1D;
}

/** What every block of one forward shares: head count, q/k norm, and the step's tables and masks. */
export interface DitBlockInputs {
  heads: number;
  qkNorm: boolean;
  qkNormEps: number;
  /**
   * RoPE for the joint q/k operand `[rows·2·heads, hd]` (row r·2heads + j: query head j for j < heads, key head
   * j − heads otherwise) at the row's horizon position, query rows pre-scaled by 1/√hd; null without RoPE.
   */
  rope: RopeRowTables | null;
  /** Additive self-attention mask `[rows, rows]` (batch blocks, padded horizon keys) or null. */
  selfMask: tf.Tensor2D | null;
  /** Additive cross-attention bias `[1, T]` or null. */
  crossBias: tf.Tensor2D | null;
  /** `[rows, 1]` 0/1 horizon validity (rows multiplied after the block) or null. */
  rowMask: tf.Tensor2D | null;
}

/** AdaRMS: `RMS(x)·(1 + scale) + shift`, weightless RMSNorm with eps 1e-6 (one fused kernel on wasm / cpu). */
export function modulate(x: tf.Tensor2D, shift: tf.Tensor2D, scale1: tf.Tensor2D): tf.Tensor2D {
  return rmsNormModulate(x, shift, scale1, 1e-6) as tf.Tensor2D;
}

/** Gated residual `x + gate·y` (one fused kernel on wasm / cpu). */
function gated(x: tf.Tensor2D, gate: tf.Tensor2D, y: tf.Tensor2D): tf.Tensor2D {
  return residualGate(x, gate, y) as tf.Tensor2D;
}

/**
 * Self-attention work per head (rows²·hd) from which it runs as rank-2 matMuls per head (XNNPACK on wasm; the right
 * operands are fresh each step, which measured leak-free) instead of one batched matMul (a scalar loop on wasm, but
 * fewer ops). The expert's rows are few and its heads small, so it switches earlier than `attention`'s own default:
 * YAM-like rows 30, hd 64 measured ~19 → ~6 ms of matMul per step.
 */
const SELF_PER_HEAD_MIN_WORK = 1 << 14;

/** Self-attention over the rows: fused qkv, per-head q/k RMSNorm, RoPE on q and k together, output projection. */
function selfAttention(y: tf.Tensor2D, w: DitBlockWeights, inp: DitBlockInputs): tf.Tensor2D {
  const [rows, hidden] = y.shape;
  const H = inp.heads;
  const hd = hidden / H;
  const [qk, v] = tf.split(linear(y, w.qkvW, w.qkvB), [2 * hidden, hidden], 1) as tf.Tensor2D[];
  let qkr = tf.reshape(qk, [rows * 2 * H, hd]) as tf.Tensor2D;
  if (inp.qkNorm) qkr = rmsNorm(qkr, inp.qkNormEps) as tf.Tensor2D;
  if (inp.rope) qkr = applyRopeRows(qkr, inp.rope);
  const [q, k] = tf.split(tf.reshape(qkr, [rows, 2 * H, hd]), 2, 1) as tf.Tensor3D[];
  const sa = attention(q, k, tf.reshape(v, [rows, H, hd]), {
    path: rows * rows * hd >= SELF_PER_HEAD_MIN_WORK ? "perHead" : "batched",
    ...(inp.rope ? { scale: 1 } : {}), // the RoPE tables carry 1/√hd in their query rows
    ...(inp.selfMask ? { mask: inp.selfMask } : {}),
  });
  return linear(sa, w.outW, w.outB);
}

/** Cross-attention to VLM layer l's prepared K/V (1/√hd baked into K): q_proj, per-head q RMSNorm, no RoPE. */
function crossAttention(y: tf.Tensor2D, w: DitBlockWeights, kv: PreparedKV, inp: DitBlockInputs): tf.Tensor2D {
  const rows = y.shape[0];
  let q = tf.reshape(linear(y, w.qW, w.qB), [rows, inp.heads, w.qW.shape[1] / inp.heads]) as tf.Tensor3D;
  if (inp.qkNorm) q = rmsNorm(q, inp.qkNormEps) as tf.Tensor3D;
  const ca = attentionPrepared(q, kv, inp.crossBias ? { mask: inp.crossBias } : {});
  return linear(ca, w.cOutW, w.cOutB);
}

/**
 * One MolmoAct2 action-expert block, rows = B·H action tokens of width h (`[rows, h]` → `[rows, h]`):
 * ```
 * x += gate_msa · SelfAttn(modulate(x; shift_msa, scale_msa))
 * x += gate_mca · CrossAttn(modulate(x; shift_mca, scale_mca), K_l, V_l)
 * x += gate_mlp · SwiGLU(modulate(x; shift_mlp, scale_mlp))
 * ```
 */
export function ditBlock(x: tf.Tensor2D, m: BlockModulation, w: DitBlockWeights, kv: PreparedKV, inp: DitBlockInputs): tf.Tensor2D {
  return tf.tidy(() => {
    let out = gated(x, m.gateMsa, selfAttention(modulate(x, m.shiftMsa, m.scale1Msa), w, inp));
    out = gated(out, m.gateMca, crossAttention(modulate(out, m.shiftMca, m.scale1Mca), w, kv, inp));
    const mlp = swiglu(modulate(out, m.shiftMlp, m.scale1Mlp), w.gateW, w.upW, w.downW, w.gateB, w.upB, w.downB);
    out = gated(out, m.gateMlp, mlp);
    return inp.rowMask ? (tf.mul(out, inp.rowMask) as tf.Tensor2D) : out;
  });
}
