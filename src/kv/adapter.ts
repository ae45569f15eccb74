import * as tf from "@tensorflow/tfjs-core";
import { checkInt, checkNumber, checkOneOf, fail } from "../core/index.js";
import { getParam, rmsNorm, type ParamMap } from "../nn/index.js";
import { MOLMOACT2_TOKENS, type TokenTable } from "../vocab/index.js";
import { depthGateRowScales, pooledValue, type DepthGateLinear, type DepthGateMode } from "./depth-gate.js";
import { contextKeyMask, depthTokenMask, keyMaskBias } from "./masks.js";

/** One VLM layer's cached K and V for a single sequence: `[T, n_kv, hd_llm]` float32 (K after q/k-norm and RoPE). */
export interface LayerKV {
  k: tf.Tensor3D;
  v: tf.Tensor3D;
}

/**
 * `per_layer` (reference): shared `P_K`/`P_V: [n_kv·hd_llm, h]` on the head-major flattened K/V.
 * `per_head` (paper ablation; **not reference-parity**, the public code has no definition): each VLM KV head j has its
 * own projections `[hd_llm, r·hd]` onto expert heads j·r … j·r+r−1 (r = heads / n_kv), i.e. a block-diagonal `P_K`/`P_V`,
 * and the context RMSNorm is applied per expert head instead of over the whole h-vector.
 */
export type KvMode = "per_layer" | "per_head";

/** Shape/behaviour of the adapter; all widths must match the parameters. */
export interface KvAdapterConfig {
  /** Number of VLM layers = expert blocks. */
  numLayers: number;
  /** VLM KV heads (Qwen3-4B: 8). */
  llmNumKvHeads: number;
  /** VLM head size (Qwen3-4B: 128). */
  llmHeadDim: number;
  /** Expert width h. */
  hiddenSize: number;
  /** Expert heads; hd = h / heads. */
  numHeads: number;
  /** Weightless RMSNorm after the projection (`context_layer_norm`); default true. */
  contextLayerNorm?: boolean;
  /** Per-head weightless RMSNorm of K (block l's `cross_attn.k_norm`); default true. */
  qkNorm?: boolean;
  /** Epsilon of the per-head K norm; default 1e-6. */
  qkNormEps?: number;
  /** Default `per_layer`. */
  mode?: KvMode;
  /** Depth gate; default none. */
  depthGate?: DepthGateMode | "none";
}

/** The expert-ready context: per layer `k, v: [T, heads, hd]`, the visibility mask and its additive bias `[1, T]`. */
export interface ProjectedContext {
  layers: { k: tf.Tensor3D; v: tf.Tensor3D }[];
  /** 1 = the expert may attend to this position. */
  visible: Uint8Array;
  /** Additive cross-attention bias `[1, T]`, or null when every position is visible. */
  bias: tf.Tensor2D | null;
  dispose(): void;
}

/** Options of {@link KvAdapter.project}. */
export interface ProjectOptions {
  tokens?: TokenTable;
  attentionMask?: ArrayLike<number | boolean>;
  hideActionAndEos?: boolean;
}

/**
 * Parameter names the adapter reads (weights `[in, out]`):
 * - `per_layer`: `{prefix}context_k_proj.weight`, `{prefix}context_v_proj.weight` `[n_kv·hd_llm, h]`.
 * - `per_head`: `{prefix}context_k_proj_heads.{j}.weight`, `{prefix}context_v_proj_heads.{j}.weight` `[hd_llm, r·hd]`
 *   (this library's names; no reference exists).
 * - depth gate: `{gatePrefix}.weight` `[n_kv·hd_llm, 1]` and `.bias` `[1]` (shared), or `{gatePrefix}.{l}.weight/bias`.
 */
export function kvAdapterParamShapes(config: KvAdapterConfig, prefix = "action_expert.", gatePrefix = "action_expert_depth_gate"): Record<string, number[]> {
  const c = normalizeConfig(config);
  const kvDim = c.llmNumKvHeads * c.llmHeadDim;
  const out: Record<string, number[]> = {};
  if (c.mode === "per_layer") {
    out[`${prefix}context_k_proj.weight`] = [kvDim, c.hiddenSize];
    out[`${prefix}context_v_proj.weight`] = [kvDim, c.hiddenSize];
  } else {
    const r = c.numHeads / c.llmNumKvHeads;
    const hd = c.hiddenSize / c.numHeads;
    for (let j = 0; j < c.llmNumKvHeads; j++) {
      out[`${prefix}context_k_proj_heads.${j}.weight`] = [c.llmHeadDim, r * hd];
      out[`${prefix}context_v_proj_heads.${j}.weight`] = [c.llmHeadDim, r * hd];
    }
  }
  if (c.depthGate === "shared") {
    out[`${gatePrefix}.weight`] = [kvDim, 1];
    out[`${gatePrefix}.bias`] = [1];
  } else if (c.depthGate === "per_layer") {
    for (let l = 0; l < c.numLayers; l++) {
      out[`${gatePrefix}.${l}.weight`] = [kvDim, 1];
      out[`${gatePrefix}.${l}.bias`] = [1];
    }
  }
  return out;
}

