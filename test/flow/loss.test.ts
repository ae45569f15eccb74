import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, it } from "vitest";
import { Rng } from "../../src/core/index.js";
import { flowMatchingLoss, interpolate, MOLMOACT2_TIME_SAMPLER, OPENPI_TIME_SAMPLER, sampleFlowTimes } from "../../src/flow/index.js";
import { disposeParams } from "../../src/nn/index.js";
import { ActionExpert } from "../../src/model/index.js";
import { maxAbsDiff, read, setBackend, TEST_BACKENDS } from "../nn/backends.js";
import { expertTestConfig, randomExpertParams } from "../model/expert-helpers.js";

describe("training time samplers", () => {
  it("MolmoAct2: 0.001 + 0.999·Beta(1, 1.5): mean 0.4006, support [0.001, 1)", () => {
    const t = sampleFlowTimes(new Rng(1), 20000);
    const mean = t.reduce((a, b) => a + b, 0) / t.length;
    // Beta(1, 1.5) has mean 0.4 and sd 0.2828: standard error of 20000 draws ≈ 0.002
    expect(Math.abs(mean - (0.001 + 0.999 * 0.4))).toBeLessThan(0.01);
    expect(Math.min(...t)).toBeGreaterThanOrEqual(0.001);
    expect(Math.max(...t)).toBeLessThan(1);
    // more mass near t = 0 (noise): P(t < 0.5) = 1 − 0.5^1.5 ≈ 0.646
    expect(Math.abs(t.filter((v) => v < 0.5).length / t.length - (1 - 0.5 ** 1.5))).toBeLessThan(0.015);
  });

  it("openpi: Beta(1.5, 1)·0.999 + 0.001 in openpi convention (mean ≈ 0.6); converted it mirrors", () => {
    const a = sampleFlowTimes(new Rng(2), 20000, OPENPI_TIME_SAMPLER);
    const b = sampleFlowTimes(new Rng(2), 20000, OPENPI_TIME_SAMPLER, "molmoact2");
    const mean = a.reduce((x, y) => x + y, 0) / a.length;
    expect(Math.abs(mean - (0.001 + 0.999 * 0.6))).toBeLessThan(0.01);
    for (let i = 0; i < 100; i++) expect(b[i]).toBeCloseTo(1 - a[i], 14);
    expect(MOLMOACT2_TIME_SAMPLER.beta).toBe(1.5);
  });

  it("uniform option and validation", () => {
    const u = sampleFlowTimes(new Rng(3), 5000, { distribution: "uniform", scale: 1, offset: 0 });
    expect(Math.abs(u.reduce((x, y) => x + y, 0) / u.length - 0.5)).toBeLessThan(0.02);
    expect(() => sampleFlowTimes(new Rng(0), 3, { alpha: -1 })).toThrow(/sampleFlowTimes: opts.alpha/);
  });
});

