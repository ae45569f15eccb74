import * as tf from "@tensorflow/tfjs-core";
import { checkInt, checkNumber, checkOneOf, fail, type Rng } from "../core/index.js";
import { DEPTH_GATE_INIT_BIAS, kvAdapterParamShapes, type KvAdapterConfig } from "../kv/index.js";
import { initLinear, type ParamMap } from "../nn/index.js";
import { expertFfnDim, type ExpertConfig, type MolmoAct2Config, type TextConfig } from "./config.js";

/** Checkpoint prefixes of the expert and its depth gate (`MolmoAct2ForConditionalGeneration.state_dict()`). */
export const EXPERT_PREFIX = "model.action_expert.";
export const GATE_PREFIX = "model.action_expert_depth_gate";

/** RoPE base of the expert's self-attention (fixed in the reference; `action_expert_config` has no field for it). */
export const EXPERT_ROPE_BASE = 10000;

/**
 * The part of a {@link MolmoAct2Config} the action expert reads: its own `action_expert_config` (`expert`; null, a
 * checkpoint without an expert, is refused at run time), the VLM's KV layout it cross-attends to
 * (`text.numKeyValueHeads`, `text.headDim`), the action width and the depth-gate switch. Every `MolmoAct2Config` is one.
 */
export type ExpertModelConfig = Pick<MolmoAct2Config, "expert" | "maxActionDim" | "depthGate"> & { text: Pick<TextConfig, "numKeyValueHeads" | "headDim"> };

/** The expert's own config (non-null) and the sizes derived from an {@link ExpertModelConfig}. */
export interface CheckedExpert {
  expert: ExpertConfig;
  /** Head size hd = h / heads. */
  headDim: number;
  /** SwiGLU inner width ({@link expertFfnDim}). */
  mlpInner: number;
}

/** Validate what the expert reads (the model's `checkConfig` covers it for whole configs); returns the derived sizes. */
export function checkExpertConfig(fn: string, cfg: ExpertModelConfig): CheckedExpert {
  const e = cfg.expert;
  if (!e || typeof e !== "object") fail(fn, "config.expert", `must be an action_expert_config; got ${e === null ? "null (a checkpoint without an action expert)" : typeof e}`);
  checkInt(fn, "config.expert.hiddenSize", e.hiddenSize, 1);
  checkInt(fn, "config.expert.numLayers", e.numLayers, 1);
  checkInt(fn, "config.expert.numHeads", e.numHeads, 1);
  if (e.hiddenSize % e.numHeads !== 0) fail(fn, "config.expert.numHeads", `must divide hiddenSize ${e.hiddenSize}; got ${e.numHeads}`);
  const headDim = e.hiddenSize / e.numHeads;
  if (headDim % 2 !== 0) fail(fn, "config.expert.numHeads", `must give an even head size for RoPE; got hd = ${headDim}`);
  checkInt(fn, "config.expert.timestepEmbedDim", e.timestepEmbedDim, 2);
  checkNumber(fn, "config.expert.mlpRatio", e.mlpRatio, Number.MIN_VALUE);
  checkInt(fn, "config.expert.ffnMultipleOf", e.ffnMultipleOf, 0);
  checkNumber(fn, "config.expert.qkNormEps", e.qkNormEps, 0);
  checkInt(fn, "config.maxActionDim", cfg.maxActionDim, 1);
  checkInt(fn, "config.text.numKeyValueHeads", cfg.text.numKeyValueHeads, 1);
  checkInt(fn, "config.text.headDim", cfg.text.headDim, 1);
  checkOneOf(fn, "config.depthGate", cfg.depthGate, ["none", "shared", "per_layer"] as const);
  const mlpInner = expertFfnDim(e);
  if (mlpInner < 1) fail(fn, "config.expert.mlpRatio", `must give an MLP of at least one unit; got int(${e.hiddenSize}·${e.mlpRatio}) = ${mlpInner}`);
  return { expert: e, headDim, mlpInner };
}

