import * as tf from "@tensorflow/tfjs-core";
import { checkInt, checkNumber, fail, type Rng } from "../core/index.js";
import { kvAdapterParamShapes, DEPTH_GATE_INIT_BIAS, type KvMode, type KvAdapterConfig, type DepthGateMode } from "../kv/index.js";
import { initLinear } from "./linear.js";
import type { ParamMap } from "./params.js";

/** Hyper-parameters of the MolmoAct2 flow-matching action expert (molmoact2.md §3.1, `action_expert_config`). */
export interface ActionExpertConfig {
  /** Width h (released configs: 1024 or 768; read `config.json`). */
  hiddenSize: number;
  /** Blocks; must equal the VLM's layer count (36 for Qwen3-4B). */
  numLayers: number;
  /** Expert heads; hd = h / heads. */
  numHeads: number;
  /** VLM KV heads (8) and head size (128): the adapter's input is `[T, n_kv, hd_llm]` per layer. */
  llmNumKvHeads: number;
  llmHeadDim: number;
  /** Action width the expert reads and writes; default 32. */
  maxActionDim?: number;
  /** Sinusoid size; default 256. */
  timestepEmbedDim?: number;
  /** MLP inner = ceil(int(h·mlpRatio)/ffnMultipleOf)·ffnMultipleOf; defaults 8/3 and 256. */
  mlpRatio?: number;
  ffnMultipleOf?: number;
  /** Per-head q/k RMSNorm (weightless) in both attentions; default true, eps 1e-6. */
  qkNorm?: boolean;
  qkNormEps?: number;
  /** RoPE in self-attention (positions 0..H−1, base 10000); default true. */
  rope?: boolean;
  ropeBase?: number;
  /** Weightless RMSNorm of the projected context; default true. */
  contextLayerNorm?: boolean;
  /** KV adapter variant; default `per_layer` (reference). */
  kvMode?: KvMode;
  /** Depth gate; default none. */
  depthGate?: DepthGateMode | "none";
}

/** Config with every default filled in, plus derived sizes. */
export type ResolvedActionExpertConfig = Required<ActionExpertConfig> & { headDim: number; mlpInner: number };

/** Fill defaults and validate. */
export function resolveExpertConfig(config: ActionExpertConfig): ResolvedActionExpertConfig {
  const fn = "ActionExpert";
  checkInt(fn, "config.hiddenSize", config.hiddenSize, 1);
  checkInt(fn, "config.numLayers", config.numLayers, 1);
  checkInt(fn, "config.numHeads", config.numHeads, 1);
  if (config.hiddenSize % config.numHeads !== 0) fail(fn, "config.numHeads", `must divide hiddenSize ${config.hiddenSize}; got ${config.numHeads}`);
  const headDim = config.hiddenSize / config.numHeads;
  if (headDim % 2 !== 0) fail(fn, "config.numHeads", `must give an even head size for RoPE; got hd = ${headDim}`);
  const r: Required<ActionExpertConfig> = {
    maxActionDim: 32,
    timestepEmbedDim: 256,
    mlpRatio: 8 / 3,
    ffnMultipleOf: 256,
    qkNorm: true,
    qkNormEps: 1e-6,
    rope: true,
    ropeBase: 10000,
    contextLayerNorm: true,
    kvMode: "per_layer",
    depthGate: "none",
    ...config,
  };
  checkInt(fn, "config.maxActionDim", r.maxActionDim, 1);
  checkInt(fn, "config.timestepEmbedDim", r.timestepEmbedDim, 2);
  checkNumber(fn, "config.mlpRatio", r.mlpRatio, Number.MIN_VALUE);
  checkInt(fn, "config.ffnMultipleOf", r.ffnMultipleOf, 1);
  checkInt(fn, "config.llmNumKvHeads", r.llmNumKvHeads, 1);
  checkInt(fn, "config.llmHeadDim", r.llmHeadDim, 1);
  const mlpInner = Math.ceil(Math.floor(r.hiddenSize * r.mlpRatio) / r.ffnMultipleOf) * r.ffnMultipleOf;
  return { ...r, headDim, mlpInner };
}

