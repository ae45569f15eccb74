import { checkFinite, checkInt, checkOneOf, fail } from "../core/index.js";
import { DepthCache } from "../depth/index.js";
import { ActionExpert, disposeParams, type ParamMap } from "../nn/index.js";
import { TokenTable } from "../vocab/index.js";
import { imageGrid, type MolmoAct2Config } from "./config.js";
import { runContinuous } from "./continuous.js";
import { runDiscrete } from "./discrete.js";
import { encodeImages, mergeImageTokens } from "./embed.js";
import { checkTag, stateBins, unnormalizeChunk, type TagConfig } from "./embodiment.js";
import { Qwen3Decoder } from "./llm.js";
import { buildRobotPrompt, expandImageTokens, insertBos } from "./prompt.js";
import { DecodeSession } from "./session.js";
import { byteTextTokenizer, type TextTokenizer } from "./text-tokenizer.js";
import { runDepthPhase } from "./think.js";
import type { ActionPrediction, ActionTokenizer, MolmoAct2Init, Observation, PredictionBase, PredictOptions, PredictTrace, StageTimings } from "./types.js";
import { EXPERT_PREFIX, expertConfigOf } from "./weights.js";

const now = () => performance.now();

/**
 * MolmoAct2 on tfjs (Fig. 4 of the paper): SigLIP2 ViT → 2×2 attention pooling + projector → Qwen3
 * decoder over `image tokens + prompt` with a per-layer KV cache → either the flow-matching DiT expert
 * cross-attending to every layer's K/V (continuous) or greedy OpenFAST tokens (discrete); with
 * `think`, a depth span (100 codes, adaptive) is decoded first and joins the KV context.
 */
export class MolmoAct2 {
  readonly config: MolmoAct2Config;
  readonly table: TokenTable;
  readonly tags: Readonly<Record<string, TagConfig>>;
  readonly think: boolean;
  readonly params: ParamMap;
  readonly llm: Qwen3Decoder;
  readonly expert: ActionExpert;
  private readonly textTokenizer: TextTokenizer;
  private readonly actionTokenizer?: ActionTokenizer;
  /** Think: per-episode depth cache (main camera). */
  protected readonly depthCache: DepthCache;
  private busy = false;

  constructor(init: MolmoAct2Init) {
    const fn = "MolmoAct2";
    const cfg = init.config;
    this.config = cfg;
    this.params = init.params;
    this.table = new TokenTable(cfg.tokens);
    if (!init.tags || Object.keys(init.tags).length === 0) fail(fn, "tags", "must hold at least one embodiment tag");
    for (const [name, tag] of Object.entries(init.tags)) checkTag(fn, name, tag, cfg.expert.maxActionDim, cfg.expert.maxActionHorizon);
    this.tags = init.tags;
    this.think = init.think ?? false;
    this.textTokenizer = init.textTokenizer ?? byteTextTokenizer(this.table);
    this.actionTokenizer = init.actionTokenizer;
    this.llm = new Qwen3Decoder(init.params, cfg.llm);
    this.expert = new ActionExpert(expertConfigOf(cfg), init.params, EXPERT_PREFIX);
    this.depthCache = new DepthCache({ tokens: this.table });
  }

  /** Start a new episode (Think: forget the cached image and depth codes). */
  reset(): void {
    this.depthCache.reset();
  }

  /** The prompt text for an observation (special tokens as strings; images as `<|image|>`). */
  promptText(obs: Observation): string {
    const { tag } = this.resolveTag("MolmoAct2.promptText", obs);
    if (!Array.isArray(obs.state) || obs.state.length !== tag.stateStats.q01.length) {
      fail("MolmoAct2.promptText", "observation.state", `must have ${tag.stateStats.q01.length} values (the tag's state dims); got ${Array.isArray(obs.state) ? obs.state.length : typeof obs.state}`);
    }
    const bins = stateBins(obs.state, tag);
    return buildRobotPrompt({
      task: obs.task,
      setupType: tag.setupType,
      controlMode: tag.controlMode,
      stateBins: bins,
      numImages: obs.images.length,
      style: this.think ? "robot_depth_action" : "robot_action",
    });
  }

  /** The LLM input ids: BOS + tokenised prompt with each `<|image|>` expanded into its image tokens. */
  promptIds(obs: Observation): number[] {
    const { pooled } = imageGrid(this.config.vision, this.config.connector);
    return insertBos(expandImageTokens(this.textTokenizer.encode(this.promptText(obs)), this.table, pooled, pooled), this.table);
  }

  /**
   * Predict one action chunk. Returns `{ ok: true, normalized, actions, … }` (`[H][D]`, float64 numbers)
   * or `{ ok: false, reason, message, … }` when the model's output cannot be turned into actions.
   * Throws a `VlaError` on bad inputs (shapes, unknown tag, missing tokenizer) and when called again
   * before the previous call finished (the KV cache and Think's depth cache are per call / per episode).
   */
  async predictActions(obs: Observation, opts: PredictOptions = {}): Promise<ActionPrediction> {
    const fn = "MolmoAct2.predictActions";
    if (this.busy) fail(fn, "this", "is already running a prediction (one model serves one robot step at a time); await the previous call first");
    this.busy = true;
    try {
      return await this.predictOnce(obs, opts);
    } finally {
      this.busy = false;
    }
  }

