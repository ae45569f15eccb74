import * as tf from "@tensorflow/tfjs-core";
import { checkInt, fail } from "../core/index.js";
import { applyRope, attention, getParam, linear, rmsNorm, ropeTables, swiglu, type ParamMap } from "../nn/index.js";
import type { LlmConfig } from "./config.js";
import { KvCache } from "./kv-cache.js";

/** Reference parameter-name prefix of the decoder (Molmo2 / OLMo naming). */
export const LM = "model.transformer";

/**
 * Qwen3-style decoder on tfjs (pre-norm blocks): RMSNorm(w) → fused QKV (`att_proj`, columns
 * `[q | k | v]`) → per-head RMSNorm on q and k (`q_norm`, `k_norm`, weight `[headDim]`) → RoPE
 * (θ = `ropeTheta`, rotate-half) → causal GQA attention over the KV cache → `attn_out` → residual;
 * RMSNorm(w) → SwiGLU with the fused `ff_proj` (columns `[up | gate]`, OLMo's `x, gate = chunk(2)`,
 * INF) and `ff_out` → residual; final `ln_f`; `lm_head` (or the tied embedding).
 *
 * Rows are positions (batch 1), so every matMul is rank-2 `x @ W` (wasm fast path).
 */
export class Qwen3Decoder {
  readonly cfg: LlmConfig;
  private readonly params: ParamMap;
  private readonly head: tf.Tensor2D;
  private readonly ownsHead: boolean;
  /** `ff_proj` split once into long-lived `[d, I]` halves (up, gate) per layer. */
  private readonly ffSplit: { up: tf.Tensor2D; gate: tf.Tensor2D }[];

  constructor(params: ParamMap, cfg: LlmConfig) {
    this.cfg = cfg;
    this.params = params;
    const fn = "Qwen3Decoder";
    const E = getParam(fn, params, `${LM}.wte.embedding`, [cfg.vocabSize, cfg.hiddenSize]);
    if (cfg.tieEmbeddings) {
      this.head = tf.keep(tf.transpose(E) as tf.Tensor2D); // [d, V], long-lived right operand
      this.ownsHead = true;
    } else {
      this.head = getParam(fn, params, "lm_head.weight", [cfg.hiddenSize, cfg.vocabSize]) as tf.Tensor2D;
      this.ownsHead = false;
    }
    for (let l = 0; l < cfg.layers; l++) for (const [n, s] of Object.entries(blockShapes(cfg, l))) getParam(fn, params, n, s);
    getParam(fn, params, `${LM}.ln_f.weight`, [cfg.hiddenSize]);
    const I = cfg.intermediateSize;
    this.ffSplit = Array.from({ length: cfg.layers }, (_, l) => {
      const ff = params[`${LM}.blocks.${l}.mlp.ff_proj.weight`];
      return tf.tidy(() => ({
        up: tf.keep(tf.slice(ff, [0, 0], [cfg.hiddenSize, I]) as tf.Tensor2D),
        gate: tf.keep(tf.slice(ff, [0, I], [cfg.hiddenSize, I]) as tf.Tensor2D),
      }));
    });
  }

  /** A fresh empty cache with one slot per layer. */
  newCache(): KvCache {
    return new KvCache(this.cfg.layers);
  }

  /** Token embeddings `[T, d]` for `ids`. */
  embed(ids: readonly number[]): tf.Tensor2D {
    const V = this.cfg.vocabSize;
    ids.forEach((id, i) => checkInt("Qwen3Decoder.embed", `ids[${i}]`, id, 0, V - 1));
    return tf.tidy(() => tf.gather(this.params[`${LM}.wte.embedding`], tf.tensor1d(Int32Array.from(ids), "int32")) as tf.Tensor2D);
  }

