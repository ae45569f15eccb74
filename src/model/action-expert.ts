import * as tf from "@tensorflow/tfjs-core";
import { checkInt, fail, type Rng } from "../core/index.js";
import { KvAdapter, type LayerKV, type ProjectOptions } from "../kv/index.js";
import { getParam, linear, prepareKV, type ParamMap } from "../nn/index.js";
import { ditBlock, modulate, type DitBlockWeights } from "./dit-block.js";
import { ExpertContext } from "./expert-context.js";
import { stepModulation, timeConditioning, type StepModulation, type TimeWeights } from "./expert-modulation.js";
import type { ExpertConfig } from "./config.js";
import { adapterConfigOf, checkExpertConfig, expertParamShapes, EXPERT_PREFIX, EXPERT_ROPE_BASE, GATE_PREFIX, initExpertParams, type ExpertModelConfig } from "./expert-params.js";

/** Options of {@link ActionExpert.prepareContext}. */
export interface PrepareContextOptions extends ProjectOptions {
  /** Flow times whose modulations to compute now (others are computed and cached on first use). */
  times?: readonly number[];
}

/** Options of {@link ActionExpert.velocity}. */
export interface VelocityOptions {
  /** Horizon H when `x` is 2-D `[B·H, A]`; default: all rows are one sequence (B = 1). */
  horizon?: number;
  /** Per-step validity (length H, 1 = real step): padded steps are hidden as self-attention keys and zeroed. */
  horizonMask?: ArrayLike<number | boolean>;
}

/**
 * The MolmoAct2 flow-matching action expert: a DiT with AdaRMS over the noisy action trajectory whose block l
 * cross-attends to VLM layer l's K/V (through the `kv` adapter). Built from a model config (any `MolmoAct2Config` with
 * an expert; see {@link ExpertModelConfig}) and a parameter map under the checkpoint's names (`model.action_expert.*`,
 * `[in, out]` weights; borrowed, not copied). Per chunk: `ctx = prepareContext(perLayerKV, tokenIds)` once, then
 * `velocity(x, t, ctx)` per flow step, then `ctx.dispose()`.
 */
export class ActionExpert {
  readonly config: ExpertModelConfig;
  /** Head size h / heads. */
  readonly headDim: number;
  /** SwiGLU inner width `ceil(int(h·mlpRatio)/ffnMultipleOf)·ffnMultipleOf`. */
  readonly mlpInner: number;
  readonly params: ParamMap;
  private readonly e: ExpertConfig;
  readonly adapter: KvAdapter;
  private readonly time: TimeWeights;
  private readonly blocks: DitBlockWeights[];
  private readonly embed: { w: tf.Tensor2D; b: tf.Tensor1D };
  private readonly final: { w: tf.Tensor2D; b: tf.Tensor1D };

  constructor(config: ExpertModelConfig, params: ParamMap) {
    ({ expert: this.e, headDim: this.headDim, mlpInner: this.mlpInner } = checkExpertConfig("ActionExpert", config));
    this.config = config;
    this.params = params;
    const shapes = expertParamShapes(config);
    for (const [name, shape] of Object.entries(shapes)) getParam("ActionExpert", params, name, shape);
    const w2 = (n: string) => params[EXPERT_PREFIX + n] as tf.Tensor2D;
    const w1 = (n: string) => params[EXPERT_PREFIX + n] as tf.Tensor1D;
    const layers = Array.from({ length: this.e.numLayers }, (_, l) => `blocks.${l}.`);
    this.time = {
      t1W: w2("time_embed.1.weight"), t1B: w1("time_embed.1.bias"),
      t3W: w2("time_embed.3.weight"), t3B: w1("time_embed.3.bias"),
      modW: layers.map((b) => w2(b + "modulation.linear.weight")),
      modB: layers.map((b) => w1(b + "modulation.linear.bias")),
      fModW: w2("final_layer.modulation.linear.weight"), fModB: w1("final_layer.modulation.linear.bias"),
    };
    this.blocks = layers.map((b) => ({
      qkvW: w2(b + "self_attn.qkv.weight"), qkvB: w1(b + "self_attn.qkv.bias"),
      outW: w2(b + "self_attn.out_proj.weight"), outB: w1(b + "self_attn.out_proj.bias"),
      qW: w2(b + "cross_attn.q_proj.weight"), qB: w1(b + "cross_attn.q_proj.bias"),
      cOutW: w2(b + "cross_attn.out_proj.weight"), cOutB: w1(b + "cross_attn.out_proj.bias"),
      gateW: w2(b + "mlp.gate_proj.weight"), gateB: w1(b + "mlp.gate_proj.bias"),
      upW: w2(b + "mlp.up_proj.weight"), upB: w1(b + "mlp.up_proj.bias"),
      downW: w2(b + "mlp.down_proj.weight"), downB: w1(b + "mlp.down_proj.bias"),
    }));
    this.embed = { w: w2("action_embed.weight"), b: w1("action_embed.bias") };
    this.final = { w: w2("final_layer.linear.weight"), b: w1("final_layer.linear.bias") };
    this.adapter = new KvAdapter(adapterConfigOf(config), params, EXPERT_PREFIX, GATE_PREFIX);
  }

