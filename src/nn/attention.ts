import * as tf from "@tensorflow/tfjs-core";
import { checkInt, fail } from "../core/index.js";

/** Additive-mask value for hidden keys (finite, so a fully masked row gives a uniform softmax instead of NaN). */
export const MASK_VALUE = -1e9;

/** Options of {@link attention} and {@link attentionPrepared}. */
export interface AttentionOptions {
  /** Additive mask `[Tq, Tk]` (or `[1, Tk]`, broadcast over queries): 0 where allowed, {@link MASK_VALUE} where hidden. */
  mask?: tf.Tensor2D;
  /** Causal masking: query i sees keys j ≤ i + causalOffset. */
  causal?: boolean;
  /** Number of cached keys before the first query (causal only); default 0. */
  causalOffset?: number;
  /** Score scale; default `1/√hd`. */
  scale?: number;
  /**
   * Kernel layout ({@link attention} only): `perHead` = rank-2 matMuls per KV head (wasm fast path for long contexts),
   * `batched` = one batched matMul (fewer ops for tiny problems), `auto` (default) picks by size. Same results.
   */
  path?: "auto" | "perHead" | "batched";
}

/**
 * K/V prepared once for many attention calls (a cross-attention context or a fixed KV cache): per KV head,
 * `kT[j]: [hd, Tk]` (K transposed, materialised) and `v[j]: [Tk, hd]`, all long-lived so the wasm backend's
 * XNNPACK keeps their packed form. Dispose with {@link PreparedKV.dispose}.
 */
export interface PreparedKV {
  /** Per KV head `K^T · bakedScale`. */
  readonly kT: tf.Tensor2D[];
  /** The score scale already multiplied into `kT` (1 = none). */
  readonly bakedScale: number;
  readonly v: tf.Tensor2D[];
  readonly numKvHeads: number;
  readonly headDim: number;
  readonly length: number;
  dispose(): void;
}

/**
 * K/V kept per KV head as rows, `k[j], v[j]: [Tk, hd]` (K neither transposed nor scaled): the layout of a KV cache
 * that grows by appending rows, so {@link attentionPrepared} reads it with no re-layout of the cache per call.
 */
export interface KvHeads {
  readonly k: readonly tf.Tensor2D[];
  readonly v: readonly tf.Tensor2D[];
}

/**
 * Materialise per-KV-head `K^T` and `V` from `k, v: [Tk, Hkv, hd]` for {@link attentionPrepared}.
 * `opts.scale` (default `1/√hd`, the usual score scale) is multiplied into `K^T` once, so calls that use that scale
 * skip a per-call multiply. The returned tensors are kept (not tidied away); call `dispose()` when done.
 */
export function prepareKV(k: tf.Tensor3D, v: tf.Tensor3D, opts: { scale?: number } = {}): PreparedKV {
  if (k.rank !== 3 || v.rank !== 3 || k.shape.some((d, i) => d !== v.shape[i])) {
    fail("prepareKV", "k", `k and v must both be [Tk, Hkv, hd] with equal shapes; got [${k.shape.join(", ")}] and [${v.shape.join(", ")}]`);
  }
  const [Tk, Hkv, hd] = k.shape;
  const bakedScale = opts.scale ?? 1 / Math.sqrt(hd);
  if (!Number.isFinite(bakedScale)) fail("prepareKV", "opts.scale", `must be finite; got ${bakedScale}`);
  const out = tf.tidy(() => {
    const ks = bakedScale === 1 ? k : tf.mul(k, bakedScale);
    const kt = tf.unstack(tf.transpose(ks, [1, 2, 0])) as tf.Tensor2D[]; // Hkv × [hd, Tk]
    const vs = tf.unstack(tf.transpose(v, [1, 0, 2])) as tf.Tensor2D[]; // Hkv × [Tk, hd]
    return { kt, vs };
  });
  // tidy keeps returned tensors alive
  return {
    kT: out.kt,
    bakedScale,
    v: out.vs,
    numKvHeads: Hkv,
    headDim: hd,
    length: Tk,
    dispose() {
      for (const t of out.kt) t.dispose();
      for (const t of out.vs) t.dispose();
    },
  };
}

