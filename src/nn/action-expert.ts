import * as tf from "@tensorflow/tfjs-core";
import { checkInt, fail, type Rng } from "../core/index.js";
import { KvAdapter, type LayerKV, type ProjectOptions } from "../kv/index.js";
import { silu } from "./activations.js";
import { prepareKV, MASK_VALUE, type PreparedKV } from "./attention.js";
import { ditBlock, modulate, type BlockModulation, type DitBlockWeights } from "./dit-block.js";
import { actionExpertParamShapes, adapterConfig, initActionExpertParams, resolveExpertConfig, type ActionExpertConfig, type ResolvedActionExpertConfig } from "./expert-config.js";
import { linear } from "./linear.js";
import { getParam, type ParamMap } from "./params.js";
import { rotateHalfMatrix } from "./rope.js";
import { sinusoidalTimeEmbedding } from "./time-embedding.js";

interface StepModulation {
  blocks: BlockModulation[];
  shiftF: tf.Tensor2D;
  scale1F: tf.Tensor2D;
}

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
 * Everything that is fixed within one action chunk (the paper's caching): projected, normalised per-layer K/V in the
 * per-head rank-2 layout, the cross-attention bias, RoPE tables and self-attention masks per horizon, and the AdaRMS
 * modulations per flow time. Made by {@link ActionExpert.prepareContext}; `dispose()` when the chunk is done.
 */
export class ExpertContext {
  /** Context length T. */
  readonly length: number;
  /** 1 = visible to the expert. */
  readonly visible: Uint8Array;
  /** @internal */ readonly kv: PreparedKV[];
  /** @internal */ readonly crossBias: tf.Tensor2D | null;
  /** @internal */ readonly mods = new Map<number, StepModulation>();
  /** @internal */ readonly tables = new Map<string, tf.Tensor2D | null>();
  private disposed = false;

  /** @internal */
  constructor(kv: PreparedKV[], crossBias: tf.Tensor2D | null, visible: Uint8Array) {
    this.kv = kv;
    this.crossBias = crossBias;
    this.visible = visible;
    this.length = visible.length;
  }

  get isDisposed(): boolean {
    return this.disposed;
  }

  /** Free every cached tensor. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const p of this.kv) p.dispose();
    this.crossBias?.dispose();
    for (const m of this.mods.values()) disposeMod(m);
    for (const t of this.tables.values()) t?.dispose();
    this.mods.clear();
    this.tables.clear();
  }
}

function modTensors(m: StepModulation): tf.Tensor[] {
  const out: tf.Tensor[] = [m.shiftF, m.scale1F];
  for (const b of m.blocks) out.push(...(Object.values(b) as tf.Tensor[]));
  return out;
}

function disposeMod(m: StepModulation): void {
  for (const t of modTensors(m)) t.dispose();
}

/**
 * The MolmoAct2 flow-matching action expert: a DiT with AdaRMS over the noisy action trajectory, cross-attending in
 * block l to VLM layer l's projected K/V. Construct from a config and a parameter map (reference names, `[in, out]`
 * weights; the map is borrowed, not copied). Per chunk: `ctx = prepareContext(perLayerKV, tokenIds)` once, then
 * `velocity(x, t, ctx)` per flow step, then `ctx.dispose()`.
 */
export class ActionExpert {
  readonly config: ResolvedActionExpertConfig;
  readonly params: ParamMap;
  readonly adapter: KvAdapter;
  private readonly w: {
    t1W: tf.Tensor2D; t1B: tf.Tensor1D; t3W: tf.Tensor2D; t3B: tf.Tensor1D;
    aW: tf.Tensor2D; aB: tf.Tensor1D;
    modW: tf.Tensor2D[]; modB: tf.Tensor1D[]; blocks: DitBlockWeights[];
    fModW: tf.Tensor2D; fModB: tf.Tensor1D; fW: tf.Tensor2D; fB: tf.Tensor1D;
  };

  constructor(config: ActionExpertConfig, params: ParamMap, prefix = "action_expert.", gatePrefix = "action_expert_depth_gate") {
    this.config = resolveExpertConfig(config);
    this.params = params;
    const c = this.config;
    const shapes = actionExpertParamShapes(c, prefix, gatePrefix);
    for (const [name, shape] of Object.entries(shapes)) if (!name.includes("depth_gate")) getParam("ActionExpert", params, name, shape);
    const g2 = (n: string) => getParam("ActionExpert", params, prefix + n, shapes[prefix + n]) as tf.Tensor2D;
    const g1 = (n: string) => getParam("ActionExpert", params, prefix + n, shapes[prefix + n]) as tf.Tensor1D;
    const blocks: DitBlockWeights[] = [];
    const modW: tf.Tensor2D[] = [];
    const modB: tf.Tensor1D[] = [];
    for (let l = 0; l < c.numLayers; l++) {
      const b = `blocks.${l}.`;
      modW.push(g2(b + "modulation.linear.weight"));
      modB.push(g1(b + "modulation.linear.bias"));
      blocks.push({
        qkvW: g2(b + "self_attn.qkv.weight"), qkvB: g1(b + "self_attn.qkv.bias"),
        outW: g2(b + "self_attn.out_proj.weight"), outB: g1(b + "self_attn.out_proj.bias"),
        qW: g2(b + "cross_attn.q_proj.weight"), qB: g1(b + "cross_attn.q_proj.bias"),
        cOutW: g2(b + "cross_attn.out_proj.weight"), cOutB: g1(b + "cross_attn.out_proj.bias"),
        gateW: g2(b + "mlp.gate_proj.weight"), gateB: g1(b + "mlp.gate_proj.bias"),
        upW: g2(b + "mlp.up_proj.weight"), upB: g1(b + "mlp.up_proj.bias"),
        downW: g2(b + "mlp.down_proj.weight"), downB: g1(b + "mlp.down_proj.bias"),
      });
    }
    this.w = {
      t1W: g2("time_embed.1.weight"), t1B: g1("time_embed.1.bias"),
      t3W: g2("time_embed.3.weight"), t3B: g1("time_embed.3.bias"),
      aW: g2("action_embed.weight"), aB: g1("action_embed.bias"),
      modW, modB, blocks,
      fModW: g2("final_layer.modulation.linear.weight"), fModB: g1("final_layer.modulation.linear.bias"),
      fW: g2("final_layer.linear.weight"), fB: g1("final_layer.linear.bias"),
    };
    this.adapter = new KvAdapter(adapterConfig(c), params, prefix, gatePrefix);
  }

  /** Seeded fresh expert ({@link initActionExpertParams}); dispose with `disposeParams(expert.params)`. */
  static init(config: ActionExpertConfig, rng: Rng, prefix = "action_expert."): ActionExpert {
    return new ActionExpert(config, initActionExpertParams(config, rng, prefix), prefix);
  }

  /**
   * Project the VLM's per-layer K/V once per chunk. `perLayerKV[l] = { k, v }`, each `[T, n_kv, hd_llm]` float32 (the
   * layer's cache: K after the VLM's k-norm and RoPE, V raw), `tokenIds` the T cached ids (EOS and action spans are
   * hidden, the depth gate finds its tokens). Returns a context owning its tensors (`dispose()` it).
   *
   * Hidden positions are dropped from the prepared K/V instead of masked at every step: a key with additive −1e9 gets
   * softmax weight exp(−1e9) = 0 exactly in float32, so this is the same result with fewer ops and FLOPs per step
   * (when every position is hidden the mask is kept, giving the reference's uniform weights).
   */
  prepareContext(perLayerKV: readonly LayerKV[], tokenIds: ArrayLike<number>, opts: PrepareContextOptions = {}): ExpertContext {
    const proj = this.adapter.project(perLayerKV, tokenIds, opts);
    const keep: number[] = [];
    proj.visible.forEach((v, i) => {
      if (v) keep.push(i);
    });
    const drop = proj.bias !== null && keep.length > 0;
    const kv = proj.layers.map((l) => {
      if (!drop) return prepareKV(l.k, l.v);
      const idx = tf.tensor1d(keep, "int32");
      const k = tf.gather(l.k, idx) as tf.Tensor3D;
      const v = tf.gather(l.v, idx) as tf.Tensor3D;
      const p = prepareKV(k, v);
      tf.dispose([idx, k, v]);
      return p;
    });
    for (const l of proj.layers) (l.k.dispose(), l.v.dispose());
    let bias = proj.bias;
    if (drop) {
      bias?.dispose();
      bias = null;
    }
    const ctx = new ExpertContext(kv, bias, proj.visible);
    for (const t of opts.times ?? []) this.modulationFor(ctx, t);
    return ctx;
  }

  /** Time conditioning `c = Linear(SiLU(Linear(sinusoid(t))))`, `[N, h]` for N times. */
  timeConditioning(t: number | ArrayLike<number>): tf.Tensor2D {
    const w = this.w;
    return tf.tidy(() => {
      const e = sinusoidalTimeEmbedding(t, this.config.timestepEmbedDim);
      return linear(silu(linear(e, w.t1W, w.t1B)) as tf.Tensor2D, w.t3W, w.t3B);
    });
  }

  /** Modulations for times `t` (rows `[N, ·]`), gathered to `rows` when `rowIndex` is given. */
  private computeModulation(t: number | ArrayLike<number>, rowSelect?: tf.Tensor2D): StepModulation {
    const w = this.w;
    const h = this.config.hiddenSize;
    const res = tf.tidy(() => {
      const sc = silu(this.timeConditioning(t)) as tf.Tensor2D;
      const pick = (m: tf.Tensor2D) => (rowSelect ? tf.matMul(rowSelect, m) : m); // one-hot row expansion (differentiable)
      // The shifts are NOT folded into the next linear's bias (shift·W + b): a per-time bias makes wasm's XNNPACK
      // build and pack a new fully-connected operator for every (weight, bias) pair, i.e. re-pack every weight on the
      // first step at each time of every fresh context (measured ~3.5x slower first pass); one add per modulation is
      // far cheaper.
      const blocks: BlockModulation[] = w.modW.map((mw, l) => {
        const m = pick(linear(sc, mw, w.modB[l]));
        const s = tf.split(m, 9, 1) as tf.Tensor2D[];
        return {
          shiftMsa: s[0], scale1Msa: tf.add(s[1], 1) as tf.Tensor2D, gateMsa: s[2],
          shiftMca: s[3], scale1Mca: tf.add(s[4], 1) as tf.Tensor2D, gateMca: s[5],
          shiftMlp: s[6], scale1Mlp: tf.add(s[7], 1) as tf.Tensor2D, gateMlp: s[8],
        };
      });
      const f = tf.split(pick(linear(sc, w.fModW, w.fModB)), 2, 1) as tf.Tensor2D[];
      void h;
      const mod: StepModulation = { blocks, shiftF: f[0], scale1F: tf.add(f[1], 1) as tf.Tensor2D };
      return mod as unknown as tf.TensorContainer;
    });
    return res as unknown as StepModulation;
  }

  private modulationFor(ctx: ExpertContext, t: number): StepModulation {
    let m = ctx.mods.get(t);
    if (!m) {
      m = this.computeModulation(t);
      for (const t of modTensors(m)) tf.keep(t);
      ctx.mods.set(t, m);
    }
    return m;
  }

  /** Joint q/k RoPE tables, self mask and row mask for (B, H, mask), cached in ctx. */
  private tablesFor(ctx: ExpertContext, B: number, H: number, valid: Uint8Array | null) {
    const key = `${B}x${H}:${valid ? Array.from(valid).join("") : "all"}`;
    const get = (name: string, make: () => tf.Tensor2D | null) => {
      const k = `${name}:${key}`;
      if (!ctx.tables.has(k)) {
        const t = make();
        if (t) tf.keep(t);
        ctx.tables.set(k, t);
      }
      return ctx.tables.get(k) ?? null;
    };
    const c = this.config;
    const heads = c.numHeads;
    const hd = c.headDim;
    const half = hd / 2;
    const scale = 1 / Math.sqrt(hd);
    const n = B * H * 2 * heads;
    const C = get("C", () => {
      const d = new Float32Array(n * hd);
      for (let row = 0; row < n; row++) {
        const r = Math.floor(row / (2 * heads));
        const isQ = row % (2 * heads) < heads;
        const pos = r % H;
        for (let j = 0; j < hd; j++) {
          const a = pos * Math.pow(c.ropeBase, -(j % half) / half);
          d[row * hd + j] = (c.rope ? Math.cos(a) : 1) * (isQ ? scale : 1);
        }
      }
      return tf.tensor2d(d, [n, hd]);
    })!;
    const S = get("S", () => {
      if (!c.rope) return null;
      const d = new Float32Array(n * hd);
      for (let row = 0; row < n; row++) {
        const r = Math.floor(row / (2 * heads));
        const isQ = row % (2 * heads) < heads;
        const pos = r % H;
        for (let j = 0; j < hd; j++) d[row * hd + j] = Math.sin(pos * Math.pow(c.ropeBase, -(j % half) / half)) * (isQ ? scale : 1);
      }
      return tf.tensor2d(d, [n, hd]);
    });
    const P = get("P", () => (c.rope ? rotateHalfMatrix(hd) : null));
    const selfMask = get("self", () => {
      if (B === 1 && !valid) return null;
      const m = B * H;
      const d = new Float32Array(m * m);
      for (let i = 0; i < m; i++) for (let j = 0; j < m; j++) {
        const same = Math.floor(i / H) === Math.floor(j / H);
        if (!same || (valid && !valid[j % H])) d[i * m + j] = MASK_VALUE;
      }
      return tf.tensor2d(d, [m, m]);
    });
    const rowMask = get("rows", () => {
      if (!valid) return null;
      const d = new Float32Array(B * H);
      for (let i = 0; i < B * H; i++) d[i] = valid[i % H];
      return tf.tensor2d(d, [B * H, 1]);
    });
    return { qkTables: { C, S, P }, selfMask, rowMask };
  }

  /**
   * Velocity `v(x, t)` for the noisy trajectory `x`: `[B·H, A]` (2-D; B·H rows, `opts.horizon` = H) or `[B, H, A]`,
   * `A ≤ maxActionDim` (missing dims are zero padding, as the reference zeroes them). `t` is the flow time in [0, 1]
   * (MolmoAct2 convention: 0 = noise, 1 = data), one number or one per batch element. Returns the velocity with x's shape.
   * Per call only the B·H action rows run through the blocks; context, masks, RoPE and modulations come from `ctx`.
   */
  velocity(x: tf.Tensor2D | tf.Tensor3D, t: number | ArrayLike<number>, ctx: ExpertContext, opts: VelocityOptions = {}): tf.Tensor {
    const c = this.config;
    const fn = "ActionExpert.velocity";
    if (ctx.isDisposed) fail(fn, "ctx", "must be a live context; got a disposed one");
    if (ctx.kv.length !== c.numLayers) fail(fn, "ctx", `must come from this expert (${c.numLayers} layers); got ${ctx.kv.length}`);
    if (x.rank !== 2 && x.rank !== 3) fail(fn, "x", `must be [B·H, A] or [B, H, A]; got [${x.shape.join(", ")}]`);
    const A = x.shape[x.rank - 1];
    if (A > c.maxActionDim || A < 1) fail(fn, "x", `last dim must be in [1, ${c.maxActionDim}]; got ${A}`);
    let B: number;
    let H: number;
    if (x.rank === 3) {
      [B, H] = x.shape;
      if (opts.horizon !== undefined && opts.horizon !== H) fail(fn, "opts.horizon", `must equal x.shape[1] = ${H}; got ${opts.horizon}`);
    } else {
      H = opts.horizon ?? x.shape[0];
      checkInt(fn, "opts.horizon", H, 1);
      if (x.shape[0] % H !== 0) fail(fn, "opts.horizon", `must divide the ${x.shape[0]} rows of x; got ${H}`);
      B = x.shape[0] / H;
    }
    let valid: Uint8Array | null = null;
    if (opts.horizonMask) {
      if (opts.horizonMask.length !== H) fail(fn, "opts.horizonMask", `must have length H = ${H}; got ${opts.horizonMask.length}`);
      valid = Uint8Array.from(Array.from(opts.horizonMask, (v) => (v ? 1 : 0)));
      if (valid.every((v) => v === 1)) valid = null;
    }
    let ts: number[];
    if (typeof t === "number") ts = [t];
    else {
      ts = Array.from(t);
      if (ts.length !== B && ts.length !== 1) fail(fn, "t", `must be one time or one per batch element (${B}); got ${ts.length}`);
    }
    ts.forEach((v, i) => {
      if (!Number.isFinite(v)) fail(fn, "t", `must be finite; got ${v} at [${i}]`);
    });
    const scalarT = ts.every((v) => v === ts[0]);
    const mod = scalarT ? this.modulationFor(ctx, ts[0]) : null;
    const tabs = this.tablesFor(ctx, B, H, valid);
    const w = this.w;
    return tf.tidy(() => {
      let x2 = tf.reshape(x, [B * H, A]) as tf.Tensor2D;
      if (A < c.maxActionDim) x2 = tf.pad(x2, [[0, 0], [0, c.maxActionDim - A]]);
      let m = mod;
      if (!m) {
        const sel = new Float32Array(B * H * B);
        for (let i = 0; i < B * H; i++) sel[i * B + Math.floor(i / H)] = 1;
        m = this.computeModulation(ts, tf.tensor2d(sel, [B * H, B]));
      }
      let hdn = linear(x2, w.aW, w.aB);
      for (let l = 0; l < c.numLayers; l++) {
        hdn = ditBlock(hdn, m.blocks[l], w.blocks[l], ctx.kv[l], {
          heads: c.numHeads,
          qkNorm: c.qkNorm,
          qkNormEps: c.qkNormEps,
          qkTables: tabs.qkTables,
          selfMask: tabs.selfMask,
          crossBias: ctx.crossBias,
          rowMask: tabs.rowMask,
        });
      }
      let out = linear(modulate(hdn, m.shiftF, m.scale1F), w.fW, w.fB);
      if (tabs.rowMask) out = tf.mul(out, tabs.rowMask) as tf.Tensor2D;
      if (A < c.maxActionDim) out = tf.slice(out, [0, 0], [B * H, A]);
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