  /**
   * A freshly initialised expert (the reference init: xavier linears, residual out-projections scaled by (2L)^−½,
   * modulations and the final layer zero, so the velocity is 0 until trained); dispose with `disposeParams(expert.params)`.
   */
  static init(config: ExpertModelConfig, rng: Rng): ActionExpert {
    return new ActionExpert(config, initExpertParams(config, rng));
  }

  /**
   * Project the VLM's per-layer K/V once per chunk. `perLayerKV[l] = { k, v }`, each `[T, n_kv, hd_llm]` float32 (the
   * layer's cache: K after the VLM's k-norm and RoPE, V raw), `tokenIds` the T cached ids (EOS and action spans are
   * hidden, the depth gate finds its tokens). Returns a context owning its tensors (`dispose()` it).
   *
   * Hidden positions are dropped from the prepared K/V instead of masked at every step: a key with additive −1e9 gets
   * softmax weight exp(−1e9) = 0 exactly in float32, so this is the same result with fewer FLOPs per step (when every
   * position is hidden the mask is kept, giving the reference's uniform weights). The visible rows are copied as a few
   * contiguous slices, not gathered row by row (wasm's gather was ~35 % of this call).
   */
  prepareContext(perLayerKV: readonly LayerKV[], tokenIds: ArrayLike<number>, opts: PrepareContextOptions = {}): ExpertContext {
    const proj = this.adapter.project(perLayerKV, tokenIds, opts);
    const keep = proj.visible.reduce<number[]>((acc, v, i) => (v ? (acc.push(i), acc) : acc), []);
    const drop = proj.bias !== null && keep.length > 0;
    const runs = drop ? visibleRuns(proj.visible) : [];
    const kv = proj.layers.map((l) => {
      if (!drop) return prepareKV(l.k, l.v);
      const [k, v] = tf.tidy(() => [keepRows(l.k, runs, keep), keepRows(l.v, runs, keep)]);
      const p = prepareKV(k, v);
      tf.dispose([k, v]);
      return p;
    });
    for (const l of proj.layers) tf.dispose([l.k, l.v]);
    if (drop) proj.bias?.dispose();
    const ctx = new ExpertContext(kv, drop ? null : proj.bias, proj.visible);
    for (const t of opts.times ?? []) this.modulationAt(ctx, t);
    return ctx;
  }

  /** Time conditioning `c` of the AdaRMS modulations, `[N, h]` for N flow times. */
  timeConditioning(t: number | ArrayLike<number>): tf.Tensor2D {
    return timeConditioning(this.time, t, this.e.timestepEmbedDim);
  }

  private modulationAt(ctx: ExpertContext, t: number): StepModulation {
    return ctx.modulation(t, () => stepModulation(this.time, t, this.e.timestepEmbedDim));
  }

  /**
   * Velocity `v(x, t)` for the noisy trajectory `x`: `[B·H, A]` (2-D; B·H rows, `opts.horizon` = H) or `[B, H, A]`,
   * `A ≤ maxActionDim` (missing dims are zero padding, as the reference zeroes them). `t` is the flow time in [0, 1]
   * (MolmoAct2 convention: 0 = noise, 1 = data), one number or one per batch element. Returns the velocity with x's shape.
   * Per call only the B·H action rows run through the blocks; context, masks, RoPE and modulations come from `ctx`.
   */
  velocity(x: tf.Tensor2D | tf.Tensor3D, t: number | ArrayLike<number>, ctx: ExpertContext, opts: VelocityOptions = {}): tf.Tensor {
    const fn = "ActionExpert.velocity";
    const e = this.e;
    const Amax = this.config.maxActionDim;
    if (ctx.isDisposed) fail(fn, "ctx", "must be a live context; got a disposed one");
    if (ctx.kv.length !== e.numLayers) fail(fn, "ctx", `must come from this expert (${e.numLayers} layers); got ${ctx.kv.length}`);
    const { B, H, A } = rowsOf(fn, x, opts.horizon, Amax);
    const valid = horizonValidity(fn, opts.horizonMask, H);
    const ts = timesOf(fn, t, B);
    const tables = ctx.stepTables(B, H, valid, e.numHeads, this.headDim, e.rope ? EXPERT_ROPE_BASE : null);
    const shared = ts.every((v) => v === ts[0]) ? this.modulationAt(ctx, ts[0]) : null;
    return tf.tidy(() => {
      let x2 = tf.reshape(x, [B * H, A]) as tf.Tensor2D;
      if (A < Amax) x2 = tf.pad(x2, [[0, 0], [0, Amax - A]]);
      const m = shared ?? stepModulation(this.time, ts, e.timestepEmbedDim, batchRows(B, H));
      let h = linear(x2, this.embed.w, this.embed.b);
      for (let l = 0; l < e.numLayers; l++) {
        h = ditBlock(h, m.blocks[l], this.blocks[l], ctx.kv[l], {
          heads: e.numHeads,
          qkNorm: e.qkNorm,
          qkNormEps: e.qkNormEps,
          rope: tables.rope,
          selfMask: tables.selfMask,
          crossBias: ctx.crossBias,
          rowMask: tables.rowMask,
        });
      }
      let out = linear(modulate(h, m.shiftF, m.scale1F), this.final.w, this.final.b);
      if (tables.rowMask) out = tf.mul(out, tables.rowMask) as tf.Tensor2D;
      if (A < Amax) out = tf.slice(out, [0, 0], [B * H, A]);
      return x.rank === 3 ? tf.reshape(out, [B, H, A]) : out;
    });
  }