type FullConfig = Required<KvAdapterConfig>;

function normalizeConfig(config: KvAdapterConfig): FullConfig {
  const fn = "KvAdapter";
  checkInt(fn, "config.numLayers", config.numLayers, 1);
  checkInt(fn, "config.llmNumKvHeads", config.llmNumKvHeads, 1);
  checkInt(fn, "config.llmHeadDim", config.llmHeadDim, 1);
  checkInt(fn, "config.hiddenSize", config.hiddenSize, 1);
  checkInt(fn, "config.numHeads", config.numHeads, 1);
  if (config.hiddenSize % config.numHeads !== 0) fail(fn, "config.numHeads", `must divide hiddenSize ${config.hiddenSize}; got ${config.numHeads}`);
  const mode = checkOneOf(fn, "config.mode", config.mode ?? "per_layer", ["per_layer", "per_head"] as const);
  if (mode === "per_head" && config.numHeads % config.llmNumKvHeads !== 0) {
    fail(fn, "config.numHeads", `must be a multiple of llmNumKvHeads ${config.llmNumKvHeads} in per_head mode; got ${config.numHeads}`);
  }
  const depthGate = checkOneOf(fn, "config.depthGate", config.depthGate ?? "none", ["none", "shared", "per_layer"] as const);
  const qkNormEps = checkNumber(fn, "config.qkNormEps", config.qkNormEps ?? 1e-6, 0);
  return { ...config, mode, depthGate, qkNormEps, contextLayerNorm: config.contextLayerNorm ?? true, qkNorm: config.qkNorm ?? true };
}

/**
 * Per-layer KV adapter (molmoact2.md §4.1): VLM layer l's K/V `[T, n_kv, hd_llm]` → head-major flatten `[T, n_kv·hd_llm]`
 * → (depth gate scales depth-token rows) → shared `P_K` / `P_V` → weightless RMSNorm → view `[T, heads, hd]` → K gets the
 * per-head weightless k_norm of expert block l. The expert's block l always reads VLM layer l.
 */
export class KvAdapter {
  readonly config: FullConfig;
  private readonly pk: tf.Tensor2D[];
  private readonly pv: tf.Tensor2D[];
  private readonly gates: DepthGateLinear[];

  /** @param params map holding the tensors named by {@link kvAdapterParamShapes} (not copied, not disposed here). */
  constructor(config: KvAdapterConfig, params: ParamMap, prefix = "action_expert.", gatePrefix = "action_expert_depth_gate") {
    this.config = normalizeConfig(config);
    const shapes = kvAdapterParamShapes(this.config, prefix, gatePrefix);
    const get = (name: string): tf.Tensor => getParam("KvAdapter", params, name, shapes[name]);
    const c = this.config;
    if (c.mode === "per_layer") {
      this.pk = [get(`${prefix}context_k_proj.weight`) as tf.Tensor2D];
      this.pv = [get(`${prefix}context_v_proj.weight`) as tf.Tensor2D];
    } else {
      this.pk = [];
      this.pv = [];
      for (let j = 0; j < c.llmNumKvHeads; j++) {
        this.pk.push(get(`${prefix}context_k_proj_heads.${j}.weight`) as tf.Tensor2D);
        this.pv.push(get(`${prefix}context_v_proj_heads.${j}.weight`) as tf.Tensor2D);
      }
    }
    this.gates = [];
    if (c.depthGate === "shared") {
      this.gates.push({ weight: get(`${gatePrefix}.weight`) as tf.Tensor2D, bias: get(`${gatePrefix}.bias`) as tf.Tensor1D });
    } else if (c.depthGate === "per_layer") {
      for (let l = 0; l < c.numLayers; l++) {
        this.gates.push({ weight: get(`${gatePrefix}.${l}.weight`) as tf.Tensor2D, bias: get(`${gatePrefix}.${l}.bias`) as tf.Tensor1D });
      }
    }
  }