describe.each(TEST_BACKENDS)("flowMatchingLoss on %s", (backend) => {
  beforeAll(async () => {
    await setBackend(backend);
  });

  it("matches a float64 computation with injected noise/times, K samples, dim and horizon masks", async () => {
    const B = 2, H = 3, A = 4, K = 2, N = K * B;
    const r = new Rng(4);
    const act = r.normals(B * H * A);
    const noise = r.normals(N * H * A);
    const times = [0.1, 0.5, 0.9, 0.3];
    const W = r.normals(A * A);
    const actions = tf.tensor2d(act, [B * H, A]);
    const w = tf.tensor2d(W, [A, A]);
    let seenT: number[] = [];
    const velocity = (xt: tf.Tensor2D, t: Float64Array, tRows: tf.Tensor2D) => {
      seenT = Array.from(t);
      return tf.add(tf.matMul(xt, w), tRows);
    };
    const validDims = 3;
    const horizonMask = [1, 1, 0];
    for (const reduction of ["mean", "validMean"] as const) {
      const loss = flowMatchingLoss(velocity, actions, { horizon: H, numFlowSamples: K, noise, times, validDims, horizonMask, reduction });
      expect(seenT).toEqual(times);
      // reference: sample n = k·B + b uses chunk b, time times[n], noise rows n·H..n·H+H−1 (padded dims zeroed)
      let total = 0, rows = 0;
      for (let n = 0; n < N; n++) {
        const b = n % B, t = times[n];
        for (let h = 0; h < H; h++) {
          const eps = Array.from({ length: A }, (_, a) => (a < validDims ? noise[(n * H + h) * A + a] : 0));
          const a = Array.from({ length: A }, (_, j) => act[(b * H + h) * A + j]);
          const xt = a.map((v, j) => (1 - t) * eps[j] + t * v);
          let se = 0;
          for (let j = 0; j < validDims; j++) {
            let v = t;
            for (let i = 0; i < A; i++) v += xt[i] * W[i * A + j];
            se += (v - (a[j] - eps[j])) ** 2;
          }
          if (horizonMask[h]) (total += se / validDims), rows++;
        }
      }
      const expected = reduction === "mean" ? total / (N * H) : total / rows;
      // float32 sums of O(1) terms: relative 1e-5
      expect(Math.abs((await read(loss))[0] - expected)).toBeLessThan(1e-5 * (1 + expected));
      loss.dispose();
    }
    tf.dispose([actions, w]);
  });

  it("is zero for the exact target and positive otherwise; interpolate follows x_t = (1−t)ε + t·a", async () => {
    const r = new Rng(5);
    const act = r.normals(12), noise = r.normals(12);
    const actions = tf.tensor2d(act, [4, 3]);
    const exact = () => tf.tensor2d(Float32Array.from(act, (a, i) => a - noise[i]), [4, 3]);
    const l0 = flowMatchingLoss(exact, actions, { horizon: 2, noise, times: [0.2, 0.7] });
    expect((await read(l0))[0]).toBeLessThan(1e-10);
    const l1 = flowMatchingLoss((x) => tf.zerosLike(x), actions, { horizon: 2, noise, times: [0.2, 0.7] });
    expect((await read(l1))[0]).toBeGreaterThan(0.1);
    const e = tf.tensor2d(noise, [4, 3]);
    const xt = interpolate(e, actions, 0.25);
    expect(maxAbsDiff(await read(xt), Array.from(act, (a, i) => 0.75 * noise[i] + 0.25 * a))).toBeLessThan(1e-6);
    tf.dispose([actions, l0, l1, e, xt]);
    expect(() => flowMatchingLoss(exact, actions, { horizon: 3 })).toThrow(/must divide the 4 rows/);
    expect(() => flowMatchingLoss(exact, actions, { horizon: 2, times: [0.1] })).toThrow(/K·B = 2 times/);
  });

  it("trains the action expert: gradients reach every block weight and the loss falls on a fixed chunk", async () => {
    const cfg = expertTestConfig({ hiddenSize: 32, numLayers: 2, numHeads: 2, llmNumKvHeads: 1, llmHeadDim: 8, maxActionDim: 4, timestepEmbedDim: 16, ffnMultipleOf: 16 });
    const { params } = randomExpertParams(cfg, 3, 0.3);
    const vars: Record<string, tf.Variable> = {};
    for (const [k, p] of Object.entries(params)) vars[k] = tf.variable(p, true, `loss-test-${backend}-${k}`);
    disposeParams(params);
    const ex = new ActionExpert(cfg, vars);
    const kr = new Rng(6);
    const kv = [0, 1].map(() => ({ k: tf.tensor3d(kr.normals(5 * 8), [5, 1, 8]), v: tf.tensor3d(kr.normals(5 * 8), [5, 1, 8]) }));
    const actions = tf.tensor2d(kr.normals(2 * 6 * 4), [12, 4]);
    const opt = tf.train.adam(3e-3);
    const rng = new Rng(9);
    const lossFn = () =>
      tf.tidy(() => {
        const ctx = ex.prepareContext(kv, [1, 2, 3, 4, 5]); // inside the tape: the context projection trains too
        try {
          return flowMatchingLoss((xt, t) => ex.velocity(xt, Array.from(t), ctx, { horizon: 6 }) as tf.Tensor2D, actions, { horizon: 6, numFlowSamples: 2, rng });
        } finally {
          ctx.dispose();
        }
      });
    const { grads, value } = tf.variableGrads(lossFn as () => tf.Scalar, Object.values(vars));
    for (const name of ["model.action_expert.blocks.1.mlp.down_proj.weight", "model.action_expert.context_k_proj.weight", "model.action_expert.time_embed.1.weight", "model.action_expert.blocks.0.modulation.linear.weight"]) {
      const g = await read(grads[vars[name].name]);
      expect(g.some((v) => v !== 0)).toBe(true);
      expect(g.every(Number.isFinite)).toBe(true);
    }
    tf.dispose([value, ...Object.values(grads)]);
    const losses: number[] = [];
    for (let s = 0; s < 25; s++) {
      const l = opt.minimize(lossFn as () => tf.Scalar, true, Object.values(vars))!;
      losses.push((await l.data())[0]);
      l.dispose();
    }
    const first = (losses[0] + losses[1] + losses[2]) / 3, last = (losses[22] + losses[23] + losses[24]) / 3;
    expect(last).toBeLessThan(first);
    opt.dispose();
    tf.dispose([actions, ...kv.flatMap((l) => [l.k, l.v]), ...Object.values(vars)]);
  });
});
