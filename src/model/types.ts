import type { ChunkInput, ImageInput, NdArray, VectorInput } from "../core/index.js";
import type { ParamMap } from "../nn/index.js";
import type { MolmoAct2Config } from "./config.js";
import type { TagConfig } from "./embodiment.js";
import type { ImageProcessorConfig } from "./image-processor.js";
import type { LogitsProcessor } from "./session.js";
import type { TextTokenizer } from "./text-tokenizer.js";

/**
 * What the discrete path needs from an action tokenizer (the tokenizer module's `OpenFastTokenizer` fits): `actions`
 * `[horizon, dim]` as an ndarray (read in place) or any other chunk form (converted once).
 */
export interface ActionTokenizer {
  decode(ids: readonly number[], opts: { horizon: number; dim: number }): { ok: true; actions: ChunkInput } | { ok: false; reason: string; message?: string };
}

/** One observation: camera images (first = main camera, used for depth), task text, raw state, tag. */
export interface Observation {
  /**
   * Cameras in the tag's order: uint8 `{ data, width, height, channels: 3 | 4 }` records or ndarrays
   * `[height, width, channels]` (read in place when packed), each side ≥ one ViT patch.
   */
  images: readonly ImageInput[];
  /** The instruction; normalised as the reference does (must not be empty after that). */
  task: string;
  /** Raw proprioceptive state in robot units (the tag's state dims): `number[]`, a typed array or an ndarray `[n]`. */
  state: VectorInput;
  /** Key into the model's tags; optional when the model has exactly one tag. */
  normTag?: string;
}

export interface PredictOptions {
  /** `continuous` (flow expert, default when the checkpoint has one) or `discrete` (autoregressive OpenFAST tokens). */
  mode?: "continuous" | "discrete";
  /** Flow steps N (default `config.flowMatchingNumSteps`). */
  numSteps?: number;
  /** Seed of the initial noise (default 0). */
  seed?: number;
  /**
   * Initial noise `[H, maxActionDim]` (or `[H, D]`, the rest zero): an ndarray (copied straight into the float32
   * tensor input) or `number[][]`; overrides `seed`.
   */
  noise?: NdArray | readonly (readonly number[])[];
  /** Rows returned (`n_action_steps`; default the tag's `nActionSteps`, else H). */
  nActionSteps?: number;
  /** Discrete: at most this many generated tokens (default 16·H, as the reference). */
  maxNewTokens?: number;
  /** Edit next-token logits before each free greedy pick (discrete steps and the steps after the depth codes). */
  logitsProcessor?: LogitsProcessor;
  /** Think: `false` = the reference's `enable_adaptive_depth=False` (free argmax from the prefill). Default true. */
  adaptiveDepth?: boolean;
  /**
   * Think, NOT reference behaviour: feed `<depth_end>` right after the codes instead of waiting for the model
   * to emit it. For untrained / random weights, which rarely emit it.
   */
  forceDepthEnd?: boolean;
  /** Return {@link CapturedStages} (inputs, pixels, per-layer K/V, masks, noise, flow output) with the result. */
  capture?: boolean;
}

/** Milliseconds per stage of one call. */
export interface StageTimings {
  visionMs: number;
  prefillMs: number;
  depthMs: number;
  expertMs: number;
  decodeMs: number;
  totalMs: number;
}

/** Counts of what one call ran. */
export interface PredictTrace {
  promptTokens: number;
  imageTokens: number;
  flowSteps: number;
  generatedTokens: number;
  depth?: { full: boolean; adaptive: boolean; decodeSteps: number; replayForwards: number; replayTokens: number; endSteps: number; updateMask?: number[] };
}

/** Intermediate values of one call (with `opts.capture`), in the reference's layouts, for parity checks and debugging. */
export interface CapturedStages {
  promptText: string;
  inputIds: number[];
  tokenTypeIds: number[];
  /** Per image: processor pixel values `[crops, patches, patch²·3]`, pooling rows `[tokens, K]`, grid. */
  images: { pixelValues: Float32Array; numCrops: number; pooling: Int32Array; poolWindow: number; grid: readonly [number, number, number, number] }[];
  /** Token ids of the KV context the expert / discrete continuation read (prompt + generated span). */
  contextIds: number[];
  /** Per LLM layer, K (after k-norm and RoPE) and V, `[T, kvHeads·headDim]` row-major. */
  kv: { k: Float32Array; v: Float32Array }[];
  /** The expert's cross-attention mask over the context (1 = visible). */
  encoderMask: Uint8Array;
  /** Depth-gate values per expert layer (per-layer gate) or one value (shared); absent without a gate. */
  depthGate?: number[];
  /** Continuous: initial trajectory and flow output, `[H, maxActionDim]` row-major. */
  noise?: Float32Array;
  flowOut?: Float32Array;
}

export interface PredictionBase {
  /** Generated ids (discrete / Think): the depth span and/or the action tokens. */
  tokens?: number[];
  /** Think: this frame's depth codes. */
  depthCodes?: number[];
  timings: StageTimings;
  trace: PredictTrace;
  captured?: CapturedStages;
}

/**
 * Success: `normalized` is the model output in [−1, 1] space `[n][D]`, `actions` the same in robot units. Plain
 * `number[][]` for the robot loop, built once from the chunk's ndarray as the call returns (see docs/model.md).
 */
export interface ActionSuccess extends PredictionBase {
  ok: true;
  normalized: number[][];
  actions: number[][];
}

/** Failure on the model's output (never silent zeros): no EOS / `<depth_end>` in budget, no action tokens, undecodable tokens. */
export interface ActionFailure extends PredictionBase {
  ok: false;
  reason: "no-eos" | "no-depth-end" | "no-depth-codes" | "no-action-tokens" | "decode-failed";
  message: string;
}

export type ActionPrediction = ActionSuccess | ActionFailure;

export interface MolmoAct2Init {
  config: MolmoAct2Config;
  /** Parameters keyed by reference checkpoint names (see `modelParamShapes`); owned by the model, freed by `dispose()`. */
  params: ParamMap;
  /** Embodiment tags by name (prompt strings, horizon, statistics). */
  tags: Record<string, TagConfig>;
  /** The processor config (crop size and mode, pooling, column tokens); default: the vision config's crop size, resize mode. */
  imageProcessor?: ImageProcessorConfig;
  /** Prompt tokenizer (default: the byte-level fallback of the tiny models over the config's token table). */
  textTokenizer?: TextTokenizer;
  /** BOS the processor inserts (default the tokenizer's BOS, else its EOS, else `config.eosTokenId`). */
  bosTokenId?: number;
  /** Needed for `mode: "discrete"`. */
  actionTokenizer?: ActionTokenizer;
  /** MolmoAct2-Think: depth reasoning before the action (needs `config.enableDepthReasoning`). */
  think?: boolean;
}
