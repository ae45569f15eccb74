import { MOLMOACT2_TOKEN_IDS, type TokenIds } from "../vocab/index.js";

/**
 * MolmoAct2 sizes as plain data. `MOLMOACT2_4B` is the released layout (molmoact2.md §3.1, §6.3; fields
 * marked UNKNOWN must be read from the checkpoint's `config.json`); `TINY` is a random-init toy that
 * runs a whole chunk on a 2-core CPU in well under a second on the wasm backend.
 */
export interface VisionConfig {
  /** Square input side in pixels (SigLIP2 so400m/14: 378). */
  imageSize: number;
  /** Patch side in pixels (14). */
  patchSize: number;
  /** Residual width (1152). */
  width: number;
  /** Number of transformer blocks (27). */
  layers: number;
  heads: number;
  /** MLP hidden width (4304). */
  mlpDim: number;
  layerNormEps: number;
  /**
   * Which block outputs feed the connector, as negative indices from the end (Molmo: `[-3, -9]`),
   * concatenated in this order. Rule for shallow towers: index `k < 0` means block `max(0, layers + k)`
   * (0-based, output of that block), so a 4-layer tower reads blocks 1 and 0.
   */
  featureLayers: number[];
  /** Pixel mean / std per channel after scaling to [0, 1] (SigLIP: 0.5 / 0.5). */
  mean: [number, number, number];
  std: [number, number, number];
}

export interface ConnectorConfig {
  /** Pooling window for images (2 → 2×2). Video frames use 3×3 (not used by the robot path). */
  poolSize: number;
  /** Attention-pooling heads (Molmo: the ViT head count). */
  heads: number;
  /** Attention-pooling output width (Molmo: the ViT width). */
  poolDim: number;
  /** SwiGLU projector hidden width (w1/w3: poolDim → hidden, w2: hidden → LLM width). UNKNOWN for the release. */
  projectorHidden: number;
  /** How pooled features enter the LLM at `<im_patch>` positions: added to the token embedding (Molmo) or replacing it. */
  merge: "add" | "replace";
}

export interface LlmConfig {
  /** Embedding rows (text vocab + extra tokens + image tokens). */
  vocabSize: number;
  hiddenSize: number;
  layers: number;
  heads: number;
  kvHeads: number;
  headDim: number;
  /** SwiGLU inner width. */
  intermediateSize: number;
  ropeTheta: number;
  rmsEps: number;
  /** lm_head = embedding^T when true. */
  tieEmbeddings: boolean;
}

export interface ExpertConfig {
  hiddenSize: number;
  heads: number;
  mlpRatio: number;
  ffnMultipleOf: number;
  timestepEmbedDim: number;
  /** Padded action width (32). */
  maxActionDim: number;
  maxActionHorizon: number;
  ropeBase: number;
  contextLayerNorm: boolean;
  depthGate: boolean;
  depthGatePerLayer: boolean;
  depthGateInitBias: number;
}

export interface MolmoAct2Config {
  name: string;
  vision: VisionConfig;
  connector: ConnectorConfig;
  llm: LlmConfig;
  expert: ExpertConfig;
  /** Special-token ids (from `config.json` for a real checkpoint). */
  tokens: TokenIds;
  /** `action_mode == "both"`: mask EOS and action spans from the expert's cross-attention (§3.4). */
  maskActionSpans: boolean;
  flowSteps: number;
  numDepthCodes: number;
  /** Zero padded action dims in noise, velocity and trajectory (§3.3). */
  maskActionDimPadding: boolean;
}

