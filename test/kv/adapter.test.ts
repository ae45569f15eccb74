import * as tf from "@tensorflow/tfjs-core";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { Rng } from "../../src/core/index.js";
import { MOLMOACT2_TOKENS, TokenTable } from "../../src/vocab/index.js";
import { contextKeyMask, KvAdapter, kvAdapterParamShapes, type KvAdapterConfig } from "../../src/kv/index.js";
import { depthGateRowScales } from "../../src/kv/depth-gate.js";
import { depthTokenMask, keyMaskBias } from "../../src/kv/masks.js";
import { maxAbsDiff, read, setBackend, TEST_BACKENDS } from "../nn/backends.js";
import { matmul, rmsRef } from "../nn/reference.js";

const ids = MOLMOACT2_TOKENS.ids;

describe("context masks (molmoact2.md §3.4)", () => {
  it("hides EOS/BOS and inclusive action spans; unclosed span runs to the end", () => {
    const seq = [ids.imEnd, 5, 6, ids.actionStart, MOLMOACT2_TOKENS.actionToken(3), ids.actionEnd, 7, ids.imEnd, ids.actionStart, 8];
    expect(Array.from(contextKeyMask(seq))).toEqual([0, 1, 1, 0, 0, 0, 1, 0, 0, 0]);
    expect(Array.from(contextKeyMask(seq, { hideActionAndEos: false }))).toEqual([1, 1, 1, 1, 1, 1, 1, 1, 1, 1]);
    expect(Array.from(contextKeyMask([5, 6, -1], { attentionMask: [1, 0, 1] }))).toEqual([1, 0, 0]);
    expect(() => contextKeyMask([1, 2], { attentionMask: [1] })).toThrow(/contextKeyMask: opts.attentionMask must have length 2/);
    expect(() => contextKeyMask([1, 2.5])).toThrow(/integer token ids/);
  });

  it("uses the ids of the given TokenTable", () => {
    const tt = new TokenTable({ imEnd: 9 });
    expect(Array.from(contextKeyMask([9, ids.imEnd], { tokens: tt }))).toEqual([0, 1]);
  });

  it("property: nothing between <action_start> and <action_end> is visible; visible ⊆ attention mask", () => {
    const tok = fc.oneof(fc.integer({ min: 0, max: 1000 }), fc.constantFrom(ids.actionStart, ids.actionEnd, ids.imEnd, -1));
    fc.assert(
      fc.property(fc.array(fc.tuple(tok, fc.boolean()), { maxLength: 60 }), (pairs) => {
        const seq = pairs.map((p) => p[0]);
        const am = pairs.map((p) => p[1]);
        const m = contextKeyMask(seq, { attentionMask: am });
        let inSpan = false;
        seq.forEach((id, i) => {
          if (id === ids.actionStart) inSpan = true;
          if (inSpan || id === ids.imEnd || id === -1 || !am[i]) expect(m[i]).toBe(0);
          else expect(m[i]).toBe(1);
          if (id === ids.actionEnd) inSpan = false;
        });
      }),
    );
  });

  it("depth-token mask covers depth_output/start/end and <depth_i> on valid rows", () => {
    const seq = [ids.depthOutput, ids.depthStart, MOLMOACT2_TOKENS.depthToken(0), MOLMOACT2_TOKENS.depthToken(127), ids.depthEnd, 5, MOLMOACT2_TOKENS.depthToken(3)];
    expect(Array.from(depthTokenMask(seq, [1, 1, 1, 1, 1, 1, 0]))).toEqual([1, 1, 1, 1, 1, 0, 0]);
  });
});

const CFG: KvAdapterConfig = { numLayers: 3, llmNumKvHeads: 2, llmHeadDim: 8, hiddenSize: 24, numHeads: 4 };