  /**
   * The uncached path (for comparison and benchmarks): project the context, compute modulations and tables, run one
   * velocity, free everything — i.e. what a step costs without the paper's per-chunk caching.
   */
  velocityUncached(x: tf.Tensor2D | tf.Tensor3D, t: number | ArrayLike<number>, perLayerKV: readonly LayerKV[], tokenIds: ArrayLike<number>, opts: VelocityOptions & ProjectOptions = {}): tf.Tensor {
    const ctx = this.prepareContext(perLayerKV, tokenIds, opts);
    try {
      return this.velocity(x, t, ctx, opts);
    } finally {
      ctx.dispose();
    }
  }
}

/** The visible positions as `[start, length]` runs. */
function visibleRuns(visible: Uint8Array): [number, number][] {
  const runs: [number, number][] = [];
  for (let i = 0; i < visible.length; i++) {
    if (!visible[i]) continue;
    const last = runs[runs.length - 1];
    if (last && last[0] + last[1] === i) last[1]++;
    else runs.push([i, 1]);
  }
  return runs;
}

/** Above this many visible runs one `gather` beats the slices and their concat. */
const MAX_SLICED_RUNS = 16;

/**
 * Rows `keep` of `[T, heads, hd]`: contiguous slices (copies of whole row blocks, the usual case: a few hidden EOS /
 * action / padding spans) rather than a per-element `gather`, which costs ~25 ns per output element on wasm.
 */
function keepRows(x: tf.Tensor3D, runs: [number, number][], keep: number[]): tf.Tensor3D {
  const [, H, D] = x.shape;
  if (runs.length > MAX_SLICED_RUNS) return tf.gather(x, tf.tensor1d(keep, "int32")) as tf.Tensor3D;
  const parts = runs.map(([s, n]) => tf.slice(x, [s, 0, 0], [n, H, D]));
  return (parts.length === 1 ? parts[0] : tf.concat(parts, 0)) as tf.Tensor3D;
}

/** Batch B, horizon H and action width A of a velocity input. */
function rowsOf(fn: string, x: tf.Tensor, horizon: number | undefined, Amax: number): { B: number; H: number; A: number } {
  if (x.rank !== 2 && x.rank !== 3) fail(fn, "x", `must be [B·H, A] or [B, H, A]; got [${x.shape.join(", ")}]`);
  const A = x.shape[x.rank - 1];
  if (A > Amax || A < 1) fail(fn, "x", `last dim must be in [1, ${Amax}]; got ${A}`);
  if (x.rank === 3) {
    const [B, H] = x.shape;
    if (horizon !== undefined && horizon !== H) fail(fn, "opts.horizon", `must equal x.shape[1] = ${H}; got ${horizon}`);
    return { B, H, A };
  }
  const H = checkInt(fn, "opts.horizon", horizon ?? x.shape[0], 1);
  if (x.shape[0] % H !== 0) fail(fn, "opts.horizon", `must divide the ${x.shape[0]} rows of x; got ${H}`);
  return { B: x.shape[0] / H, H, A };
}

/** The horizon mask as 0/1 bytes, or null when every step is real. */
function horizonValidity(fn: string, mask: ArrayLike<number | boolean> | undefined, H: number): Uint8Array | null {
  if (!mask) return null;
  if (mask.length !== H) fail(fn, "opts.horizonMask", `must have length H = ${H}; got ${mask.length}`);
  const valid = Uint8Array.from(Array.from(mask, (v) => (v ? 1 : 0)));
  return valid.every((v) => v === 1) ? null : valid;
}

/** Flow times as an array: one for all, or one per batch element; finite. */
function timesOf(fn: string, t: number | ArrayLike<number>, B: number): number[] {
  const ts = typeof t === "number" ? [t] : Array.from(t);
  if (ts.length !== B && ts.length !== 1) fail(fn, "t", `must be one time or one per batch element (${B}); got ${ts.length}`);
  ts.forEach((v, i) => {
    if (!Number.isFinite(v)) fail(fn, "t", `must be finite; got ${v} at [${i}]`);
  });
  return ts;
}

/** `[B·H, B]` one-hot: row i belongs to sequence ⌊i/H⌋ (expands per-sequence modulations to rows). */
function batchRows(B: number, H: number): tf.Tensor2D {
  const sel = new Float32Array(B * H * B);
  for (let i = 0; i < B * H; i++) sel[i * B + Math.floor(i / H)] = 1;
  return tf.tensor2d(sel, [B * H, B]);
}