/** Build the combined additive mask `[Tq, Tk]` (or null if none) from options. */
function combinedMask(fn: string, Tq: number, Tk: number, opts: AttentionOptions): tf.Tensor2D | null {
  const { mask } = opts;
  if (mask && (mask.rank !== 2 || (mask.shape[0] !== Tq && mask.shape[0] !== 1) || mask.shape[1] !== Tk)) {
    fail(fn, "opts.mask", `must be [${Tq}, ${Tk}] or [1, ${Tk}]; got [${mask.shape.join(", ")}]`);
  }
  if (!opts.causal) {
    if (opts.causalOffset !== undefined && opts.causalOffset !== 0) fail(fn, "opts.causalOffset", "needs opts.causal = true");
    return mask ?? null;
  }
  const off = opts.causalOffset ?? 0;
  checkInt(fn, "opts.causalOffset", off, 0);
  const data = new Float32Array(Tq * Tk);
  for (let i = 0; i < Tq; i++) for (let j = i + off + 1; j < Tk; j++) data[i * Tk + j] = MASK_VALUE;
  const c = tf.tensor2d(data, [Tq, Tk]);
  return mask ? (tf.add(c, mask) as tf.Tensor2D) : c;
}

function checkQ(fn: string, q: tf.Tensor3D, Hkv: number, hd: number): number {
  if (q.rank !== 3) fail(fn, "q", `must be [Tq, Hq, hd]; got [${q.shape.join(", ")}]`);
  const [, Hq, qd] = q.shape;
  if (qd !== hd) fail(fn, "q", `head size must equal the keys' ${hd}; got ${qd}`);
  if (Hq % Hkv !== 0) fail(fn, "q", `head count ${Hq} must be a multiple of the ${Hkv} KV heads (GQA)`);
  return Hq / Hkv;
}

/** Work per KV head above which the per-head rank-2 path is used (wasm XNNPACK), below it one batched matMul. */
const PER_HEAD_MIN_WORK = 1 << 16;

/**
 * Scaled dot-product attention with GQA. `q: [Tq, Hq, hd]`, `k, v: [Tk, Hkv, hd]` with `Hq` a multiple of `Hkv`
 * (query head h reads KV head ⌊h / (Hq/Hkv)⌋). Returns `[Tq, Hq·hd]` (heads concatenated, head-major).
 * Softmax in float32 over keys; masks are additive (0 / {@link MASK_VALUE}); `causal` hides keys j > i + causalOffset.
 *
 * Large problems run as rank-2 matMuls per KV head (the wasm fast path; the query heads of a group are stacked into
 * one `[g·Tq, hd]` operand); small ones as one batched matMul (fewer ops). Both give the same numbers.
 */
export function attention(q: tf.Tensor3D, k: tf.Tensor3D, v: tf.Tensor3D, opts: AttentionOptions = {}): tf.Tensor2D {
  if (k.rank !== 3 || v.rank !== 3 || k.shape.some((d, i) => d !== v.shape[i])) {
    fail("attention", "k", `k and v must both be [Tk, Hkv, hd] with equal shapes; got [${k.shape.join(", ")}] and [${v.shape.join(", ")}]`);
  }
  const [Tk, Hkv, hd] = k.shape;
  const g = checkQ("attention", q, Hkv, hd);
  const Tq = q.shape[0];
  const path = opts.path ?? "auto";
  if (path !== "auto" && path !== "perHead" && path !== "batched") fail("attention", "opts.path", `must be "auto", "perHead" or "batched"; got ${JSON.stringify(path)}`);
  const perHead = path === "auto" ? g * Tq * Tk * hd >= PER_HEAD_MIN_WORK : path === "perHead";
  return tf.tidy(() => {
    const mask = combinedMask("attention", Tq, Tk, opts);
    const scale = opts.scale ?? 1 / Math.sqrt(hd);
    if (perHead) return perHeadRows(q, prepareKV(k, v, { scale }), mask, 1);
    const qg = groupQueries(q, Hkv, g, scale); // [Hkv, g*Tq, hd]
    const gm = mask ? tileMask(mask, g, Tq) : null; // [g*Tq or 1, Tk]
    let o: tf.Tensor3D;
    {
      const kt = tf.transpose(k, [1, 2, 0]); // [Hkv, hd, Tk]
      const vt = tf.transpose(v, [1, 0, 2]); // [Hkv, Tk, hd]
      let s = tf.matMul(qg, kt) as tf.Tensor3D; // [Hkv, g*Tq, Tk]
      if (gm) s = tf.add(s, gm);
      o = tf.matMul(tf.softmax(s), vt) as tf.Tensor3D; // [Hkv, g*Tq, hd]
    }
    return ungroup(o, Tq, Hkv * g, hd);
  });
}

/**
 * Attention against K/V prepared by {@link prepareKV}, or kept per KV head as rows ({@link KvHeads}, e.g. a KV cache).
 * Same semantics and output shape `[Tq, Hq·hd]` as {@link attention}. Use for a cross-attention context or KV cache
 * reused across calls.
 */