  private async predictOnce(obs: Observation, opts: PredictOptions): Promise<ActionPrediction> {
    const fn = "MolmoAct2.predictActions";
    const t0 = now();
    const mode = checkOneOf(fn, "opts.mode", opts.mode ?? "continuous", ["continuous", "discrete"] as const);
    const { tag } = this.resolveTag(fn, obs);
    if (!Array.isArray(obs.images) || obs.images.length < 1) fail(fn, "observation.images", `must hold at least one image; got ${Array.isArray(obs.images) ? 0 : typeof obs.images}`);
    checkFinite(fn, "observation.state", obs.state);
    if (mode === "discrete" && !this.actionTokenizer) fail(fn, "opts.mode", `"discrete" needs an actionTokenizer in the MolmoAct2 constructor; got none`);
    const H = tag.actionHorizon;
    const D = tag.actionDim;
    const nSteps = checkInt(fn, "opts.nActionSteps", opts.nActionSteps ?? H, 1, H);
    const timings: StageTimings = { visionMs: 0, prefillMs: 0, depthMs: 0, expertMs: 0, decodeMs: 0, totalMs: 0 };
    const ids = this.promptIds(obs);
    const trace: PredictTrace = { promptTokens: ids.length, imageTokens: 0, flowSteps: 0, generatedTokens: 0 };

    let t = now();
    const imageTokens = encodeImages(this.params, this.config, obs.images);
    trace.imageTokens = imageTokens.shape[0];
    timings.visionMs = now() - t;

    t = now();
    const session = new DecodeSession(this.llm);
    try {
      const x = mergeImageTokens(this.llm, ids, imageTokens, this.table, this.config.connector.merge);
      imageTokens.dispose();
      session.feedEmbeddings(x, ids);
      x.dispose();
      await session.lastLogits.data(); // sync so the stage time is honest on async backends
      timings.prefillMs = now() - t;

      const base: PredictionBase = { timings, trace };
      if (this.think) {
        t = now();
        const maxEnd = Math.max(8, this.config.expert.maxActionHorizon);
        const dp = await runDepthPhase(session, this.depthCache, obs.images[0], this.table, maxEnd, opts.logitsProcessor, opts.forceDepthEnd);
        timings.depthMs = now() - t;
        trace.depth = { full: dp.full, decodeSteps: dp.decodeSteps, replayForwards: dp.replayForwards, replayTokens: dp.replayTokens, endSteps: dp.endSteps };
        base.depthCodes = Array.from(dp.codes);
        if (!dp.ok) return this.finish({ ok: false, reason: "no-depth-end", message: dp.reason ?? "", ...base, tokens: [...session.generated] }, t0);
      }
      if (mode === "continuous") {
        t = now();
        const normalized = (await runContinuous(this.expert, this.config, this.table, session, H, D, opts)).slice(0, nSteps);
        timings.expertMs = now() - t;
        trace.flowSteps = opts.numSteps ?? this.config.flowSteps;
        const tokens = this.think ? [...session.generated] : undefined;
        return this.finish({ ok: true, normalized, actions: unnormalizeChunk(normalized, tag), ...base, ...(tokens ? { tokens } : {}) }, t0);
      }
      t = now();
      const r = await runDiscrete(this.actionTokenizer as ActionTokenizer, this.table, session, H, D, opts);
      timings.decodeMs = now() - t;
      trace.generatedTokens = r.generated.length;
      if (!r.ok) return this.finish({ ok: false, reason: r.reason, message: r.message, ...base, tokens: [...session.generated] }, t0);
      const normalized = r.normalized.slice(0, nSteps);
      return this.finish({ ok: true, normalized, actions: unnormalizeChunk(normalized, tag), ...base, tokens: [...session.generated] }, t0);
    } finally {
      session.dispose();
      if (!imageTokens.isDisposed) imageTokens.dispose();
    }
  }

  private finish<T extends ActionPrediction>(r: T, t0: number): T {
    r.timings.totalMs = now() - t0;
    return r;
  }

  private resolveTag(fn: string, obs: Observation): { name: string; tag: TagConfig } {
    if (!obs || typeof obs !== "object") fail(fn, "observation", `must be { images, task, state, normTag? }; got ${typeof obs}`);
    const names = Object.keys(this.tags);
    const name = obs.normTag ?? (names.length === 1 ? names[0] : undefined);
    if (name === undefined) fail(fn, "observation.normTag", `must name one of ${names.join(", ")} (the model has several tags); got none`);
    const tag = this.tags[name];
    if (!tag) fail(fn, "observation.normTag", `must be one of ${names.map((n) => JSON.stringify(n)).join(", ")}; got ${JSON.stringify(name)}`);
    return { name, tag };
  }

  /** Free the parameters and every tensor the model made. */
  dispose(): void {
    this.llm.dispose();
    disposeParams(this.params);
  }
}

/**
 * MolmoAct2-Think: the same model with adaptive depth reasoning (full 100-code prediction on the first
 * frame of an episode, then replay/decode per the depth module's plan). Call `reset()` per episode.
 */
export class MolmoAct2Think extends MolmoAct2 {
  constructor(init: Omit<MolmoAct2Init, "think">) {
    super({ ...init, think: true });
  }

  /** Codes cached for the next call (the carried-forward buffer), or null at the start of an episode. */
  get cachedDepthCodes(): number[] | null {
    const b = this.depthCache.buffer;
    return b ? Array.from(b) : null;
  }
}