/**
 * Every parameter the expert reads, name → shape (`[in, out]` for weights). Names follow the reference checkpoint
 * (`prefix` defaults to `action_expert.`); the KV adapter's names (`context_k_proj.weight`, …) and the optional depth
 * gate (`action_expert_depth_gate…`, outside the prefix as in the reference) are included.
 */
export function actionExpertParamShapes(config: ActionExpertConfig, prefix = "action_expert.", gatePrefix = "action_expert_depth_gate"): Record<string, number[]> {
  const c = resolveExpertConfig(config);
  const h = c.hiddenSize;
  const out: Record<string, number[]> = {};
  const lin = (name: string, i: number, o: number, bias = true) => {
    out[`${prefix}${name}.weight`] = [i, o];
    if (bias) out[`${prefix}${name}.bias`] = [o];
  };
  lin("time_embed.1", c.timestepEmbedDim, h);
  lin("time_embed.3", h, h);
  lin("action_embed", c.maxActionDim, h);
  Object.assign(out, kvAdapterParamShapes(adapterConfig(c), prefix, gatePrefix));
  for (let l = 0; l < c.numLayers; l++) {
    const b = `blocks.${l}.`;
    lin(b + "modulation.linear", h, 9 * h);
    lin(b + "self_attn.qkv", h, 3 * h);
    lin(b + "self_attn.out_proj", h, h);
    lin(b + "cross_attn.q_proj", h, h);
    lin(b + "cross_attn.out_proj", h, h);
    lin(b + "mlp.gate_proj", h, c.mlpInner);
    lin(b + "mlp.up_proj", h, c.mlpInner);
    lin(b + "mlp.down_proj", c.mlpInner, h);
  }
  lin("final_layer.modulation.linear", h, 2 * h);
  lin("final_layer.linear", h, c.maxActionDim);
  return out;
}

/** The KV-adapter part of an expert config. */
export function adapterConfig(c: ResolvedActionExpertConfig): KvAdapterConfig {
  return {
    numLayers: c.numLayers,
    llmNumKvHeads: c.llmNumKvHeads,
    llmHeadDim: c.llmHeadDim,
    hiddenSize: c.hiddenSize,
    numHeads: c.numHeads,
    contextLayerNorm: c.contextLayerNorm,
    qkNorm: c.qkNorm,
    qkNormEps: c.qkNormEps,
    mode: c.kvMode,
    depthGate: c.depthGate,
  };
}

/**
 * Seeded initial parameters per the reference (molmoact2.md §3.2): xavier-uniform linears with zero biases; residual
 * out-projections (`self_attn.out_proj`, `cross_attn.out_proj`, `mlp.down_proj`) scaled by (2L)^−½; every modulation
 * linear and `final_layer.linear` zero (the expert starts with zero output); depth gates weight 0, bias −4.
 * Parameters are drawn in {@link actionExpertParamShapes} order.
 */
export function initActionExpertParams(config: ActionExpertConfig, rng: Rng, prefix = "action_expert."): ParamMap {
  const c = resolveExpertConfig(config);
  const shapes = actionExpertParamShapes(c, prefix);
  const resid = Math.pow(2 * c.numLayers, -0.5);
  const params: ParamMap = {};
  for (const [name, shape] of Object.entries(shapes)) {
    if (name.endsWith(".bias")) {
      const isGate = name.includes("depth_gate");
      params[name] = isGate ? tf.fill(shape, DEPTH_GATE_INIT_BIAS, "float32") : tf.zeros(shape, "float32");
      continue;
    }
    const zero = name.includes("modulation.linear") || name.endsWith("final_layer.linear.weight") || name.includes("depth_gate");
    const gain = /(self_attn\.out_proj|cross_attn\.out_proj|mlp\.down_proj)\.weight$/.test(name) ? resid : 1;
    params[name] = initLinear(rng, shape[0], shape[1], { bias: false, zero, gain }).w;
  }
  return params;
}

