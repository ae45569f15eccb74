import { fail } from "../core/index.js";
import type { TokenIds } from "../vocab/index.js";

/**
 * MolmoAct2 sizes and switches as plain data, shaped like the reference `config.json`
 * (`MolmoAct2Config.to_dict()`: `vit_config`, `adapter_config`, `text_config`, `action_expert_config`,
 * token ids and top-level switches), field names in camelCase. {@link configFromJson} reads a
 * checkpoint's file; {@link TINY} is a random-init toy that runs on a 2-core CPU in well under a second.
 */

/** SigLIP2-style vision tower (`vit_config`). */
export interface VitConfig {
  hiddenSize: number;
  intermediateSize: number;
  /** Blocks of the full tower; a checkpoint stores only the blocks the connector reads (see {@link vitBlocksNeeded}). */
  numHiddenLayers: number;
  numAttentionHeads: number;
  numKeyValueHeads: number;
  headDim: number;
  layerNormEps: number;
  /** `[height, width]` of one crop in pixels. */
  imageDefaultInputSize: [number, number];
  imagePatchSize: number;
  /** Rows of the learned position embedding (a square grid). */
  imageNumPos: number;
}

/** Vision → LLM connector (`adapter_config`): attention pooling over 2×2 windows + SwiGLU projector. */
export interface AdapterConfig {
  /** ViT block outputs that feed the connector, in concatenation order; negative = from the end (no clamp). */
  vitLayers: number[];
  /** Query = mean over the valid patches of a window and padded keys masked (true), or plain mean, no mask. */
  poolingAttentionMask: boolean;
  hiddenSize: number;
  numAttentionHeads: number;
  numKeyValueHeads: number;
  headDim: number;
  intermediateSize: number;
  /** LLM width the projector writes. */
  textHiddenSize: number;
}

/** Qwen3-style decoder (`text_config`). */
export interface TextConfig {
  hiddenSize: number;
  numAttentionHeads: number;
  numKeyValueHeads: number;
  headDim: number;
  /** Rows of `lm_head` (the base vocabulary; covers every action/depth token). */
  vocabSize: number;
  /** Extra embedding rows after the base vocabulary (`wte.new_embedding`: the image tokens). */
  additionalVocabSize: number;
  qkvBias: boolean;
  numHiddenLayers: number;
  intermediateSize: number;
  ropeTheta: number;
  useQkNorm: boolean;
  /** `qwen3`: per-head q/k norm of size headDim; `olmo`: over the whole q / k projection. */
  qkNormType: "qwen3" | "olmo";
  layerNormEps: number;
  /** Post-norm blocks (OLMo2): norms applied to the attention / MLP outputs instead of their inputs. */
  normAfter: boolean;
  maxPositionEmbeddings: number;
}

/** The flow-matching DiT action expert (`action_expert_config`). */
export interface ExpertConfig {
  hiddenSize: number;
  /** Must equal `text.numHiddenLayers` (block l reads VLM layer l). */
  numLayers: number;
  numHeads: number;
  mlpRatio: number;
  ffnMultipleOf: number;
  timestepEmbedDim: number;
  contextLayerNorm: boolean;
  qkNorm: boolean;
  qkNormEps: number;
  rope: boolean;
}

export type ActionMode = "continuous" | "discrete" | "both";
export type DepthGate = "none" | "shared" | "per_layer";

export interface MolmoAct2Config {
  vit: VitConfig;
  adapter: AdapterConfig;
  text: TextConfig;
  /** Null when the checkpoint has no action expert (`add_action_expert: false`: discrete only). */
  expert: ExpertConfig | null;
  /** Special-token ids (config.json's, cross-checked against the tokenizer by `fromPretrained`). */
  tokens: TokenIds;
  /** `<|im_end|>` in the releases: stops discrete decoding and is hidden from the expert. */
  eosTokenId: number;
  padTokenId: number | null;
  maxActionDim: number;
  maxActionHorizon: number;
  /** The returned chunk starts at row `nObsSteps − 1` of the generated one. */
  nObsSteps: number;
  actionMode: ActionMode;
  flowMatchingNumSteps: number;
  /** Zero padded action dims in noise, velocity and trajectory. */
  maskActionDimPadding: boolean;
  enableDepthReasoning: boolean;
  numDepthCodes: number;
  depthGate: DepthGate;
  numStateTokens: number;
  addSetupTokens: boolean;
  addControlTokens: boolean;
  normStatsFilename: string;
}

