/**
 * Flow-matching sampler + MolmoAct2 action expert benchmark (npm run bench -- flow).
 *
 * - `mm …`: the backend's own rank-2 matMul rate, measured in this run: a 1024³ square, and the exact set of linear
 *   layers one expert step runs (same shapes, same long-lived weights) — the honest ceiling for the expert.
 * - `sample …`: one action chunk = 10 Euler steps with the cached context (the per-chunk `prepareContext` is reported
 *   separately), for a LIBERO-like (H 10, 7 of 32 dims) and a YAM-like (H 30, 14 of 32 dims) chunk. GFLOP/s counts
 *   every matMul FLOP of the step (linears, self- and cross-attention scores and values; 2 FLOP per multiply-add);
 *   elementwise ops and norms are not counted (they are work, but not FLOPs one would compare with a GEMM).
 * - `sample … fresh ctx per chunk`: the same chunk with a newly prepared context each time (untimed prepare), as in
 *   real use: the backend meets the context's K/V and modulation tensors for the first time within the chunk.
 * - `context …`: 10 steps with the cached context vs recomputing the context (projection of all layers' 600-token
 *   K/V, masks, RoPE, modulations) every step.
 *
 * The expert is scaled down from the release (h 1024 × 36 layers is 0.9 G params = 3.5 GB of float32, beyond the wasm
 * heap): h 512, 8 heads (hd 64), 12 layers, VLM KV 8 × 128, T = 600 — every layer type at full per-layer structure.
 */
import * as tf from "@tensorflow/tfjs-core";
import { Rng } from "../src/core/index.js";
import { eulerGrid, sample } from "../src/flow/index.js";
import { disposeParams, linear, useBackend, type BackendName } from "../src/nn/index.js";
import { ActionExpert, type ExpertConfig, type ExpertContext, type ExpertModelConfig } from "../src/model/index.js";
import { measure, report, type BenchRow } from "./lib.js";

/** An expert of width h × L blocks over a VLM cache of nKv heads × hdLlm, the reference's other defaults. */
function expertConfig(h: number, L: number, heads: number, nKv: number, hdLlm: number): ExpertModelConfig {
  const expert: ExpertConfig = { hiddenSize: h, numLayers: L, numHeads: heads, mlpRatio: 8 / 3, ffnMultipleOf: 256, timestepEmbedDim: 256, contextLayerNorm: true, qkNorm: true, qkNormEps: 1e-6, rope: true };
  return { expert, text: { numKeyValueHeads: nKv, headDim: hdLlm }, maxActionDim: 32, depthGate: "none" };
}

const BIG = expertConfig(512, 12, 8, 8, 128);
const SMALL = expertConfig(128, 4, 4, 2, 64);
const T = 600;
const STEPS = 10;

/** The expert's own sizes (its config is never null here). */
function sizes(ex: ActionExpert) {
  const e = ex.config.expert as ExpertConfig;
  return { h: e.hiddenSize, L: e.numLayers, A: ex.config.maxActionDim, inner: ex.mlpInner, tdim: e.timestepEmbedDim, kvDim: ex.config.text.numKeyValueHeads * ex.config.text.headDim };
}

/** matMul FLOPs of one velocity call with R = B·H rows and a T-token context. */
function stepFlops(ex: ActionExpert, R: number, ctxLen: number): { total: number; linear: number } {
  const { h, L, A, inner } = sizes(ex);
  const lin = 2 * R * A * h + L * (2 * R * h * 3 * h + 3 * 2 * R * h * h + 3 * 2 * R * h * inner) + 2 * R * h * A;
  const attn = L * (4 * R * R * h + 4 * R * ctxLen * h);
  return { total: lin + attn, linear: lin };
}

/** Per-chunk context work (projection of every layer's K and V + modulations of the 10 grid times). */
function contextFlops(ex: ActionExpert, ctxLen: number): number {
  const { h, L, tdim, kvDim } = sizes(ex);
  const proj = L * 2 * (2 * ctxLen * kvDim * h);
  const mods = 2 * (tdim * h + h * h) + L * 2 * h * 9 * h + 2 * h * 2 * h;
  return proj + mods;
}

