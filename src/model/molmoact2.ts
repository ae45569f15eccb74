import { checkInt, checkOneOf, fail, ndView, toRows, type NdArray } from "../core/index.js";
import { DepthCache } from "../depth/index.js";
import { disposeParams, type ParamMap } from "../nn/index.js";
import { TokenTable } from "../vocab/index.js";
import { ActionExpert } from "./action-expert.js";
import { captureStages } from "./capture.js";
import { checkConfig } from "./config-json.js";
import type { MolmoAct2Config } from "./config.js";
import { runContinuous } from "./continuous.js";
import { runDiscrete } from "./discrete.js";
import { encodeImages, mergeImageFeatures } from "./embed.js";
import { checkTag, unnormalizeChunk, type TagConfig } from "./embodiment.js";
import { parseImageProcessorConfig, type ImageProcessorConfig } from "./image-processor.js";
import { processInputs, type ProcessedInputs } from "./inputs.js";
import { Qwen3Decoder } from "./llm.js";
import { DecodeSession } from "./session.js";
import { byteTextTokenizer, type TextTokenizer } from "./text-tokenizer.js";
import { fromPretrained, type FromPretrainedOptions, type PretrainedSource } from "./pretrained.js";
import { runDepthPhase } from "./think.js";
import type { ActionFailure, ActionPrediction, ActionTokenizer, MolmoAct2Init, Observation, PredictionBase, PredictOptions, PredictTrace, StageTimings } from "./types.js";

const now = () => performance.now();

/**
 * MolmoAct2 on tfjs, as the reference's `predict_action` computes it: processor (state bins, prompt, crops,
 * image token layout) → SigLIP2 ViT → 2×2 attention pooling + projector → Qwen3 decoder prefill (image tokens
 * attend to each other bidirectionally) with a per-layer KV cache → either the flow-matching DiT expert
 * cross-attending to every layer's K/V (continuous) or greedy OpenFAST tokens (discrete); with `think`, the
 * adaptive depth span is decoded first and joins the context.
 *
 * Build one with {@link MolmoAct2.fromPretrained} (a Hugging Face snapshot) or from a config and parameters.
 */
export class MolmoAct2 {
  readonly config: MolmoAct2Config;
  readonly table: TokenTable;
  readonly tags: Readonly<Record<string, TagConfig>>;
  readonly think: boolean;
  readonly params: ParamMap;
  readonly llm: Qwen3Decoder;
  /** Null for checkpoints without an action expert (discrete only). */
  readonly expert: ActionExpert | null;
  readonly imageProcessor: ImageProcessorConfig;
  readonly textTokenizer: TextTokenizer;
  /** The BOS id the processor inserts. */
  readonly bosTokenId: number;
  private readonly actionTokenizer?: ActionTokenizer;
  /** Think: per-episode depth cache (first image + its codes). */
  protected readonly depthCache: DepthCache;
  private busy = false;

  constructor(init: MolmoAct2Init) {
    const fn = "MolmoAct2";
    const cfg = init.config;
    checkConfig(cfg);
    this.config = cfg;
    this.params = init.params;
    this.table = new TokenTable(cfg.tokens);
    if (!init.tags || Object.keys(init.tags).length === 0) fail(fn, "tags", "must hold at least one embodiment tag");
    for (const [name, tag] of Object.entries(init.tags)) checkTag(fn, name, tag, cfg.maxActionDim, cfg.maxActionHorizon);
    this.tags = init.tags;
    this.think = init.think ?? false;
    if (this.think && !cfg.enableDepthReasoning) fail(fn, "think", "needs a checkpoint trained with depth reasoning (config.enableDepthReasoning); this one was not");
    this.textTokenizer = init.textTokenizer ?? byteTextTokenizer(this.table);
    this.bosTokenId = init.bosTokenId ?? this.textTokenizer.bosTokenId ?? this.textTokenizer.eosTokenId ?? cfg.eosTokenId;
    this.imageProcessor =
      init.imageProcessor ??
      parseImageProcessorConfig({
        image_processor: { size: { height: cfg.vit.imageDefaultInputSize[0], width: cfg.vit.imageDefaultInputSize[1] }, crop_mode: "resize", max_crops: 1, patch_size: cfg.vit.imagePatchSize },
      });
    if (this.imageProcessor.patchSize !== cfg.vit.imagePatchSize) fail(fn, "imageProcessor.patchSize", `must equal the ViT's patch size ${cfg.vit.imagePatchSize}; got ${this.imageProcessor.patchSize}`);
    const [h, w] = cfg.vit.imageDefaultInputSize;
    if (this.imageProcessor.height !== h || this.imageProcessor.width !== w) {
      fail(fn, "imageProcessor", `must crop to the ViT's input size ${h}×${w} (the position embedding's grid); got ${this.imageProcessor.height}×${this.imageProcessor.width}`);
    }
    this.actionTokenizer = init.actionTokenizer;
    this.llm = new Qwen3Decoder(init.params, cfg.text);
    if (cfg.expert && cfg.expert.numLayers !== cfg.text.numHiddenLayers) fail(fn, "config.expert.numLayers", `must equal text.numHiddenLayers = ${cfg.text.numHiddenLayers} (expert block l reads VLM layer l); got ${cfg.expert.numLayers}`);
    this.expert = cfg.expert ? new ActionExpert(cfg, init.params) : null;
    const grid = Math.round(Math.sqrt(cfg.numDepthCodes));
    this.depthCache = new DepthCache({ tokens: this.table, grid });
  }