/** The KV adapter the expert runs (the reference's `per_layer` projection). */
export function adapterConfigOf(cfg: ExpertModelConfig): KvAdapterConfig {
  const e = checkExpertConfig("ActionExpert", cfg).expert;
  return {
    numLayers: e.numLayers,
    llmNumKvHeads: cfg.text.numKeyValueHeads,
    llmHeadDim: cfg.text.headDim,
    hiddenSize: e.hiddenSize,
    numHeads: e.numHeads,
    contextLayerNorm: e.contextLayerNorm,
    qkNorm: e.qkNorm,
    qkNormEps: e.qkNormEps,
    mode: "per_layer",
    depthGate: cfg.depthGate,
  };
}

/**
 * Every parameter the expert reads, checkpoint name → shape (`[in, out]` for weights): the time embedding, the action
 * embedding, the KV adapter's `context_{k,v}_proj`, per block the AdaRMS modulation, fused qkv, cross-attention q and
 * output, SwiGLU MLP, and the final layer; the depth gate (outside the expert's prefix, as in the reference) when
 * `depthGate` is not "none". The order is the parameters' draw order in {@link initExpertParams}.
 */
export function expertParamShapes(cfg: ExpertModelConfig): Record<string, number[]> {
  const { expert: e, mlpInner } = checkExpertConfig("expertParamShapes", cfg);
  const h = e.hiddenSize;
  const out: Record<string, number[]> = {};
  const lin = (name: string, i: number, o: number) => {
    out[`${EXPERT_PREFIX}${name}.weight`] = [i, o];
    out[`${EXPERT_PREFIX}${name}.bias`] = [o];
  };
  lin("time_embed.1", e.timestepEmbedDim, h);
  lin("time_embed.3", h, h);
  lin("action_embed", cfg.maxActionDim, h);
  Object.assign(out, kvAdapterParamShapes(adapterConfigOf(cfg), EXPERT_PREFIX, GATE_PREFIX));
  for (let l = 0; l < e.numLayers; l++) {
    const b = `blocks.${l}.`;
    lin(b + "modulation.linear", h, 9 * h);
    lin(b + "self_attn.qkv", h, 3 * h);
    lin(b + "self_attn.out_proj", h, h);
    lin(b + "cross_attn.q_proj", h, h);
    lin(b + "cross_attn.out_proj", h, h);
    lin(b + "mlp.gate_proj", h, mlpInner);
    lin(b + "mlp.up_proj", h, mlpInner);
    lin(b + "mlp.down_proj", mlpInner, h);
  }
  lin("final_layer.modulation.linear", h, 2 * h);
  lin("final_layer.linear", h, cfg.maxActionDim);
  return out;
}

/**
 * Seeded initial parameters per the reference: xavier-uniform linears with zero biases; residual out-projections
 * (`self_attn.out_proj`, `cross_attn.out_proj`, `mlp.down_proj`) scaled by (2L)^−½; every modulation linear and
 * `final_layer.linear` zero (the expert starts with zero output); depth gates weight 0, bias −4. Drawn in
 * {@link expertParamShapes} order.
 */
export function initExpertParams(cfg: ExpertModelConfig, rng: Rng): ParamMap {
  const shapes = expertParamShapes(cfg);
  const resid = Math.pow(2 * checkExpertConfig("ActionExpert.init", cfg).expert.numLayers, -0.5);
  const params: ParamMap = {};
  for (const [name, shape] of Object.entries(shapes)) {
    const isGate = name.startsWith(GATE_PREFIX);
    if (name.endsWith(".bias")) {
      params[name] = isGate ? tf.fill(shape, DEPTH_GATE_INIT_BIAS, "float32") : tf.zeros(shape, "float32");
      continue;
    }
    const zero = isGate || name.includes("modulation.linear") || name.endsWith("final_layer.linear.weight");
    const gain = /(self_attn\.out_proj|cross_attn\.out_proj|mlp\.down_proj)\.weight$/.test(name) ? resid : 1;
    params[name] = initLinear(rng, shape[0], shape[1], { bias: false, zero, gain }).w;
  }
  return params;
}
