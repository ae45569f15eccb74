import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, it } from "vitest";
import { Rng, VlaError } from "../../src/core/index.js";
import { MOLMOACT2_TOKENS } from "../../src/vocab/index.js";
import { disposeParams } from "../../src/nn/index.js";
import { ActionExpert, TINY, type ExpertModelConfig } from "../../src/model/index.js";
import { expertParamShapes, initExpertParams } from "../../src/model/expert-params.js";
import { modelParamShapes } from "../../src/model/param-shapes.js";
import { maxAbsDiff, read, setBackend, TEST_BACKENDS } from "../nn/backends.js";
import { expertTestConfig, randomExpertParams } from "./expert-helpers.js";
import { expertRef } from "./expert-reference.js";

const CFG = expertTestConfig({ hiddenSize: 64, numLayers: 2, numHeads: 4, llmNumKvHeads: 2, llmHeadDim: 16, maxActionDim: 8, timestepEmbedDim: 32, ffnMultipleOf: 32 });
const REF = { h: 64, L: 2, heads: 4, nkv: 2, hdl: 16, A: 8, tdim: 32 };

function randomKV(seed: number, T: number, L = 2, nkv = 2, hd = 16) {
  const r = new Rng(seed);
  const arrays = Array.from({ length: L }, () => ({ k: r.normals(T * nkv * hd), v: r.normals(T * nkv * hd) }));
  const tensors = arrays.map((a) => ({ k: tf.tensor3d(a.k, [T, nkv, hd]), v: tf.tensor3d(a.v, [T, nkv, hd]) }));
  return { arrays, tensors, dispose: () => tensors.forEach((t) => tf.dispose([t.k, t.v])) };
}

const withExpert = (c: ExpertModelConfig, e: Partial<NonNullable<ExpertModelConfig["expert"]>>): ExpertModelConfig => ({ ...c, expert: { ...c.expert!, ...e } });

describe("action expert config and names", () => {
  it("reads the model config: mlp inner = ceil(int(h·8/3)/256)·256 (2816 for 1024, 2048 for 768; no rounding for 0)", async () => {
    await setBackend("cpu");
    const big = (h: number, heads: number) => expertTestConfig({ hiddenSize: h, numLayers: 1, numHeads: heads, llmNumKvHeads: 8, llmHeadDim: 128 });
    expect(expertParamShapes(big(1024, 16))["model.action_expert.blocks.0.mlp.up_proj.weight"]).toEqual([1024, 2816]);
    expect(expertParamShapes(big(768, 8))["model.action_expert.blocks.0.mlp.down_proj.weight"]).toEqual([2048, 768]);
    expect(expertParamShapes(withExpert(big(768, 8), { ffnMultipleOf: 0 }))["model.action_expert.blocks.0.mlp.gate_proj.weight"]).toEqual([768, 2048]);
    expect(expertParamShapes(withExpert(big(100, 5), { ffnMultipleOf: 0 }))["model.action_expert.blocks.0.mlp.gate_proj.weight"]).toEqual([100, 266]);
    // any MolmoAct2Config is an expert config: the TINY model's expert reads exactly the model's expert tensors
    const expertNames = Object.keys(expertParamShapes(TINY));
    const model = modelParamShapes(TINY);
    expect(expertNames.length).toBeGreaterThan(20);
    for (const n of expertNames) expect(model[n]).toEqual(expertParamShapes(TINY)[n]);
    expect(Object.keys(model).filter((n) => n.includes("action_expert")).sort()).toEqual([...expertNames].sort());
    const ex = ActionExpert.init(TINY, new Rng(1));
    expect(ex.mlpInner).toBe(96);
    disposeParams(ex.params);
  });

  it("parameter names follow the reference checkpoint", () => {
    const names = Object.keys(expertParamShapes({ ...CFG, depthGate: "per_layer" }));
    for (const n of [
      "time_embed.1.weight", "time_embed.3.bias", "action_embed.weight", "context_k_proj.weight", "context_v_proj.weight",
      "blocks.1.modulation.linear.weight", "blocks.0.self_attn.qkv.bias", "blocks.0.self_attn.out_proj.weight",
      "blocks.0.cross_attn.q_proj.weight", "blocks.0.cross_attn.out_proj.bias", "blocks.0.mlp.gate_proj.weight",
      "blocks.0.mlp.up_proj.weight", "blocks.0.mlp.down_proj.bias", "final_layer.modulation.linear.weight", "final_layer.linear.weight",
    ]) expect(names).toContain(`model.action_expert.${n}`);
    expect(names).toContain("model.action_expert_depth_gate.1.weight");
    expect(names).toContain("model.action_expert_depth_gate.1.bias");
    expect(names.some((n) => n.includes("context_k_proj.bias"))).toBe(false);
    const s = expertParamShapes(CFG);
    expect(s["model.action_expert.blocks.0.modulation.linear.weight"]).toEqual([64, 9 * 64]);
    expect(s["model.action_expert.final_layer.linear.weight"]).toEqual([64, 8]);
  });

  it("rejects bad configs, a config without an expert and missing/mis-shaped parameters", () => {
    expect(() => expertParamShapes(withExpert(CFG, { numHeads: 5 }))).toThrow(/numHeads must divide/);
    expect(() => expertParamShapes(withExpert(CFG, { numHeads: 64 }))).toThrow(/even head size/);
    expect(() => new ActionExpert({ ...CFG, expert: null }, {})).toThrow(/ActionExpert: config\.expert must be an action_expert_config; got null/);
    expect(() => new ActionExpert(CFG, {})).toThrow(/must contain "model\.action_expert\.time_embed\.1\.weight"/);
  });
});