/** Index of ViT block `layer` (`layer + numHiddenLayers` when negative; no clamp, as the reference). */
export function vitFeatureBlock(vit: VitConfig, layer: number): number {
  const b = layer >= 0 ? layer : layer + vit.numHiddenLayers;
  if (!Number.isInteger(b) || b < 0 || b >= vit.numHiddenLayers) {
    fail("MolmoAct2Config", "adapter.vitLayers", `must index blocks of the ${vit.numHiddenLayers}-block ViT (−${vit.numHiddenLayers}…${vit.numHiddenLayers - 1}); got ${layer}`);
  }
  return b;
}

/** Blocks the checkpoint holds and the forward runs: `max(feature block) + 1`. */
export function vitBlocksNeeded(cfg: MolmoAct2Config): number {
  return Math.max(...cfg.adapter.vitLayers.map((l) => vitFeatureBlock(cfg.vit, l))) + 1;
}

/** Expert SwiGLU inner width: `ceil(int(h·ratio)/m)·m`. */
export function expertFfnDim(e: ExpertConfig): number {
  const inner = Math.floor(e.hiddenSize * e.mlpRatio);
  return e.ffnMultipleOf > 0 ? Math.ceil(inner / e.ffnMultipleOf) * e.ffnMultipleOf : inner;
}

/** Token layout of {@link TINY} (the fixture's): bytes 0..255, the special families, image tokens at 2703. */
export const TINY_TOKEN_IDS: TokenIds = {
  endOfText: 256,
  imStart: 257,
  imEnd: 258,
  setupStart: 259,
  setupEnd: 260,
  controlStart: 261,
  controlEnd: 262,
  stateStart: 263,
  stateEnd: 264,
  stateTokenStart: 265,
  numStateTokens: 256,
  actionOutput: 521,
  actionStart: 522,
  actionEnd: 523,
  actionTokenStart: 524,
  numActionTokens: 2048,
  depthOutput: 2572,
  depthStart: 2573,
  depthEnd: 2574,
  depthTokenStart: 2575,
  numDepthTokens: 128,
  imageTokenStart: 2703,
};

/**
 * The tiny random model of the reference fixture (`shared/fixtures/molmoact2-tiny/config.json`): 56 px
 * crops (4×4 patches → 2×2 pooled tokens), a 10-block ViT of which 8 are used, 2 decoder layers, a 2-block
 * expert with a per-layer depth gate.
 */
export const TINY: MolmoAct2Config = {
  vit: {
    hiddenSize: 32,
    intermediateSize: 64,
    numHiddenLayers: 10,
    numAttentionHeads: 2,
    numKeyValueHeads: 2,
    headDim: 16,
    layerNormEps: 1e-6,
    imageDefaultInputSize: [56, 56],
    imagePatchSize: 14,
    imageNumPos: 16,
  },
  adapter: {
    vitLayers: [-3, -9],
    poolingAttentionMask: true,
    hiddenSize: 32,
    numAttentionHeads: 2,
    numKeyValueHeads: 2,
    headDim: 16,
    intermediateSize: 64,
    textHiddenSize: 64,
  },
  text: {
    hiddenSize: 64,
    numAttentionHeads: 4,
    numKeyValueHeads: 2,
    headDim: 16,
    vocabSize: 2703,
    additionalVocabSize: 128,
    qkvBias: false,
    numHiddenLayers: 2,
    intermediateSize: 128,
    ropeTheta: 1e6,
    useQkNorm: true,
    qkNormType: "qwen3",
    layerNormEps: 1e-6,
    normAfter: false,
    maxPositionEmbeddings: 4096,
  },
  expert: {
    hiddenSize: 32,
    numLayers: 2,
    numHeads: 2,
    mlpRatio: 8 / 3,
    ffnMultipleOf: 32,
    timestepEmbedDim: 32,
    contextLayerNorm: true,
    qkNorm: true,
    qkNormEps: 1e-6,
    rope: true,
  },
  tokens: TINY_TOKEN_IDS,
  eosTokenId: 258,
  padTokenId: 256,
  maxActionDim: 32,
  maxActionHorizon: 30,
  nObsSteps: 1,
  actionMode: "both",
  flowMatchingNumSteps: 10,
  maskActionDimPadding: true,
  enableDepthReasoning: true,
  numDepthCodes: 100,
  depthGate: "per_layer",
  numStateTokens: 256,
  addSetupTokens: true,
  addControlTokens: true,
  normStatsFilename: "norm_stats.json",
};