  /**
   * Project all layers once per chunk. `perLayerKV[l] = { k, v }` with shapes `[T, n_kv, hd_llm]`; `tokenIds` (length T)
   * are the ids of the cached sequence (for the EOS / action-span mask and the depth gate).
   * The result owns its tensors: call `dispose()`.
   */
  project(perLayerKV: readonly LayerKV[], tokenIds: ArrayLike<number>, opts: ProjectOptions = {}): ProjectedContext {
    const c = this.config;
    const fn = "KvAdapter.project";
    if (perLayerKV.length !== c.numLayers) fail(fn, "perLayerKV", `must hold ${c.numLayers} layers; got ${perLayerKV.length}`);
    const T = tokenIds.length;
    perLayerKV.forEach((kv, l) => {
      for (const [name, t] of [["k", kv.k], ["v", kv.v]] as const) {
        if (!t || t.rank !== 3 || t.shape[0] !== T || t.shape[1] !== c.llmNumKvHeads || t.shape[2] !== c.llmHeadDim) {
          fail(fn, "perLayerKV", `[${l}].${name} must be [${T}, ${c.llmNumKvHeads}, ${c.llmHeadDim}] (T = tokenIds.length); got [${t ? t.shape.join(", ") : "missing"}]`);
        }
      }
    });
    const tokens = opts.tokens ?? MOLMOACT2_TOKENS;
    const visible = contextKeyMask(tokenIds, { tokens, attentionMask: opts.attentionMask, hideActionAndEos: opts.hideActionAndEos });
    let allVisible = true;
    for (let i = 0; i < T; i++) if (!visible[i]) allVisible = false;
    const kvDim = c.llmNumKvHeads * c.llmHeadDim;
    const heads = c.numHeads;
    const hd = c.hiddenSize / heads;
    const layers = tf.tidy(() => {
      const flatK = perLayerKV.map((kv) => tf.reshape(kv.k, [T, kvDim]) as tf.Tensor2D);
      const flatV = perLayerKV.map((kv) => tf.reshape(kv.v, [T, kvDim]) as tf.Tensor2D);
      if (c.depthGate !== "none") {
        // the reference pools the gate's V and finds its depth rows under the same encoder mask the expert
        // cross-attends with (EOS and action spans hidden when action_mode is "both")
        const dmask = depthTokenMask(tokenIds, visible, tokens);
        const scales = depthGateRowScales(flatV, dmask, visible, c.depthGate, this.gates);
        for (let l = 0; l < flatK.length; l++) {
          flatK[l] = tf.mul(flatK[l], scales[l]) as tf.Tensor2D;
          flatV[l] = tf.mul(flatV[l], scales[l]) as tf.Tensor2D;
        }
      }
      return flatK.map((fk, l) => {
        const k = this.projectOne(fk, this.pk, T, heads, hd);
        const v = this.projectOne(flatV[l], this.pv, T, heads, hd);
        return { k: (c.qkNorm ? rmsNorm(k, c.qkNormEps) : k) as tf.Tensor3D, v };
      });
    });
    const bias = allVisible ? null : keyMaskBias(visible);
    return {
      layers,
      visible,
      bias,
      dispose() {
        for (const l of layers) (l.k.dispose(), l.v.dispose());
        bias?.dispose();
      },
    };
  }

  /**
   * The depth-gate values `sigmoid(w · mean(V over visible non-depth rows) + b)` (per layer, or one from the last
   * layer in shared mode) under the same masks {@link project} uses; null without a gate. For inspection: the
   * projection applies them itself.
   */
  async gateValues(perLayerKV: readonly LayerKV[], tokenIds: ArrayLike<number>, opts: ProjectOptions = {}): Promise<number[] | null> {
    const c = this.config;
    if (c.depthGate === "none") return null;
    const tokens = opts.tokens ?? MOLMOACT2_TOKENS;
    const visible = contextKeyMask(tokenIds, { tokens, attentionMask: opts.attentionMask, hideActionAndEos: opts.hideActionAndEos });
    const dmask = depthTokenMask(tokenIds, visible, tokens);
    const pool = Uint8Array.from(visible, (v, i) => (v && !dmask[i] ? 1 : 0));
    const poolMask = pool.some((v) => v === 1) ? pool : visible;
    const kvDim = c.llmNumKvHeads * c.llmHeadDim;
    const sources = c.depthGate === "shared" ? [perLayerKV[perLayerKV.length - 1]] : perLayerKV;
    const g = tf.tidy(() =>
      tf.concat(
        sources.map((kv, l) => {
          const flatV = tf.reshape(kv.v, [tokenIds.length, kvDim]) as tf.Tensor2D;
          return tf.sigmoid(tf.add(tf.matMul(pooledValue(flatV, poolMask), this.gates[l].weight), this.gates[l].bias));
        }),
        1,
      ),
    );
    const out = Array.from(await g.data());
    g.dispose();
    return out;
  }

  /** `[T, kvDim]` → `[T, heads, hd]` (normalised per the config). */
  private projectOne(flat: tf.Tensor2D, w: tf.Tensor2D[], T: number, heads: number, hd: number): tf.Tensor3D {
    const c = this.config;
    if (c.mode === "per_layer") {
      let y: tf.Tensor = tf.matMul(flat, w[0]);
      if (c.contextLayerNorm) y = rmsNorm(y, 1e-6);
      return tf.reshape(y, [T, heads, hd]) as tf.Tensor3D;
    }
    const nkv = c.llmNumKvHeads;
    const parts = tf.split(flat, nkv, 1) as tf.Tensor2D[]; // nkv × [T, hd_llm]
    const ys = parts.map((p, j) => tf.matMul(p, w[j])); // nkv × [T, r·hd]
    let y: tf.Tensor = tf.reshape(tf.concat(ys, 1), [T, heads, hd]);
    if (c.contextLayerNorm) y = rmsNorm(y, 1e-6);
    return y as tf.Tensor3D;
  }
}

/** The reference's initial depth-gate bias (weight 0, so g = sigmoid(−4) ≈ 0.018 until trained). */
export const DEPTH_GATE_INIT_BIAS = -4;