function makeKV(c: ExpertModelConfig, n: number, seed: number) {
  const r = new Rng(seed);
  const { numKeyValueHeads: nKv, headDim: hd } = c.text;
  return Array.from({ length: c.expert?.numLayers ?? 0 }, () => ({
    k: tf.tensor3d(r.normals(n * nKv * hd), [n, nKv, hd]),
    v: tf.tensor3d(r.normals(n * nKv * hd), [n, nKv, hd]),
  }));
}

/** Random non-zero weights so no path is trivially zero (the seeded init zeroes modulation and output). */
function randomise(ex: ActionExpert, seed: number): ActionExpert {
  const r = new Rng(seed);
  const params: Record<string, tf.Tensor> = {};
  for (const [k, p] of Object.entries(ex.params)) {
    params[k] = tf.tensor(Float32Array.from({ length: p.size }, () => (r.uniform() - 0.5) * 0.05), p.shape);
    p.dispose();
  }
  return new ActionExpert(ex.config, params);
}

async function benchBackend(backend: BackendName, cfg: ExpertModelConfig, opts: { minMs: number; minRuns: number; warmup: number }): Promise<BenchRow[]> {
  await useBackend(backend);
  const rows: BenchRow[] = [];
  const m = { minMs: opts.minMs, minRuns: opts.minRuns, warmup: opts.warmup };
  const tag = `${backend} h${cfg.expert?.hiddenSize}×L${cfg.expert?.numLayers}`;
  // the backend's own 2-D matMul rate
  if (backend !== "cpu") {
    const a = tf.randomNormal([1024, 1024], 0, 1, "float32", 1) as tf.Tensor2D;
    const b = tf.randomNormal([1024, 1024], 0, 1, "float32", 2) as tf.Tensor2D;
    const r = await measure(`mm 1024³ (${backend})`, "matmul", async () => {
      const y = tf.matMul(a, b);
      await y.data();
      y.dispose();
    }, { ...m, warmup: 2 });
    r.extra = { GFLOPs: (2 * 1024 ** 3) / (r.msPerOp * 1e6) };
    rows.push(r);
    tf.dispose([a, b]);
  }
  const ex = randomise(ActionExpert.init(cfg, new Rng(0)), 1);
  const A = cfg.maxActionDim;
  const kv = makeKV(cfg, T, 2);
  const ids = Array.from({ length: T }, (_, i) => 1000 + i);
  const grid = eulerGrid(STEPS).times;
  for (const [name, H, D] of [["LIBERO-like", 10, 7], ["YAM-like", 30, 14]] as const) {
    const R = H;
    const f = stepFlops(ex, R, T);
    // ceiling: exactly the step's linear layers, same shapes and weights, nothing else
    const ws = Object.entries(ex.params).filter(([k]) => /blocks\.\d+\.(self_attn\.(qkv|out_proj)|cross_attn\.(q_proj|out_proj)|mlp\.(gate|up|down)_proj)\.weight$/.test(k));
    const xs = new Map<number, tf.Tensor2D>();
    for (const [, w] of ws) if (!xs.has(w.shape[0])) xs.set(w.shape[0], tf.randomNormal([R, w.shape[0]], 0, 1, "float32", 3) as tf.Tensor2D);
    const ceiling = () =>
      measure(`mm expert linears R=${R} (${tag})`, "step", async () => {
        // same ops as the step's linears (fused matMul + bias); one read-back at the end, like the step
        const outs = ws.map(([k, w]) => linear(xs.get(w.shape[0])!, w as tf.Tensor2D, ex.params[k.replace(/weight$/, "bias")] as tf.Tensor1D));
        await outs[outs.length - 1].data();
        tf.dispose(outs);
      }, m);
    const linFlops = f.linear - 4 * R * A * sizes(ex).h;
    const mmBefore = await ceiling();

    const prep = await measure(`prepareContext T=${T} (${tag})`, "chunk", () => {
      ex.prepareContext(kv, ids, { times: grid }).dispose();
    }, m);
    prep.extra = { GFLOPs: contextFlops(ex, T) / (prep.msPerOp * 1e6) };
    rows.push(prep);

    const ctx: ExpertContext = ex.prepareContext(kv, ids, { times: grid });
    let seed = 0;
    const r = await measure(`sample ${name} H=${H} D=${D}, ${STEPS} Euler steps, cached ctx (${tag})`, "chunk", async () => {
      const x = await sample((xx, t) => ex.velocity(xx as tf.Tensor2D, t, ctx), { horizon: H, actionDim: A, validDims: D, seed: seed++ });
      await x.data();
      x.dispose();
    }, m);
    // the ceiling is measured right before and right after (the machine may be shared): take the faster, i.e. the
    // harder target
    const mmAfter = await ceiling();
    for (const x of xs.values()) x.dispose();
    const mmRow = mmBefore.msPerOp <= mmAfter.msPerOp ? mmBefore : mmAfter;
    const mmRate = linFlops / (mmRow.msPerOp * 1e6);
    mmRow.extra = { GFLOPs: mmRate, otherRunGFLOPs: linFlops / (Math.max(mmBefore.msPerOp, mmAfter.msPerOp) * 1e6) };
    rows.push(mmRow);
    const rate = (STEPS * f.total) / (r.msPerOp * 1e6);
    r.extra = { msPerStep: r.msPerOp / STEPS, GFLOPs: rate, ofMatmulRate: `${((100 * rate) / mmRate).toFixed(0)}%` };
    rows.push(r);

    // real use: a fresh context per chunk (its K/V and modulation tensors are new, so the backend sees them for the
    // first time during the chunk's 10 steps); prepareContext itself is not timed (it is the row above)
    const fresh: number[] = [];
    for (let i = 0; i < 1 + Math.max(3, m.minRuns - 2); i++) {
      const c2 = ex.prepareContext(kv, ids, { times: grid });
      const t0 = performance.now();
      const x = await sample((xx, t) => ex.velocity(xx as tf.Tensor2D, t, c2), { horizon: H, actionDim: A, validDims: D, seed: seed++ });
      await x.data();
      const dt = performance.now() - t0;
      x.dispose();
      c2.dispose();
      if (i > 0) fresh.push(dt); // the first is warm-up
    }
    fresh.sort((a, b) => a - b);
    const freshMs = fresh[Math.floor(fresh.length / 2)];
    const freshRate = (STEPS * f.total) / (freshMs * 1e6);
    rows.push({
      name: `sample ${name}, ${STEPS} Euler steps, fresh ctx per chunk (${tag})`,
      unit: "chunk",
      opsPerSec: 1000 / freshMs,
      msPerOp: freshMs,
      extra: { msPerStep: freshMs / STEPS, GFLOPs: freshRate, ofMatmulRate: `${((100 * freshRate) / mmRate).toFixed(0)}%` },
    });

    if (name === "LIBERO-like") {
      const re = await measure(`sample ${name}, ${STEPS} steps, context recomputed every step (${tag})`, "chunk", async () => {
        const x = await sample((xx, t) => ex.velocityUncached(xx as tf.Tensor2D, t, kv, ids), { horizon: H, actionDim: A, validDims: D, seed: seed++ });
        await x.data();
        x.dispose();
      }, { ...m, minRuns: Math.max(2, m.minRuns - 2), warmup: 1 });
      re.extra = { speedupOfCaching: re.msPerOp / r.msPerOp, cachedMs: r.msPerOp };
      re.target = undefined;
      rows.push(re);
      // the target: cached ≥ 3× faster than recomputed
      rows.push({ name: `context caching speed-up (${tag})`, unit: "×", opsPerSec: re.msPerOp / r.msPerOp, msPerOp: NaN, target: 3 });
    }
    ctx.dispose();
  }
  for (const l of kv) tf.dispose([l.k, l.v]);
  disposeParams(ex.params);
  return rows;
}

export async function run(): Promise<void> {
  const rows: BenchRow[] = [];
  rows.push(...(await benchBackend("wasm", BIG, { minMs: 3000, minRuns: 5, warmup: 2 })));
  rows.push(...(await benchBackend("cpu", SMALL, { minMs: 1000, minRuns: 3, warmup: 1 })));
  report("flow", rows, { expertConfigs: { wasm: BIG, cpu: SMALL }, contextTokens: T, steps: STEPS });
}

const isMain = process.argv[1]?.endsWith("flow.bench.ts");
if (isMain) await run();