describe.each(TEST_BACKENDS)("action expert on %s", (backend) => {
  beforeAll(async () => {
    await setBackend(backend);
  });

  it("velocity matches an independent float64 reference (with a masked context)", async () => {
    const { params, P } = randomExpertParams(CFG, 5);
    const ex = new ActionExpert(CFG, params);
    const ref = { ...REF, inner: ex.mlpInner };
    const T = 24;
    const kv = randomKV(9, T);
    const ids = Array.from({ length: T }, (_, i) => 100 + i);
    ids[0] = MOLMOACT2_TOKENS.ids.imEnd; // BOS/EOS: hidden
    ids[10] = MOLMOACT2_TOKENS.ids.actionStart; // action span 10..12 hidden
    ids[11] = MOLMOACT2_TOKENS.actionToken(5);
    ids[12] = MOLMOACT2_TOKENS.ids.actionEnd;
    const ctx = ex.prepareContext(kv.tensors, ids);
    expect(Array.from(ctx.visible).filter((v) => !v)).toHaveLength(4);
    const xr = new Rng(3);
    const H = 10;
    const xa = xr.normals(H * 8);
    const x = tf.tensor2d(xa, [H, 8]);
    for (const t of [0, 0.3, 0.9]) {
      const v = ex.velocity(x, t, ctx);
      const want = expertRef(ref, P, kv.arrays, T, ctx.visible, xa, H, t);
      // float32 through 2 blocks with O(1) activations and O(10) outputs: ~1e-6 relative; 1e-4 absolute is a safe bound
      expect(maxAbsDiff(await read(v), want)).toBeLessThan(1e-4);
      v.dispose();
    }
    // a context where everything is hidden keeps the mask (uniform weights, as the reference's finite mask value)
    const allHidden = ex.prepareContext(kv.tensors, ids.map(() => MOLMOACT2_TOKENS.ids.imEnd));
    const vh = ex.velocity(x, 0.5, allHidden);
    const refH = expertRef(ref, P, kv.arrays, T, new Uint8Array(T), xa, H, 0.5);
    expect(maxAbsDiff(await read(vh), refH)).toBeLessThan(1e-4);
    vh.dispose();
    allHidden.dispose();
    // narrower action input (A < maxActionDim) = zero-padded input, sliced output
    const x5 = tf.slice(x, [0, 0], [H, 5]);
    const x5p = tf.pad(x5, [[0, 0], [0, 3]]);
    const v5 = ex.velocity(x5 as tf.Tensor2D, 0.3, ctx);
    const v5p = ex.velocity(x5p as tf.Tensor2D, 0.3, ctx);
    const full = await read(v5p);
    const sliced = Float64Array.from({ length: H * 5 }, (_, i) => full[Math.floor(i / 5) * 8 + (i % 5)]);
    expect(maxAbsDiff(await read(v5), sliced)).toBeLessThan(1e-6);
    tf.dispose([x, x5, x5p, v5, v5p]);
    ctx.dispose();
    kv.dispose();
    disposeParams(params);
  });

  it("without RoPE (action_expert_config.rope = false) matches the float64 reference without it", async () => {
    const cfg = withExpert(CFG, { rope: false });
    const { params, P } = randomExpertParams(cfg, 7);
    const ex = new ActionExpert(cfg, params);
    const T = 9;
    const kv = randomKV(8, T);
    const ctx = ex.prepareContext(kv.tensors, Array.from({ length: T }, (_, i) => 100 + i));
    const H = 6;
    const xa = new Rng(2).normals(H * 8);
    const x = tf.tensor2d(xa, [H, 8]);
    const v = ex.velocity(x, 0.25, ctx);
    const want = expertRef({ ...REF, inner: ex.mlpInner, rope: false }, P, kv.arrays, T, ctx.visible, xa, H, 0.25);
    const withRope = expertRef({ ...REF, inner: ex.mlpInner }, P, kv.arrays, T, ctx.visible, xa, H, 0.25);
    // same float32 bound as above; and RoPE visibly matters here, so the check can fail
    expect(maxAbsDiff(await read(v), want)).toBeLessThan(1e-4);
    expect(maxAbsDiff(want, withRope)).toBeGreaterThan(1e-2);
    tf.dispose([x, v]);
    ctx.dispose();
    kv.dispose();
    disposeParams(params);
  });

  it("long horizons (self-attention per head as rank-2 matMuls) match the float64 reference and the batched path", async () => {
    const { params, P } = randomExpertParams(CFG, 6);
    const ex = new ActionExpert(CFG, params);
    const T = 12;
    const kv = randomKV(4, T);
    const ids = Array.from({ length: T }, (_, i) => 100 + i);
    const ctx = ex.prepareContext(kv.tensors, ids);
    // rows 40, hd 16: 40²·16 = 25600 ≥ 2^14 takes the per-head path (rows 20 below takes the batched one)
    const H = 40;
    const xa = new Rng(4).normals(H * 8);
    const x = tf.tensor2d(xa, [H, 8]);
    const v = ex.velocity(x, 0.4, ctx);
    const ref = expertRef({ ...REF, inner: ex.mlpInner }, P, kv.arrays, T, ctx.visible, xa, H, 0.4);
    // same float32 bound and reason as the reference test above
    expect(maxAbsDiff(await read(v), ref)).toBeLessThan(1e-4);
    // 2 × 20 rows with a horizon mask (per-head path with the self mask) = each element alone (batched path)
    const x2 = tf.tensor2d(new Rng(5).normals(40 * 8), [40, 8]);
    const mask = Array.from({ length: 20 }, (_, i) => i < 17);
    const both = await read(ex.velocity(x2, 0.7, ctx, { horizon: 20, horizonMask: mask }));
    for (let b = 0; b < 2; b++) {
      const xb = tf.slice(x2, [b * 20, 0], [20, 8]) as tf.Tensor2D;
      const vb = ex.velocity(xb, 0.7, ctx, { horizonMask: mask });
      const one = await read(vb);
      expect(maxAbsDiff(both.slice(b * 160, (b + 1) * 160), one)).toBeLessThan(1e-5);
      tf.dispose([xb, vb]);
    }
    tf.dispose([x, v, x2]);
    ctx.dispose();
    kv.dispose();
    disposeParams(params);
  });

  it("batch rows, 3-D input, per-element times and horizon masks are consistent with single runs", async () => {
    const { params } = randomExpertParams(CFG, 6);
    const ex = new ActionExpert(CFG, params);
    const T = 12, H = 6;
    const kv = randomKV(2, T);
    const ctx = ex.prepareContext(kv.tensors, Array.from({ length: T }, () => 7));
    const r = new Rng(4);
    const a = r.normals(H * 8), b = r.normals(H * 8);
    const xa = tf.tensor2d(a, [H, 8]), xb = tf.tensor2d(b, [H, 8]);
    const both = tf.tensor3d(Float32Array.from([...a, ...b]), [2, H, 8]);
    const va = ex.velocity(xa, 0.2, ctx), vb = ex.velocity(xb, 0.7, ctx);
    const vboth = ex.velocity(both, [0.2, 0.7], ctx);
    expect(vboth.shape).toEqual([2, H, 8]);
    const bothD = await read(vboth);
    expect(maxAbsDiff(bothD.subarray(0, H * 8), await read(va))).toBeLessThan(1e-5);
    expect(maxAbsDiff(bothD.subarray(H * 8), await read(vb))).toBeLessThan(1e-5);
    // horizon mask: padded steps are zeroed and do not influence the real ones (= running the 4-step prefix alone)
    const mask = [1, 1, 1, 1, 0, 0];
    const vm = await read(ex.velocity(xa, 0.2, ctx, { horizonMask: mask }));
    const x4 = tf.slice(xa, [0, 0], [4, 8]) as tf.Tensor2D;
    const v4 = await read(ex.velocity(x4, 0.2, ctx));
    expect(maxAbsDiff(vm.subarray(0, 32), v4)).toBeLessThan(1e-5);
    expect(maxAbsDiff(vm.subarray(32), new Float64Array(16))).toBe(0);
    expect(() => ex.velocity(xa, [0.1, 0.2, 0.3], ctx)).toThrow(VlaError);
    expect(() => ex.velocity(xa, 0.1, ctx, { horizon: 4 })).toThrow(/must divide/);
    ctx.dispose();
    expect(() => ex.velocity(xa, 0.1, ctx)).toThrow(/disposed/);
    tf.dispose([xa, xb, both, va, vb, vboth, x4]);
    kv.dispose();
    disposeParams(params);
  });

  it("seeded init: zero modulation + zero final layer → zero velocity; deterministic", async () => {
    const ex = ActionExpert.init(CFG, new Rng(11));
    const ex2 = ActionExpert.init(CFG, new Rng(11));
    const q1 = await read(ex.params["model.action_expert.blocks.0.self_attn.qkv.weight"]);
    expect(maxAbsDiff(q1, await read(ex2.params["model.action_expert.blocks.0.self_attn.qkv.weight"]))).toBe(0);
    // residual out-projections are scaled by (2L)^-1/2 relative to plain xavier
    const o = await read(ex.params["model.action_expert.blocks.0.mlp.down_proj.weight"]);
    const [i, n] = [ex.mlpInner, 64];
    expect(Math.max(...o.map(Math.abs))).toBeLessThanOrEqual(Math.sqrt(6 / (i + n)) * 0.5 + 1e-7);
    const kv = randomKV(1, 5);
    const ctx = ex.prepareContext(kv.tensors, [1, 2, 3, 4, 5]);
    const x = tf.ones([4, 8]) as tf.Tensor2D;
    const v = ex.velocity(x, 0.5, ctx);
    expect(Math.max(...(await read(v)).map(Math.abs))).toBe(0);
    tf.dispose([x, v]);
    ctx.dispose();
    kv.dispose();
    disposeParams(ex.params);
    disposeParams(ex2.params);
  });

  it("cached context = uncached path; a context reused for many steps leaks nothing", async () => {
    const { params } = randomExpertParams(CFG, 8);
    const ex = new ActionExpert(CFG, params);
    const T = 16;
    const kv = randomKV(3, T);
    const ids = Array.from({ length: T }, (_, i) => i);
    const x = tf.tensor2d(new Rng(1).normals(5 * 8), [5, 8]);
    const before = tf.memory().numTensors;
    const ctx = ex.prepareContext(kv.tensors, ids, { times: [0, 0.1] });
    const afterPrepare = tf.memory().numTensors;
    const cached = ex.velocity(x, 0.1, ctx);
    const cachedD = await read(cached);
    cached.dispose();
    const settled = tf.memory().numTensors; // tables (RoPE) are cached on first use
    for (let k = 0; k < 10; k++) ex.velocity(x, k / 10, ctx).dispose();
    // 8 new times × (2 blocks × 9 modulations + final shift, scale); no per-time folded biases (they made wasm
    // re-pack every weight per time)
    expect(tf.memory().numTensors).toBe(settled + 8 * 20);
    const un = ex.velocityUncached(x, 0.1, kv.tensors, ids);
    expect(maxAbsDiff(await read(un), cachedD)).toBe(0);
    un.dispose();
    ctx.dispose();
    expect(afterPrepare).toBeGreaterThan(before);
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
    kv.dispose();
    disposeParams(params);
  });

  it("prepareContext validates its inputs", () => {
    const params = initExpertParams(CFG, new Rng(0));
    const ex = new ActionExpert(CFG, params);
    const kv = randomKV(1, 4);
    expect(() => ex.prepareContext(kv.tensors, [1, 2, 3])).toThrow(/must be \[3, 2, 16\]/);
    expect(() => ex.prepareContext(kv.tensors.slice(0, 1), [1, 2, 3, 4])).toThrow(/must hold 2 layers/);
    expect(() => ex.prepareContext(kv.tensors, [1, 2, 3, 1.5])).toThrow(/integer token ids/);
    kv.dispose();
    disposeParams(params);
  });
});
