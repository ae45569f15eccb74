import * as tf from "@tensorflow/tfjs-core";
import { checkInt, fail } from "../core/index.js";
import { applyRope, attentionPrepared, linear, MASK_VALUE, rmsNorm, ropeTables, silu, type KvHeads, type ParamMap } from "../nn/index.js";
import type { TextConfig } from "./config.js";
import { KvCache } from "./kv-cache.js";
import { LM } from "./param-shapes.js";

/**
 * The reference text model (`MolmoAct2TextModel`, Qwen3-style) on tfjs, batch 1, rows = positions:
 * per block `h += attn_out(Attn(attn_norm(h)))`, `h += ff_out(silu(gate)·up)` with the fused `att_proj`
 * (columns `[q | k | v]`, optional bias) and `ff_proj` (columns `[up | gate]`), q/k RMSNorm per head
 * (`qwen3`) or over the whole projection (`olmo`), RoPE rotate-half (θ = ropeTheta), GQA over a per-layer
 * KV cache; post-norm blocks when `normAfter`; final `ln_f`; `lm_head` over the base vocabulary.
 */
export class Qwen3Decoder {
  readonly cfg: TextConfig;
  private readonly params: ParamMap;
  private readonly head: tf.Tensor2D;

  constructor(params: ParamMap, cfg: TextConfig) {
    this.cfg = cfg;
    this.params = params;
    const need = (n: string) => params[n] ?? fail("Qwen3Decoder", "params", `must contain ${JSON.stringify(n)}; it is missing`);
    this.head = need("lm_head.weight") as tf.Tensor2D;
    need(`${LM}.wte.embedding`);
    need(`${LM}.ln_f.weight`);
    for (let l = 0; l < cfg.numHiddenLayers; l++) need(`${LM}.blocks.${l}.mlp.ff_proj.weight`);
  }

  /** Rows of the embedding table (base vocabulary + additional image-token rows). */
  get embeddingRows(): number {
    return this.cfg.vocabSize + this.cfg.additionalVocabSize;
  }

  /** A fresh empty cache with one slot per layer. */
  newCache(): KvCache {
    return new KvCache(this.cfg.numHiddenLayers);
  }

  /** Token embeddings `[T, d]` for `ids`. */
  embed(ids: readonly number[]): tf.Tensor2D {
    const rows = this.embeddingRows;
    ids.forEach((id, i) => checkInt("Qwen3Decoder.embed", `ids[${i}]`, id, 0, rows - 1));
    return tf.tidy(() => tf.gather(this.params[`${LM}.wte.embedding`], tf.tensor1d(Int32Array.from(ids), "int32")) as tf.Tensor2D);
  }

