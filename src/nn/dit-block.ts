import * as tf from "@tensorflow/tfjs-core";
import { attention, attentionPrepared, type PreparedKV } from "./attention.js";
import { swiglu } from "./activations.js";
import { linear } from "./linear.js";
import { rmsNorm } from "./norm.js";

/** AdaRMS modulation of one block for one time (each `[1, h]` broadcast over rows, or `[rows, h]`). `scale1` = 1 + scale. */
export interface BlockModulation {
  shiftMsa: tf.Tensor2D;
  scale1Msa: tf.Tensor2D;
  gateMsa: tf.Tensor2D;
  shiftMca: tf.Tensor2D;
  scale1Mca: tf.Tensor2D;
  gateMca: tf.Tensor2D;
  shiftMlp: tf.Tensor2D;
  scale1Mlp: tf.Tensor2D;
  gateMlp: tf.Tensor2D;
}

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

/** Per-call inputs shared by all blocks of one forward. */
export interface DitBlockInputs {
  heads: number;
  qkNorm: boolean;
  qkNormEps: number;
  /**
   * Joint q/k tables for rows `[rows·2·heads, hd]` (row r·2heads + j: query head j for j < heads, key head j − heads
   * otherwise): `C` = `[cos, cos]` and `S` = `[sin, sin]` at the row's position, query rows pre-multiplied by the score
   * scale 1/√hd; `P` = {@link rotateHalfMatrix}. Without RoPE, `S`/`P` are null and `C` only carries the scale.
   */
  qkTables: { C: tf.Tensor2D; S: tf.Tensor2D | null; P: tf.Tensor2D | null };
  /** Additive self-attention mask `[rows, rows]` (batch blocks, padded horizon keys) or null. */
  selfMask: tf.Tensor2D | null;
  /** Additive cross-attention bias `[1, T]` or null. */
  crossBias: tf.Tensor2D | null;
  /** `[rows, 1]` 0/1 horizon validity (rows multiplied after the block) or null. */
  rowMask: tf.Tensor2D | null;
}

/** `RMS(x)·(1 + scale) + shift`, weightless RMSNorm eps 1e-6 (`shift` null: the shift is folded into the next bias). */
export function modulate(x: tf.Tensor2D, shift: tf.Tensor2D | null, scale1: tf.Tensor2D): tf.Tensor2D {
  const y = tf.mul(rmsNorm(x, 1e-6), scale1) as tf.Tensor2D;
  return shift ? (tf.add(y, shift) as tf.Tensor2D) : y;
}

/**
 * Self-attention work per head (rows²·hd) from which it runs as rank-2 matMuls per head (XNNPACK on wasm; the right
 * operands are fresh each step, which measured leak-free: the backend frees their operators on dispose) instead of one
 * batched matMul (a scalar loop on wasm, but fewer ops). YAM-like rows 30, hd 64: ~19 → ~6 ms of matMul per step.
 */
const SELF_PER_HEAD_MIN_WORK = 1 << 14;

function heads3(x: tf.Tensor2D, heads: number): tf.Tensor3D {
  const [rows, w] = x.shape;
  return tf.reshape(x, [rows, heads, w / heads]) as tf.Tensor3D;
}

/**
 * One MolmoAct2 action-expert block (molmoact2.md §3.2), rows = B·H action tokens of width h:
 * ```
 * x += gate_msa · SelfAttn(modulate(x; shift_msa, scale_msa))      fused qkv, per-head q/k RMSNorm, RoPE, out_proj
 * x += gate_mca · CrossAttn(modulate(x; shift_mca, scale_mca), K_l, V_l)   q_proj, per-head q RMSNorm, no RoPE
 * x += gate_mlp · SwiGLU(modulate(x; shift_mlp, scale_mlp))
 * ```
 * `x: [rows, h]` → `[rows, h]`.
 */
export function ditBlock(x: tf.Tensor2D, m: BlockModulation, w: DitBlockWeights, kv: PreparedKV, inp: DitBlockInputs): tf.Tensor2D {
  return tf.tidy(() => {
    const H = inp.heads;
    // self-attention: q = first h features of qkv, k = next h, v = last h; q and k are normed and roped together
    const rows = x.shape[0];
    const hidden = x.shape[1];
    const hd = hidden / H;
    let y = modulate(x, m.shiftMsa, m.scale1Msa);
    const qkv = linear(y, w.qkvW, w.qkvB);
    const [qk, v] = tf.split(qkv, [2 * hidden, hidden], 1) as tf.Tensor2D[];
    let qkr: tf.Tensor2D = tf.reshape(qk, [rows * 2 * H, hd]);
    if (inp.qkNorm) qkr = rmsNorm(qkr, inp.qkNormEps) as tf.Tensor2D;
    const t = inp.qkTables;
    qkr = (t.S && t.P ? tf.add(tf.mul(qkr, t.C), tf.mul(tf.matMul(qkr, t.P), t.S)) : tf.mul(qkr, t.C)) as tf.Tensor2D;
    let sa: tf.Tensor2D;
    if (rows * rows * hd >= SELF_PER_HEAD_MIN_WORK) {
      // per-head rank-2 matMuls (XNNPACK) instead of the batched kernel (a scalar loop on wasm)
      const [q3, k3] = tf.split(tf.reshape(qkr, [rows, 2 * H, hd]), 2, 1) as tf.Tensor3D[];
      sa = attention(q3, k3, tf.reshape(v, [rows, H, hd]), { path: "perHead", scale: 1, ...(inp.selfMask ? { mask: inp.selfMask } : {}) });
    } else {
      const [qh, kh] = tf.split(tf.transpose(tf.reshape(qkr, [rows, 2 * H, hd]), [1, 0, 2]), 2, 0); // [H, rows, hd] each
      const vh = tf.transpose(tf.reshape(v, [rows, H, hd]), [1, 0, 2]);
      let sc = tf.matMul(qh as tf.Tensor3D, kh as tf.Tensor3D, false, true); // [H, rows, rows], scale is in the q tables
      if (inp.selfMask) sc = tf.add(sc, inp.selfMask);
      sa = tf.reshape(tf.transpose(tf.matMul(tf.softmax(sc), vh), [1, 0, 2]), [rows, hidden]) as tf.Tensor2D;
    }
    let out = tf.add(x, tf.mul(m.gateMsa, linear(sa, w.outW, w.outB))) as tf.Tensor2D;
    // cross-attention to the prepared VLM context of this layer
    y = modulate(out, m.shiftMca, m.scale1Mca);
    let cq = heads3(linear(y, w.qW, w.qB), H);
    if (inp.qkNorm) cq = rmsNorm(cq, inp.qkNormEps) as tf.Tensor3D;
    const ca = attentionPrepared(cq, kv, inp.crossBias ? { mask: inp.crossBias } : {}); // 1/√hd is baked into kv
    out = tf.add(out, tf.mul(m.gateMca, linear(ca, w.cOutW, w.cOutB))) as tf.Tensor2D;
    // SwiGLU MLP
    y = modulate(out, m.shiftMlp, m.scale1Mlp);
    const mlp = swiglu(y, w.gateW, w.upW, w.downW, w.gateB, w.upB, w.downB);
    out = tf.add(out, tf.mul(m.gateMlp, mlp)) as tf.Tensor2D;
    if (inp.rowMask) out = tf.mul(out, inp.rowMask) as tf.Tensor2D;
    return out;
  });
}