  /**
   * Run `x: [T, d]` (embeddings of `ids`, positions `cache.length … cache.length + T − 1`) through every
   * block, appending K/V to `cache`; returns the final-normed hidden states `[T, d]`.
   */
  forward(x: tf.Tensor2D, ids: readonly number[], cache: KvCache): tf.Tensor2D {
    const c = this.cfg;
    const T = x.shape[0];
    if (x.rank !== 2 || x.shape[1] !== c.hiddenSize) fail("Qwen3Decoder.forward", "x", `must be [T, ${c.hiddenSize}]; got [${x.shape.join(", ")}]`);
    if (ids.length !== T) fail("Qwen3Decoder.forward", "ids", `must have one id per row of x (${T}); got ${ids.length}`);
    const p0 = cache.length;
    const out = tf.tidy(() => {
      const pos = Array.from({ length: T }, (_, i) => p0 + i);
      const { cos, sin } = ropeTables(pos, c.headDim, c.ropeTheta);
      const qd = c.heads * c.headDim;
      const kd = c.kvHeads * c.headDim;
      let h = x;
      for (let l = 0; l < c.layers; l++) {
        const b = `${LM}.blocks.${l}`;
        const P = (n: string) => this.params[`${b}.${n}`];
        const a = rmsNorm(h, c.rmsEps, P("attn_norm.weight") as tf.Tensor1D) as tf.Tensor2D;
        const qkv = linear(a, P("self_attn.att_proj.weight") as tf.Tensor2D);
        let q = tf.reshape(tf.slice(qkv, [0, 0], [T, qd]), [T, c.heads, c.headDim]) as tf.Tensor3D;
        let k = tf.reshape(tf.slice(qkv, [0, qd], [T, kd]), [T, c.kvHeads, c.headDim]) as tf.Tensor3D;
        const v = tf.reshape(tf.slice(qkv, [0, qd + kd], [T, kd]), [T, c.kvHeads, c.headDim]) as tf.Tensor3D;
        q = applyRope(rmsNorm(q, c.rmsEps, P("self_attn.q_norm.weight") as tf.Tensor1D) as tf.Tensor3D, cos, sin);
        k = applyRope(rmsNorm(k, c.rmsEps, P("self_attn.k_norm.weight") as tf.Tensor1D) as tf.Tensor3D, cos, sin);
        const all = cache.append(l, k, v);
        const att = this.attend(q, all.k, all.v, p0);
        h = tf.add(h, linear(att, P("self_attn.attn_out.weight") as tf.Tensor2D)) as tf.Tensor2D;
        const f = rmsNorm(h, c.rmsEps, P("ff_norm.weight") as tf.Tensor1D) as tf.Tensor2D;
        const { up, gate } = this.ffSplit[l];
        h = tf.add(h, swiglu(f, gate, up, P("mlp.ff_out.weight") as tf.Tensor2D)) as tf.Tensor2D;
      }
      return rmsNorm(h, c.rmsEps, this.params[`${LM}.ln_f.weight`] as tf.Tensor1D) as tf.Tensor2D;
    });
    cache.commitTokens(ids);
    return out;
  }

  /**
   * Causal GQA attention of `q: [T, Hq, hd]` (positions p0…) over the cached `k, v: [p0 + T, Hkv, hd]`.
   * One query needs no mask (it sees every cached key). For several queries the KV heads are expanded
   * to the query heads with a gather, so `nn.attention` runs with one query head per KV head and builds
   * its causal mask once instead of tiling it per group (the tile dominated prefill time on wasm).
   */
  private attend(q: tf.Tensor3D, k: tf.Tensor3D, v: tf.Tensor3D, p0: number): tf.Tensor2D {
    const T = q.shape[0];
    if (T === 1) return attention(q, k, v);
    const g = this.cfg.heads / this.cfg.kvHeads;
    if (g === 1) return attention(q, k, v, { causal: true, causalOffset: p0 });
    const idx = tf.tensor1d(Int32Array.from({ length: this.cfg.heads }, (_, h) => Math.floor(h / g)), "int32");
    return attention(q, tf.gather(k, idx, 1) as tf.Tensor3D, tf.gather(v, idx, 1) as tf.Tensor3D, { causal: true, causalOffset: p0 });
  }

  /** Logits `[T, vocab]` of hidden states `[T, d]`. */
  logits(h: tf.Tensor2D): tf.Tensor2D {
    return linear(h, this.head);
  }

  /** Free tensors this object created (not the parameter map). */
  dispose(): void {
    if (this.ownsHead) this.head.dispose();
    for (const s of this.ffSplit) {
      s.up.dispose();
      s.gate.dispose();
    }
  }
}

/** Parameter names and shapes of decoder block `l`. */
function blockShapes(c: LlmConfig, l: number): Record<string, number[]> {
  const b = `${LM}.blocks.${l}`;
  const d = c.hiddenSize;
  const qkv = (c.heads + 2 * c.kvHeads) * c.headDim;
  return {
    [`${b}.attn_norm.weight`]: [d],
    [`${b}.self_attn.att_proj.weight`]: [d, qkv],
    [`${b}.self_attn.q_norm.weight`]: [c.headDim],
    [`${b}.self_attn.k_norm.weight`]: [c.headDim],
    [`${b}.self_attn.attn_out.weight`]: [c.heads * c.headDim, d],
    [`${b}.ff_norm.weight`]: [d],
    [`${b}.mlp.ff_proj.weight`]: [d, 2 * c.intermediateSize],
    [`${b}.mlp.ff_out.weight`]: [c.intermediateSize, d],
  };
}

/** Parameter names and shapes of the decoder (`[in, out]` for linear weights; embedding `[vocab, d]`). */
export function llmParamShapes(c: LlmConfig): Record<string, number[]> {
  const out: Record<string, number[]> = { [`${LM}.wte.embedding`]: [c.vocabSize, c.hiddenSize], [`${LM}.ln_f.weight`]: [c.hiddenSize] };
  for (let l = 0; l < c.layers; l++) Object.assign(out, blockShapes(c, l));
  if (!c.tieEmbeddings) out["lm_head.weight"] = [c.hiddenSize, c.vocabSize];
  return out;
}
