import { vitBlocksNeeded, type MolmoAct2Config } from "./config.js";
import { expertParamShapes } from "./expert-params.js";

/** Checkpoint prefixes of the reference (`MolmoAct2ForConditionalGeneration.state_dict()`). */
export const VIT = "model.vision_backbone.image_vit";
export const POOL = "model.vision_backbone.image_pooling_2d";
export const PROJ = "model.vision_backbone.image_projector";
export const LM = "model.transformer";

/** The model's parameter groups, for size tables and progress. */
export type Component = "vision" | "connector" | "text" | "lm_head" | "expert";

function lin(out: Record<string, number[]>, name: string, i: number, o: number, bias: boolean): void {
  out[`${name}.weight`] = [i, o];
  if (bias) out[`${name}.bias`] = [o];
}

/** ViT: patch embedding, position embedding and the blocks the connector reads (`[in, out]` weights). */
export function vitParamShapes(cfg: MolmoAct2Config): Record<string, number[]> {
  const v = cfg.vit;
  const W = v.hiddenSize;
  const q = v.numAttentionHeads * v.headDim;
  const kv = v.numKeyValueHeads * v.headDim;
  const out: Record<string, number[]> = {};
  lin(out, `${VIT}.patch_embedding`, v.imagePatchSize * v.imagePatchSize * 3, W, true);
  out[`${VIT}.positional_embedding`] = [v.imageNumPos, W];
  for (let l = 0; l < vitBlocksNeeded(cfg); l++) {
    const b = `${VIT}.transformer.resblocks.${l}`;
    lin(out, `${b}.attention.wq`, W, q, true);
    lin(out, `${b}.attention.wk`, W, kv, true);
    lin(out, `${b}.attention.wv`, W, kv, true);
    lin(out, `${b}.attention.wo`, q, W, true);
    lin(out, `${b}.feed_forward.w1`, W, v.intermediateSize, true);
    lin(out, `${b}.feed_forward.w2`, v.intermediateSize, W, true);
    for (const n of ["attention_norm", "ffn_norm"]) {
      out[`${b}.${n}.weight`] = [W];
      out[`${b}.${n}.bias`] = [W];
    }
  }
  return out;
}

/** Connector: attention pooling (input = the concatenated ViT features) and the SwiGLU projector. */
export function connectorParamShapes(cfg: MolmoAct2Config): Record<string, number[]> {
  const a = cfg.adapter;
  const poolDim = cfg.vit.hiddenSize * a.vitLayers.length;
  const q = a.numAttentionHeads * a.headDim;
  const kv = a.numKeyValueHeads * a.headDim;
  const out: Record<string, number[]> = {};
  lin(out, `${POOL}.wq`, poolDim, q, true);
  lin(out, `${POOL}.wk`, poolDim, kv, true);
  lin(out, `${POOL}.wv`, poolDim, kv, true);
  lin(out, `${POOL}.wo`, q, a.hiddenSize, true);
  lin(out, `${PROJ}.w1`, a.hiddenSize, a.intermediateSize, false);
  lin(out, `${PROJ}.w3`, a.hiddenSize, a.intermediateSize, false);
  lin(out, `${PROJ}.w2`, a.intermediateSize, a.textHiddenSize, false);
  return out;
}

/** Shapes of decoder block `l`. */
export function textBlockShapes(cfg: MolmoAct2Config, l: number): Record<string, number[]> {
  const t = cfg.text;
  const d = t.hiddenSize;
  const q = t.numAttentionHeads * t.headDim;
  const kv = t.numKeyValueHeads * t.headDim;
  const b = `${LM}.blocks.${l}`;
  const out: Record<string, number[]> = { [`${b}.attn_norm.weight`]: [d], [`${b}.ff_norm.weight`]: [d] };
  lin(out, `${b}.self_attn.att_proj`, d, q + 2 * kv, t.qkvBias);
  if (t.useQkNorm) {
    out[`${b}.self_attn.q_norm.weight`] = [t.qkNormType === "qwen3" ? t.headDim : q];
    out[`${b}.self_attn.k_norm.weight`] = [t.qkNormType === "qwen3" ? t.headDim : kv];
  }
  lin(out, `${b}.self_attn.attn_out`, q, d, false);
  lin(out, `${b}.mlp.ff_proj`, d, 2 * t.intermediateSize, false);
  lin(out, `${b}.mlp.ff_out`, t.intermediateSize, d, false);
  return out;
}

/**
 * Decoder: one embedding table `[vocab + additional, d]` (the checkpoint's `wte.embedding` and
 * `wte.new_embedding`, concatenated as the reference's forward does), the blocks and `ln_f`.
 */
export function textParamShapes(cfg: MolmoAct2Config): Record<string, number[]> {
  const t = cfg.text;
  const out: Record<string, number[]> = { [`${LM}.wte.embedding`]: [t.vocabSize + t.additionalVocabSize, t.hiddenSize] };
  for (let l = 0; l < t.numHiddenLayers; l++) Object.assign(out, textBlockShapes(cfg, l));
  out[`${LM}.ln_f.weight`] = [t.hiddenSize];
  return out;
}

/** Every parameter of the model, name → shape as the model holds it (`[in, out]` for linear weights). */
export function modelParamShapes(cfg: MolmoAct2Config): Record<string, number[]> {
  return {
    ...vitParamShapes(cfg),
    ...connectorParamShapes(cfg),
    ...textParamShapes(cfg),
    "lm_head.weight": [cfg.text.hiddenSize, cfg.text.vocabSize],
    ...(cfg.expert ? expertParamShapes(cfg) : {}),
  };
}

/** The component a parameter belongs to. */
export function componentOf(name: string): Component {
  if (name.startsWith(VIT)) return "vision";
  if (name.startsWith(POOL) || name.startsWith(PROJ)) return "connector";
  if (name.startsWith(LM)) return "text";
  if (name === "lm_head.weight") return "lm_head";
  return "expert";
}

/** Parameters per component (scalars). */
export function parameterCounts(cfg: MolmoAct2Config): Record<Component, number> {
  const out: Record<Component, number> = { vision: 0, connector: 0, text: 0, lm_head: 0, expert: 0 };
  for (const [n, s] of Object.entries(modelParamShapes(cfg))) out[componentOf(n)] += s.reduce((a, b) => a * b, 1);
  return out;
}