export function attentionPrepared(q: tf.Tensor3D, kv: PreparedKV | KvHeads, opts: AttentionOptions = {}): tf.Tensor2D {
  if (!("kT" in kv)) return attentionHeads(q, kv, opts);
  const g = checkQ("attentionPrepared", q, kv.numKvHeads, kv.headDim);
  const Tq = q.shape[0];
  const scale = opts.scale ?? 1 / Math.sqrt(kv.headDim);
  void g;
  return tf.tidy(() => perHeadRows(q, kv, combinedMask("attentionPrepared", Tq, kv.length, opts), scale / kv.bakedScale));
}

/**
 * {@link attentionPrepared} over {@link KvHeads}: for tiny problems one batched matMul pair over the stacked heads,
 * else one rank-2 matMul pair per KV head (the g query heads of a group
 * stacked as `[g·Tq, hd]` rows, head-in-group major), no KV expanded to the query heads, the mask broadcast over
 * the group rather than tiled. With few query rows (a decode step, `g·Tq < hd`) the scores come out as `K·qᵀ`
 * (`[Tk, g·Tq]`, K read in place as the matMul's left operand) and only the small scores are transposed; with many
 * (a prefill) each head's `Kᵀ [hd, Tk]` is transposed once, which is smaller than the scores. (`matMul(q, k, false,
 * true)` would copy nothing either, but tfjs-wasm runs a transposed B outside XNNPACK, ~10× slower.)
 */
function attentionHeads(q: tf.Tensor3D, kv: KvHeads, opts: AttentionOptions): tf.Tensor2D {
  const fn = "attentionPrepared";
  const Hkv = kv.k.length;
  if (Hkv === 0 || kv.v.length !== Hkv) fail(fn, "kv", `must hold as many V heads as K heads (at least one); got ${Hkv} K and ${kv.v.length} V`);
  const [Tk, hd] = kv.k[0].shape;
  for (const t of [...kv.k, ...kv.v]) {
    if (t.rank !== 2 || t.shape[0] !== Tk || t.shape[1] !== hd) fail(fn, "kv", `heads must all be [${Tk}, ${hd}]; got [${t.shape.join(", ")}]`);
  }
  const g = checkQ(fn, q, Hkv, hd);
  const [Tq, Hq] = q.shape;
  const scale = opts.scale ?? 1 / Math.sqrt(hd);
  if (!Number.isFinite(scale)) fail(fn, "opts.scale", `must be finite; got ${scale}`);
  const rows = g * Tq;
  return tf.tidy(() => {
    const mask = combinedMask(fn, Tq, Tk, opts);
    const qs = scale === 1 ? q : (tf.mul(q, scale) as tf.Tensor3D);
    // the mask [Tq, Tk] repeats for each head of a group: broadcast it over [g, Tq, Tk] (tiling it is a slow copy on wasm)
    const addMask = (s: tf.Tensor2D): tf.Tensor2D =>
      !mask ? s : g === 1 || mask.shape[0] === 1 ? tf.add(s, mask) : (tf.reshape(tf.add(tf.reshape(s, [g, Tq, Tk]), mask), [rows, Tk]) as tf.Tensor2D);
    if (rows * Tk * hd < PER_HEAD_MIN_WORK) {
      // tiny problems are op-dispatch-bound: stack the heads and run one batched matMul pair
      const qg = Tq === 1 ? tf.reshape(qs, [Hkv, g, hd]) : tf.reshape(tf.transpose(qs, [1, 0, 2]), [Hkv, rows, hd]);
      let s = tf.matMul(qg, tf.stack(kv.k as tf.Tensor2D[]) as tf.Tensor3D, false, true); // [Hkv, g·Tq, Tk]
      if (mask) s = mask.shape[0] === 1 ? tf.add(s, mask) : tf.reshape(tf.add(tf.reshape(s, [Hkv * g, Tq, Tk]), mask), [Hkv, rows, Tk]);
      const o = tf.matMul(tf.softmax(s), tf.stack(kv.v as tf.Tensor2D[]) as tf.Tensor3D) as tf.Tensor3D; // [Hkv, g·Tq, hd] = [Hq, Tq, hd]
      return ungroup(o, Tq, Hq, hd);
    }
    const outs: tf.Tensor2D[] = [];
    if (rows < hd) {
      // qᵀ per group: [Tq, Hkv, g, hd] → [Hkv, hd, g, Tq] (columns head-in-group major, like the rows below)
      const qT = tf.unstack(tf.transpose(tf.reshape(qs, [Tq, Hkv, g, hd]), [1, 3, 2, 0]));
      for (let j = 0; j < Hkv; j++) {
        const s = tf.transpose(tf.matMul(kv.k[j], tf.reshape(qT[j], [hd, rows]) as tf.Tensor2D)) as tf.Tensor2D; // [g·Tq, Tk]
        outs.push(tf.matMul(tf.softmax(addMask(s)) as tf.Tensor2D, kv.v[j]));
      }
    } else {
      const qg = tf.unstack(tf.reshape(tf.transpose(qs, [1, 0, 2]), [Hkv, rows, hd])) as tf.Tensor2D[]; // [g·Tq, hd] each
      for (let j = 0; j < Hkv; j++) {
        const s = tf.matMul(qg[j], tf.transpose(kv.k[j]) as tf.Tensor2D) as tf.Tensor2D; // [g·Tq, Tk]
        outs.push(tf.matMul(tf.softmax(addMask(s)) as tf.Tensor2D, kv.v[j]));
      }
    }
    const o = Hkv === 1 ? outs[0] : tf.concat(outs, 0); // [Hq·Tq, hd], rows head-major
    return (Tq === 1 ? tf.reshape(o, [1, Hq * hd]) : tf.reshape(tf.transpose(tf.reshape(o, [Hq, Tq, hd]), [1, 0, 2]), [Tq, Hq * hd])) as tf.Tensor2D;
  });
}