  /**
   * Open a Hugging Face MolmoAct2 snapshot (a folder in Node, a base URL, or a map of `File`/`Blob`/URLs in the
   * browser): config, tokenizer, processor, norm stats and (sharded) safetensors. See `fromPretrained`.
   */
  static fromPretrained(source: PretrainedSource, opts?: FromPretrainedOptions): Promise<MolmoAct2> {
    return fromPretrained(source, opts);
  }

  /** Start a new episode (Think: forget the cached image and depth codes). */
  reset(): void {
    this.depthCache.reset();
  }

  /** The processor's view of an observation: prompt text, input ids, token types, crops (no tensors). */
  processObservation(obs: Observation): ProcessedInputs {
    const fn = "MolmoAct2.processObservation";
    const { tag } = this.resolveTag(fn, obs);
    return processInputs(fn, { config: this.config, table: this.table, imageProcessor: this.imageProcessor, textTokenizer: this.textTokenizer, bos: this.bosTokenId }, obs.images, obs.task, obs.state, tag, this.think);
  }

  /**
   * Predict one action chunk. Returns `{ ok: true, normalized, actions, … }` (`[n][D]` numbers) or
   * `{ ok: false, reason, message, … }` when the model's output cannot become actions (no EOS, no
   * `<depth_end>`, no or undecodable action tokens). Throws a `VlaError` on bad inputs (shapes, unknown tag,
   * missing tokenizer, empty task) and when called again before the previous call finished.
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
    const cfg = this.config;
    const mode = checkOneOf(fn, "opts.mode", opts.mode ?? (this.expert && cfg.actionMode !== "discrete" ? "continuous" : "discrete"), ["continuous", "discrete"] as const);
    if (mode === "continuous" && (!this.expert || cfg.actionMode === "discrete")) fail(fn, "opts.mode", `"continuous" needs an action expert and action_mode "continuous" or "both"; this checkpoint has ${this.expert ? `action_mode "${cfg.actionMode}"` : "no expert"}`);
    if (mode === "discrete" && cfg.actionMode === "continuous") fail(fn, "opts.mode", `"discrete" needs action_mode "discrete" or "both"; this checkpoint has "continuous"`);
    if (mode === "discrete" && !this.actionTokenizer) fail(fn, "opts.mode", `"discrete" needs an actionTokenizer (e.g. await loadFastPlus()) in the MolmoAct2 constructor or fromPretrained options; got none`);
    const { tag } = this.resolveTag(fn, obs);
    const H = tag.actionHorizon;
    const D = tag.actionDim;
    const start = cfg.nObsSteps - 1;
    const nSteps = checkInt(fn, "opts.nActionSteps", opts.nActionSteps ?? tag.nActionSteps ?? H, 1, H);
    if (start + nSteps > H) fail(fn, "opts.nActionSteps", `must fit the chunk after the ${cfg.nObsSteps - 1} observation rows (n_obs_steps = ${cfg.nObsSteps}, H = ${H}); got ${nSteps}`);
    const inputs = this.processObservation(obs);
    const ids = inputs.inputIds;
    const timings: StageTimings = { visionMs: 0, prefillMs: 0, depthMs: 0, expertMs: 0, decodeMs: 0, totalMs: 0 };
    const trace: PredictTrace = { promptTokens: ids.length, imageTokens: 0, flowSteps: 0, generatedTokens: 0 };

    let t = now();
    const features = encodeImages(this.params, cfg, inputs.images);
    trace.imageTokens = features.shape[0];
    timings.visionMs = now() - t;

    t = now();
    const session = new DecodeSession(this.llm);
    try {
      const x = mergeImageFeatures(this.llm, ids, features, this.table);
      features.dispose();
      session.feedEmbeddings(x, ids, inputs.tokenTypeIds);
      x.dispose();
      await session.lastLogits.data(); // sync so the stage time is honest on async backends
      timings.prefillMs = now() - t;

      const base: PredictionBase = { timings, trace };
      const failWith = async (reason: ActionFailure["reason"], message: string): Promise<ActionPrediction> => {
        if (opts.capture) base.captured = await captureStages(inputs, session, cfg, this.table, this.expert);
        return this.finish({ ok: false, reason, message, ...base, tokens: [...session.generated] }, t0);
      };
      if (this.think) {
        t = now();
        const dp = await runDepthPhase(session, this.depthCache, inputs.rgbImages[0], this.table, {
          maxEndSteps: Math.max(8, cfg.maxActionHorizon),
          maxSpanSteps: Math.max(cfg.numDepthCodes + 8, 16 * cfg.maxActionHorizon),
          adaptive: opts.adaptiveDepth,
          processor: opts.logitsProcessor,
          forceEnd: opts.forceDepthEnd,
        });
        timings.depthMs = now() - t;
        trace.depth = {
          full: dp.full,
          adaptive: opts.adaptiveDepth !== false,
          decodeSteps: dp.decodeSteps,
          replayForwards: dp.replayForwards,
          replayTokens: dp.replayTokens,
          endSteps: dp.endSteps,
          ...(dp.plan && !dp.plan.full ? { updateMask: Array.from(dp.plan.mask) } : {}),
        };
        base.depthCodes = Array.from(dp.codes);
        if (!dp.ok) return await failWith(dp.noCodes ? "no-depth-codes" : "no-depth-end", dp.reason ?? "");
      }
      // the chunk stays an ndarray from the expert's output (or the decoded tokens) to unnormalize; the rows users read
      // are built once, from the final views, as the call returns
      let chunk: NdArray;
      if (mode === "continuous") {
        t = now();
        const flow = await runContinuous(this.expert as ActionExpert, cfg, this.table, session, H, D, opts);
        timings.expertMs = now() - t;
        trace.flowSteps = opts.numSteps ?? cfg.flowMatchingNumSteps;
        chunk = ndView(flow.flowOut, [H, cfg.maxActionDim]).hi(H, D); // the padded dims dropped, no copy
        if (opts.capture) base.captured = { ...(await captureStages(inputs, session, cfg, this.table, this.expert)), noise: flow.noise, flowOut: flow.flowOut };
        if (this.think) base.tokens = [...session.generated];
      } else {
        t = now();
        const r = await runDiscrete(this.actionTokenizer as ActionTokenizer, this.table, session, cfg.eosTokenId, H, D, opts);
        timings.decodeMs = now() - t;
        trace.generatedTokens = r.generated.length;
        if (!r.ok) return await failWith(r.reason, r.message);
        chunk = r.normalized;
        base.tokens = [...session.generated];
        if (opts.capture) base.captured = await captureStages(inputs, session, cfg, this.table, this.expert);
      }
      const rows = chunk.hi(start + nSteps, D).lo(start, 0); // the n_obs_steps slice, a view
      return this.finish({ ok: true, normalized: toRows(rows), actions: toRows(unnormalizeChunk(rows, tag)), ...base }, t0);
    } finally {
      session.dispose();
      if (!features.isDisposed) features.dispose();
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
 * MolmoAct2-Think: the same model with adaptive depth reasoning (all codes decoded on the first frame of an
 * episode, then replay/decode per the change detector). Call `reset()` per episode.
 */
export class MolmoAct2Think extends MolmoAct2 {
  constructor(init: Omit<MolmoAct2Init, "think">) {
    super({ ...init, think: true });
  }

  /** Codes cached for the next call, or null at the start of an episode. */
  get cachedDepthCodes(): number[] | null {
    const b = this.depthCache.buffer;
    return b ? Array.from(b) : null;
  }
}
