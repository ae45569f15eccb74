import type { RgbImage } from "../depth/index.js";
import type { ParamMap } from "../nn/index.js";
import type { MolmoAct2Config } from "./config.js";
import type { TagConfig } from "./embodiment.js";
import type { LogitsProcessor } from "./session.js";
import type { TextTokenizer } from "./text-tokenizer.js";

/** What the discrete path needs from an action tokenizer (the tokenizer module's `OpenFastTokenizer` fits). */
export interface ActionTokenizer {
  decode(ids: readonly number[], opts: { horizon: number; dim: number }): { ok: true; actions: number[][] } | { ok: false; reason: string; message?: string };
}

/** One observation: camera images (first = main camera, used for depth), task text, raw state, tag. */
export interface Observation {
  images: readonly RgbImage[];
  task: string;
  /** Raw proprioceptive state in robot units (the tag's state dims). */
  state: readonly number[];
  /** Key into the model's tags; optional when the model has exactly one tag. */
  normTag?: string;
}

export interface PredictOptions {
  /** `continuous` (flow expert, default) or `discrete` (autoregressive OpenFAST tokens). */
  mode?: "continuous" | "discrete";
  /** Flow steps N (default `config.flowSteps` = 10). */
  numSteps?: number;
  /** Seed of the initial noise (default 0). */
  seed?: number;
  /** Initial noise `[H][maxActionDim]` (or `[H][D]`, the rest zero); overrides `seed`. */
  noise?: readonly (readonly number[])[];
  /** Return only the first n actions of the chunk (`n_action_steps`, default H). */
  nActionSteps?: number;
  /** Discrete: at most this many generated tokens (default 16·H, as the reference). */
  maxNewTokens?: number;
  /** Edit next-token logits before each greedy pick (discrete and depth steps). */
  logitsProcessor?: LogitsProcessor;
  /** Think: feed `<depth_end>` after the codes instead of waiting for the model to emit it (for untrained models). */
  forceDepthEnd?: boolean;
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
  depth?: { full: boolean; decodeSteps: number; replayForwards: number; replayTokens: number; endSteps: number };
}

export interface PredictionBase {
  /** Generated ids (discrete / Think), vocabulary ids. */
  tokens?: number[];
  /** Think: the 100 depth codes of this frame. */
  depthCodes?: number[];
  timings: StageTimings;
  trace: PredictTrace;
}

/** Success: `normalized` is the model output in [−1, 1] space `[H][D]`, `actions` the same in robot units. */
export interface ActionSuccess extends PredictionBase {
  ok: true;
  normalized: number[][];
  actions: number[][];
}

/** Failure on the model's output (never silent zeros): no EOS / `<depth_end>` in budget, no action tokens, undecodable tokens. */
export interface ActionFailure extends PredictionBase {
  ok: false;
  reason: "no-eos" | "no-depth-end" | "no-action-tokens" | "decode-failed";
  message: string;
}

export type ActionPrediction = ActionSuccess | ActionFailure;

export interface MolmoAct2Init {
  config: MolmoAct2Config;
  /** Parameters keyed by reference names (see `modelParamShapes`); borrowed, freed by `dispose()`. */
  params: ParamMap;
  /** Embodiment tags by name (prompt strings, horizon, statistics). */
  tags: Record<string, TagConfig>;
  /** Prompt tokenizer (default: the byte-level fallback over the config's token table). */
  textTokenizer?: TextTokenizer;
  /** Needed for `mode: "discrete"`. */
  actionTokenizer?: ActionTokenizer;
  /** MolmoAct2-Think: adaptive depth before the action (see {@link MolmoAct2Think}). */
  think?: boolean;
}