function randomParams(cfg: KvAdapterConfig, seed: number, gateBias?: number) {
  const r = new Rng(seed);
  const params: Record<string, tf.Tensor> = {};
  const P: Record<string, Float64Array> = {};
  for (const [k, shape] of Object.entries(kvAdapterParamShapes(cfg))) {
    const n = shape.reduce((a, b) => a * b, 1);
    const d = Float32Array.from({ length: n }, () => (gateBias !== undefined && k.endsWith(".bias") ? gateBias : r.uniform() - 0.5));
    params[k] = tf.tensor(d, shape);
    P[k] = Float64Array.from(d);
  }
  return { params, P };
}

function randomKV(seed: number, T: number, cfg: KvAdapterConfig) {
  const r = new Rng(seed);
  const n = T * cfg.llmNumKvHeads * cfg.llmHeadDim;
  const arrays = Array.from({ length: cfg.numLayers }, () => ({ k: r.normals(n), v: r.normals(n) }));
  const tensors = arrays.map((a) => ({
    k: tf.tensor3d(a.k, [T, cfg.llmNumKvHeads, cfg.llmHeadDim]),
    v: tf.tensor3d(a.v, [T, cfg.llmNumKvHeads, cfg.llmHeadDim]),
  }));
  return { arrays, tensors, dispose: () => tensors.forEach((t) => tf.dispose([t.k, t.v])) };
}