/** Released MolmoAct2 (SigLIP2 so400m/14 @ 378 + Qwen3-4B + DiT expert). Expert width: UNKNOWN (1024/16 default vs 768/8). */
export const MOLMOACT2_4B: MolmoAct2Config = {
  name: "molmoact2-4b",
  vision: {
    imageSize: 378,
    patchSize: 14,
    width: 1152,
    layers: 27,
    heads: 16,
    mlpDim: 4304,
    layerNormEps: 1e-6,
    featureLayers: [-3, -9],
    mean: [0.5, 0.5, 0.5],
    std: [0.5, 0.5, 0.5],
  },
  connector: { poolSize: 2, heads: 16, poolDim: 1152, projectorHidden: 9728 /* UNKNOWN */, merge: "add" },
  llm: {
    vocabSize: 155776 /* INF: 155,648 + 128 image rows */,
    hiddenSize: 2560,
    layers: 36,
    heads: 32,
    kvHeads: 8,
    headDim: 128,
    intermediateSize: 9728,
    ropeTheta: 1e6,
    rmsEps: 1e-6,
    tieEmbeddings: false /* UNKNOWN: read config.json */,
  },
  expert: {
    hiddenSize: 1024 /* UNKNOWN: 768 in HF fine-tunes */,
    heads: 16,
    mlpRatio: 8 / 3,
    ffnMultipleOf: 256,
    timestepEmbedDim: 256,
    maxActionDim: 32,
    maxActionHorizon: 30,
    ropeBase: 10000,
    contextLayerNorm: true,
    depthGate: false,
    depthGatePerLayer: false,
    depthGateInitBias: -4,
  },
  tokens: { ...MOLMOACT2_TOKEN_IDS },
  maskActionSpans: true,
  flowSteps: 10,
  numDepthCodes: 100,
  maskActionDimPadding: true,
};

/**
 * Compact token layout for the tiny model: text bytes take ids 0..255 (the byte fallback tokenizer),
 * then the special families in the release's order; 2,720 rows in all.
 */
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

/** A few layers, small widths: 56 px images (4×4 patches → 2×2 pooled tokens), 2-layer LLM, 2-layer expert. */
export const TINY: MolmoAct2Config = {
  name: "tiny",
  vision: {
    imageSize: 56,
    patchSize: 14,
    width: 32,
    layers: 4,
    heads: 2,
    mlpDim: 64,
    layerNormEps: 1e-6,
    featureLayers: [-3, -9],
    mean: [0.5, 0.5, 0.5],
    std: [0.5, 0.5, 0.5],
  },
  connector: { poolSize: 2, heads: 2, poolDim: 32, projectorHidden: 64, merge: "add" },
  llm: {
    vocabSize: 2720,
    hiddenSize: 64,
    layers: 2,
    heads: 4,
    kvHeads: 2,
    headDim: 16,
    intermediateSize: 128,
    ropeTheta: 1e6,
    rmsEps: 1e-6,
    tieEmbeddings: true,
  },
  expert: {
    hiddenSize: 32,
    heads: 2,
    mlpRatio: 8 / 3,
    ffnMultipleOf: 32,
    timestepEmbedDim: 32,
    maxActionDim: 32,
    maxActionHorizon: 30,
    ropeBase: 10000,
    contextLayerNorm: true,
    depthGate: true,
    depthGatePerLayer: true,
    depthGateInitBias: -4,
  },
  tokens: TINY_TOKEN_IDS,
  maskActionSpans: true,
  flowSteps: 10,
  numDepthCodes: 100,
  maskActionDimPadding: true,
};

/** Expert SwiGLU inner width: `ceil(int(h·ratio)/m)·m` (2816 for h=1024). */
export function expertFfnDim(e: ExpertConfig): number {
  return Math.ceil(Math.floor(e.hiddenSize * e.mlpRatio) / e.ffnMultipleOf) * e.ffnMultipleOf;
}

/** Block index (0-based) read for a negative feature-layer index, clamped for shallow towers. */
export function featureBlockIndex(layers: number, k: number): number {
  return k < 0 ? Math.max(0, layers + k) : Math.min(layers - 1, k);
}

/** Patches per side and pooled tokens per side for one crop. */
export function imageGrid(v: VisionConfig, c: ConnectorConfig): { patches: number; pooled: number } {
  const patches = Math.floor(v.imageSize / v.patchSize);
  return { patches, pooled: Math.ceil(patches / c.poolSize) };
}