  /**
   * Run `x: [T, d]` (embeddings of `ids`, positions `cache.length … cache.length + T − 1`) through every
   * block, appending K/V to `cache`; returns the final-normed hidden states `[T, d]`. Attention is causal;
   * `imageBlock` (the processor's `token_type_ids`, prefill only) lets every position marked 1 also see
   * every other position marked 1, before or after it.
   */
  forward(x: tf.Tensor2D, ids: readonly number[], cache: KvCache, imageBlock?: ArrayLike<number>): tf.Tensor2D {
    const fn = "Qwen3Decoder.forward";
    const c = this.cfg;
    const T = x.shape[0];
    if (x.rank !== 2 || x.shape[1] !== c.hiddenSize) fail(fn, "x", `must be [T, ${c.hiddenSize}]; got [${x.shape.join(", ")}]`);
    if (ids.length !== T) fail(fn, "ids", `must have one id per row of x (${T}); got ${ids.length}`);
    const p0 = cache.length;
    if (imageBlock && (imageBlock.length !== T || p0 !== 0)) {
      fail(fn, "imageBlock", `must have one entry per prefill token (${T}) and be used on an empty cache; got ${imageBlock.length} entries at position ${p0}`);
    }
    // one additive mask per forward, shared by every layer (one query sees every cached key: none needed)
    const mask = T === 1 ? null : imageBlock && Array.prototype.some.call(imageBlock, (v: number) => v) ? prefillMask(imageBlock) : causalMask(T, p0);
    const out = tf.tidy(() => {
      const { cos, sin } = ropeTables(Array.from({ length: T }, (_, i) => p0 + i), c.headDim, c.ropeTheta);
      const qd = c.numAttentionHeads * c.headDim;
      const kd = c.numKeyValueHeads * c.headDim;
      const maskT = mask ? tf.tensor2d(mask, [T, p0 + T]) : null;
      let h = x;
      for (let l = 0; l < c.numHiddenLayers; l++) {
        const b = `${LM}.blocks.${l}`;
        const P = (n: string) => this.params[`${b}.${n}`];
        const a = c.normAfter ? h : (rmsNorm(h, c.layerNormEps, P("attn_norm.weight") as tf.Tensor1D) as tf.Tensor2D);
        const qkv = linear(a, P("self_attn.att_proj.weight") as tf.Tensor2D, P("self_attn.att_proj.bias") as tf.Tensor1D | undefined);
        let q: tf.Tensor = tf.slice(qkv, [0, 0], [T, qd]);
        let k: tf.Tensor = tf.slice(qkv, [0, qd], [T, kd]);
        const v = tf.reshape(tf.slice(qkv, [0, qd + kd], [T, kd]), [T, c.numKeyValueHeads, c.headDim]) as tf.Tensor3D;
        if (c.useQkNorm && c.qkNormType === "olmo") {
          q = rmsNorm(q, c.layerNormEps, P("self_attn.q_norm.weight") as tf.Tensor1D);
          k = rmsNorm(k, c.layerNormEps, P("self_attn.k_norm.weight") as tf.Tensor1D);
        }
        q = tf.reshape(q, [T, c.numAttentionHeads, c.headDim]);
        k = tf.reshape(k, [T, c.numKeyValueHeads, c.headDim]);
        if (c.useQkNorm && c.qkNormType === "qwen3") {
          q = rmsNorm(q, c.layerNormEps, P("self_attn.q_norm.weight") as tf.Tensor1D);
          k = rmsNorm(k, c.layerNormEps, P("self_attn.k_norm.weight") as tf.Tensor1D);
        }
        const qr = applyRope(q as tf.Tensor3D, cos, sin);
        const kr = applyRope(k as tf.Tensor3D, cos, sin);
        const all = cache.append(l, kr, v);
        let att = linear(this.attend(qr, all, maskT), P("self_attn.attn_out.weight") as tf.Tensor2D);
        if (c.normAfter) att = rmsNorm(att, c.layerNormEps, P("attn_norm.weight") as tf.Tensor1D) as tf.Tensor2D;
        h = tf.add(h, att) as tf.Tensor2D;
        const f = c.normAfter ? h : (rmsNorm(h, c.layerNormEps, P("ff_norm.weight") as tf.Tensor1D) as tf.Tensor2D);
        // one matMul against the fused [up | gate] weight, then split the output (no copy of the weight)
        const I = c.intermediateSize;
        const upGate = linear(f, P("mlp.ff_proj.weight") as tf.Tensor2D);
        const inner = tf.mul(tf.slice(upGate, [0, 0], [T, I]), silu(tf.slice(upGate, [0, I], [T, I]))) as tf.Tensor2D;
        let mlp = linear(inner, P("mlp.ff_out.weight") as tf.Tensor2D);
        if (c.normAfter) mlp = rmsNorm(mlp, c.layerNormEps, P("ff_norm.weight") as tf.Tensor1D) as tf.Tensor2D;
        h = tf.add(h, mlp) as tf.Tensor2D;
      }
      return rmsNorm(h, c.layerNormEps, this.params[`${LM}.ln_f.weight`] as tf.Tensor1D) as tf.Tensor2D;
    });
    cache.commitTokens(ids);
    return out;
  }

  /**
   * GQA attention of `q: [T, Hq, hd]` (positions p0…) over the cached per-KV-head `k, v: [p0 + T, hd]` with the
   * forward's mask (causal or the prefill's; none for one query). The KV heads are never expanded to the query heads:
   * each KV head attends for its group of query heads at once.
   */
  private attend(q: tf.Tensor3D, kv: KvHeads, mask: tf.Tensor2D | null): tf.Tensor2D {
    return attentionPrepared(q, kv, mask ? { mask } : {});
  }

  /** Logits `[T, vocab]` of hidden states `[T, d]` (`lm_head`: base vocabulary rows only). */
  logits(h: tf.Tensor2D): tf.Tensor2D {
    return linear(h, this.head);
  }

  /** Nothing to free: the decoder holds no tensors of its own (the parameter map is the model's). */
  dispose(): void {}
}

/**
 * The prefill's additive mask `[T, T]`: position i sees j ≤ i, and an image token (type 1) also sees every
 * image token of the sequence — one bidirectional block across all images (the reference ORs the causal
 * mask with `token_type_ids[i] & token_type_ids[j]`).
 */
export function prefillMask(tokenTypes: ArrayLike<number>): Float32Array {
  const T = tokenTypes.length;
  const m = new Float32Array(T * T);
  for (let i = 0; i < T; i++) {
    const ti = tokenTypes[i];
    for (let j = i + 1; j < T; j++) if (!(ti && tokenTypes[j])) m[i * T + j] = MASK_VALUE;
  }
  return m;
}

/** The additive causal mask `[T, p0 + T]` of T new positions after p0 cached ones: row i sees keys j ≤ p0 + i. */
function causalMask(T: number, p0: number): Float32Array {
  const Tk = p0 + T;
  const m = new Float32Array(T * Tk);
  for (let i = 0; i < T; i++) m.fill(MASK_VALUE, i * Tk + p0 + i + 1, (i + 1) * Tk);
  return m;
}