/** `[Tq, Hq, hd]` → scaled `[Hkv, g·Tq, hd]` (rows ordered head-in-group, then query). */
function groupQueries(q: tf.Tensor3D, Hkv: number, g: number, scale: number): tf.Tensor3D {
  const [Tq, Hq, hd] = q.shape;
  const qt = tf.transpose(scale === 1 ? q : tf.mul(q, scale), [1, 0, 2]); // [Hq, Tq, hd]
  return tf.reshape(qt, [Hkv, g * Tq, hd]) as tf.Tensor3D;
  void Hq;
}

function tileMask(mask: tf.Tensor2D, g: number, Tq: number): tf.Tensor2D {
  if (g === 1 || mask.shape[0] === 1) return mask;
  void Tq;
  return tf.tile(mask, [g, 1]);
}

/**
 * The per-KV-head rank-2 path with few ops: split q's columns into heads (`q` is `[Tq, Hq, hd]`, so head h is columns
 * h·hd … of the `[Tq, Hq·hd]` view), stack a group's g heads as rows, two rank-2 matMuls against the prepared
 * (long-lived) `K^T`/`V` of its KV head, and concatenate the heads' outputs back into columns.
 */
function perHeadRows(q: tf.Tensor3D, kv: PreparedKV, mask: tf.Tensor2D | null, extraScale: number): tf.Tensor2D {
  const [Tq, Hq, hd] = q.shape;
  const g = Hq / kv.numKvHeads;
  let q2 = tf.reshape(q, [Tq, Hq * hd]);
  if (extraScale !== 1) q2 = tf.mul(q2, extraScale);
  const heads = Hq === 1 ? [q2 as tf.Tensor2D] : (tf.split(q2, Hq, 1) as tf.Tensor2D[]);
  const gm = mask && g > 1 && mask.shape[0] !== 1 ? tf.tile(mask, [g, 1]) : mask;
  const outs: tf.Tensor2D[] = [];
  for (let j = 0; j < kv.numKvHeads; j++) {
    const qg = g === 1 ? heads[j] : (tf.concat(heads.slice(j * g, (j + 1) * g), 0) as tf.Tensor2D); // [g·Tq, hd]
    let s: tf.Tensor2D = tf.matMul(qg, kv.kT[j]);
    if (gm) s = tf.add(s, gm);
    const o = tf.matMul(tf.softmax(s), kv.v[j]); // [g·Tq, hd]
    if (g === 1) outs.push(o as tf.Tensor2D);
    else outs.push(...(tf.split(o, g, 0) as tf.Tensor2D[]));
  }
  return (outs.length === 1 ? outs[0] : tf.concat(outs, 1)) as tf.Tensor2D;
}

/** `[Hkv, g·Tq, hd]` → `[Tq, Hq·hd]`. */
function ungroup(o: tf.Tensor3D, Tq: number, Hq: number, hd: number): tf.Tensor2D {
  if (Tq === 1) return tf.reshape(o, [1, Hq * hd]);
  const oh = tf.reshape(o, [Hq, Tq, hd]);
  return tf.reshape(tf.transpose(oh, [1, 0, 2]), [Tq, Hq * hd]) as tf.Tensor2D;
}