describe.each(TEST_BACKENDS)("KvAdapter on %s", (backend) => {
  beforeAll(async () => {
    await setBackend(backend);
  });

  it("per_layer: head-major flatten → shared P_K/P_V → RMS(h) → heads → per-head k_norm (float64 reference)", async () => {
    const { params, P } = randomParams(CFG, 1);
    const ad = new KvAdapter(CFG, params);
    const T = 9;
    const kv = randomKV(2, T, CFG);
    const seq = Array.from({ length: T }, (_, i) => 10 + i);
    seq[4] = ids.imEnd;
    const ctx = ad.project(kv.tensors, seq);
    expect(Array.from(ctx.visible)).toEqual([1, 1, 1, 1, 0, 1, 1, 1, 1]);
    expect(Array.from(await read(ctx.bias!))).toEqual([0, 0, 0, 0, -1e9, 0, 0, 0, 0]);
    for (let l = 0; l < 3; l++) {
      const kRef = rmsRef(rmsRef(matmul(kv.arrays[l].k, T, 16, P["action_expert.context_k_proj.weight"], 24), 24), 6);
      const vRef = rmsRef(matmul(kv.arrays[l].v, T, 16, P["action_expert.context_v_proj.weight"], 24), 24);
      expect(ctx.layers[l].k.shape).toEqual([T, 4, 6]);
      // float32 projections of 16-term sums, then normalisation: ~1e-6
      expect(maxAbsDiff(await read(ctx.layers[l].k), kRef)).toBeLessThan(1e-5);
      expect(maxAbsDiff(await read(ctx.layers[l].v), vRef)).toBeLessThan(1e-5);
    }
    ctx.dispose();
    const all = ad.project(kv.tensors, seq.map(() => 3));
    expect(all.bias).toBeNull();
    all.dispose();
    kv.dispose();
    tf.dispose(Object.values(params));
  });

  it("contextLayerNorm = false and qkNorm = false give the raw projection", async () => {
    const cfg = { ...CFG, contextLayerNorm: false, qkNorm: false };
    const { params, P } = randomParams(cfg, 3);
    const ad = new KvAdapter(cfg, params);
    const kv = randomKV(4, 5, cfg);
    const ctx = ad.project(kv.tensors, [1, 2, 3, 4, 5]);
    expect(maxAbsDiff(await read(ctx.layers[1].k), matmul(kv.arrays[1].k, 5, 16, P["action_expert.context_k_proj.weight"], 24))).toBeLessThan(1e-5);
    ctx.dispose();
    kv.dispose();
    tf.dispose(Object.values(params));
  });

  it("per_head variant = per_layer with a block-diagonal P (when norms are off); documented non-reference", async () => {
    const cfgH: KvAdapterConfig = { ...CFG, mode: "per_head", contextLayerNorm: false, qkNorm: false };
    const { params, P } = randomParams(cfgH, 5);
    expect(Object.keys(params)).toContain("action_expert.context_k_proj_heads.1.weight");
    expect(params["action_expert.context_k_proj_heads.0.weight"].shape).toEqual([8, 12]);
    // build the equivalent block-diagonal [16, 24] matrix
    const bd = (which: "k" | "v") => {
      const m = new Float32Array(16 * 24);
      for (let j = 0; j < 2; j++) {
        const w = P[`action_expert.context_${which}_proj_heads.${j}.weight`];
        for (let a = 0; a < 8; a++) for (let b = 0; b < 12; b++) m[(j * 8 + a) * 24 + j * 12 + b] = w[a * 12 + b];
      }
      return tf.tensor2d(m, [16, 24]);
    };
    const cfgL: KvAdapterConfig = { ...CFG, contextLayerNorm: false, qkNorm: false };
    const adL = new KvAdapter(cfgL, { "action_expert.context_k_proj.weight": bd("k"), "action_expert.context_v_proj.weight": bd("v") });
    const adH = new KvAdapter(cfgH, params);
    const kv = randomKV(6, 7, CFG);
    const seq = [1, 2, 3, 4, 5, 6, 7];
    const a = adH.project(kv.tensors, seq);
    const b = adL.project(kv.tensors, seq);
    for (let l = 0; l < 3; l++) {
      expect(maxAbsDiff(await read(a.layers[l].k), await read(b.layers[l].k))).toBeLessThan(1e-5);
      expect(maxAbsDiff(await read(a.layers[l].v), await read(b.layers[l].v))).toBeLessThan(1e-5);
    }
    // and expert head 2 (from KV head 1) does not depend on KV head 0
    a.dispose();
    b.dispose();
    kv.dispose();
    tf.dispose(Object.values(params));
    expect(() => new KvAdapter({ ...CFG, numHeads: 3, hiddenSize: 24, mode: "per_head" }, {})).toThrow(/multiple of llmNumKvHeads/);
  });

  it("depth gate: sigmoid(w·pooled V + b) scales only depth rows; shared uses the last layer; init bias −4", async () => {
    const T = 6;
    const seq = [5, ids.depthStart, MOLMOACT2_TOKENS.depthToken(1), ids.depthEnd, 6, 7];
    const enc = [1, 1, 1, 1, 1, 1];
    const dm = depthTokenMask(seq, enc);
    const r = new Rng(8);
    const vArr = [r.normals(T * 4), r.normals(T * 4)];
    const v = vArr.map((a) => tf.tensor2d(a, [T, 4]));
    const wArr = [r.normals(4), r.normals(4)];
    const gates = wArr.map((w, l) => ({ weight: tf.tensor2d(w, [4, 1]), bias: tf.tensor1d([l - 0.5]) }));
    const gateRef = (l: number, src: number) => {
      // pool over non-depth valid rows 0, 4, 5
      let z = l - 0.5;
      for (let c = 0; c < 4; c++) z += (wArr[l][c] * (vArr[src][0 * 4 + c] + vArr[src][4 * 4 + c] + vArr[src][5 * 4 + c])) / 3;
      return 1 / (1 + Math.exp(-z));
    };
    const per = depthGateRowScales(v, dm, enc, "per_layer", gates);
    for (let l = 0; l < 2; l++) {
      const g = gateRef(l, l);
      expect(maxAbsDiff(await read(per[l]), [1, g, g, g, 1, 1])).toBeLessThan(1e-6);
    }
    const sh = depthGateRowScales(v, dm, enc, "shared", [gates[0]]);
    const g0 = gateRef(0, 1); // shared: gate 0 on the LAST layer's V
    for (const s of sh) expect(maxAbsDiff(await read(s), [1, g0, g0, g0, 1, 1])).toBeLessThan(1e-6);
    // every row a depth token: pooling falls back to all valid rows (no division by zero)
    const fb = depthGateRowScales(v, [1, 1, 1, 1, 1, 1], enc, "per_layer", gates);
    expect(Number.isFinite((await read(fb[0]))[0])).toBe(true);
    tf.dispose([...v, ...per, ...sh, ...fb, ...gates.flatMap((g) => [g.weight, g.bias])]);
    expect(() => depthGateRowScales(v, dm, enc, "per_layer", [])).toThrow(/one per layer/);
  });

  it("depth gate inside the adapter: gated raw rows; with context RMSNorm it is numerically (almost) a no-op", async () => {
    const cfgG: KvAdapterConfig = { ...CFG, depthGate: "per_layer" };
    const { params } = randomParams(cfgG, 9);
    // init per the reference: weight 0, bias −4 → g = sigmoid(−4) ≈ 0.018
    for (let l = 0; l < 3; l++) {
      params[`action_expert_depth_gate.${l}.weight`].dispose();
      params[`action_expert_depth_gate.${l}.weight`] = tf.zeros([16, 1]);
      params[`action_expert_depth_gate.${l}.bias`].dispose();
      params[`action_expert_depth_gate.${l}.bias`] = tf.tensor1d([-4]);
    }
    const seq = [5, ids.depthStart, MOLMOACT2_TOKENS.depthToken(1), ids.depthEnd, 6];
    const kv = randomKV(10, 5, CFG);
    const noNorm = { ...cfgG, contextLayerNorm: false, qkNorm: false };
    const gated = new KvAdapter(noNorm, params).project(kv.tensors, seq);
    const plain = new KvAdapter({ ...noNorm, depthGate: "none" }, params).project(kv.tensors, seq);
    const g = 1 / (1 + Math.exp(4));
    const gd = await read(gated.layers[0].v);
    const pd = await read(plain.layers[0].v);
    for (let t = 0; t < 5; t++) {
      const s = t >= 1 && t <= 3 ? g : 1;
      for (let c = 0; c < 24; c++) expect(gd[t * 24 + c]).toBeCloseTo(pd[t * 24 + c] * s, 5);
    }
    // the observation of molmoact2.md §4.2: RMSNorm after a bias-free projection cancels a per-row scale
    const gatedN = new KvAdapter(cfgG, params).project(kv.tensors, seq);
    const plainN = new KvAdapter({ ...cfgG, depthGate: "none" }, params).project(kv.tensors, seq);
    const diff = maxAbsDiff(await read(gatedN.layers[2].k), await read(plainN.layers[2].k));
    expect(diff).toBeLessThan(1e-3);
    [gated, plain, gatedN, plainN].forEach((c) => c.dispose());
    kv.dispose();
    tf.dispose(Object.values(params));
  });

  it("validates shapes and parameters", () => {
    const { params } = randomParams(CFG, 1);
    const ad = new KvAdapter(CFG, params);
    const kv = randomKV(1, 4, CFG);
    expect(() => ad.project(kv.tensors, [1, 2, 3])).toThrow(/KvAdapter.project: perLayerKV \[0\]\.k must be \[3, 2, 8\]/);
    expect(() => ad.project(kv.tensors.slice(1), [1, 2, 3, 4])).toThrow(/must hold 3 layers/);
    expect(() => new KvAdapter(CFG, {})).toThrow(/context_k_proj\.weight/);
    expect(() => new KvAdapter({ ...CFG, mode: "weird" as never }, params)).toThrow(/config.mode must be one of/);
    const b = keyMaskBias([1, 0]);
    expect(b.shape).toEqual([1, 2]);
    b.dispose();
    kv.dispose();
    tf.dispose(Object.values(params));
  });
});
