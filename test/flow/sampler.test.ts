import * as tf from "@tensorflow/tfjs-core";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { Rng, VlaError } from "../../src/core/index.js";
import { eulerGrid, gaussianVelocity, sample, toMolmoAct2Time, toOpenpiTime, type VelocityFn } from "../../src/flow/index.js";
import { disposeParams, useBackend } from "../../src/nn/index.js";
import { ActionExpert } from "../../src/model/index.js";
import { readFixtureJson, missingFixtures } from "../fixtures.js";
import { maxAbsDiff, read, setBackend, TEST_BACKENDS } from "../nn/backends.js";
import { expertTestConfig, randomExpertParams } from "../model/expert-helpers.js";

describe("time grids", () => {
  it("molmoact2: k/N exactly, dt = 1/N", () => {
    const g = eulerGrid(10);
    expect(g.times).toEqual([0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9]);
    expect(g.times[3]).toBe(3 / 10);
    expect(g.dt).toBe(0.1);
  });

  it.skipIf(missingFixtures("golden euler_grid", "fast-golden"))("openpi grids reproduce the golden euler_grid (LeRobot float64 and openpi float32 accumulation)", () => {
    const g = (readFixtureJson("fast-golden", "fast-golden.json") as { euler_grid: { num_steps: number; dt: number; times_lerobot: number[]; times_openpi_float32_accumulated: number[] } }).euler_grid;
    const lr = eulerGrid(g.num_steps, "openpi", "lerobot");
    // exact: same float64 arithmetic 1 + k·dt
    expect(lr.times).toEqual(g.times_lerobot);
    expect(lr.dt).toBe(g.dt);
    const f32 = eulerGrid(g.num_steps, "openpi", "openpi-float32");
    // exact: float32 accumulation reproduced with Math.fround
    expect(f32.times).toEqual(g.times_openpi_float32_accumulated);
  });

  it("convention converters are mirror maps", () => {
    fc.assert(fc.property(fc.double({ min: 0, max: 1, noNaN: true }), (t) => {
      expect(toMolmoAct2Time(toOpenpiTime(t))).toBeCloseTo(t, 14);
    }));
    expect(toOpenpiTime(0)).toBe(1);
  });

  it("rejects bad step counts", () => {
    expect(() => eulerGrid(0)).toThrow(/eulerGrid: numSteps/);
  });
});

/** Sample mean and (biased) covariance of rows of width 2. */
function stats2(d: ArrayLike<number>) {
  const n = d.length / 2;
  const m = [0, 0];
  for (let i = 0; i < n; i++) (m[0] += d[2 * i] / n), (m[1] += d[2 * i + 1] / n);
  const c = [0, 0, 0];
  for (let i = 0; i < n; i++) {
    const a = d[2 * i] - m[0], b = d[2 * i + 1] - m[1];
    c[0] += (a * a) / n; c[1] += (a * b) / n; c[2] += (b * b) / n;
  }
  return { m, c };
}

describe.each(TEST_BACKENDS)("sampler on %s", (backend) => {
  beforeAll(async () => {
    await setBackend(backend);
  });

  const mu = [1.5, -0.5];
  const sigma = [0.5, 2];

  it("lands on the analytic Gaussian: every method maps ε to μ + σ·ε (error shrinks with order and steps)", async () => {
    const v = gaussianVelocity(mu, sigma);
    const n = 2000;
    const noise = new Rng(1).normals(n * 2);
    const exact = Float64Array.from(noise, (e, i) => mu[i % 2] + sigma[i % 2] * e);
    const err: Record<string, number> = {};
    for (const [method, steps] of [["euler", 10], ["euler", 100], ["midpoint", 10], ["heun", 10]] as const) {
      const x = await sample(v, { horizon: n, actionDim: 2, noise, numSteps: steps, method });
      const d = await read(x);
      x.dispose();
      err[`${method}${steps}`] = maxAbsDiff(d, exact) / (1 + Math.max(...exact.map(Math.abs)));
    }
    // Euler error is O(1/N): 10 → 100 steps shrinks it ~10×; 2nd-order methods beat 10-step Euler clearly
    expect(err.euler100).toBeLessThan(err.euler10 / 5);
    expect(err.midpoint10).toBeLessThan(err.euler10 / 3);
    expect(err.heun10).toBeLessThan(err.euler10 / 3);
    expect(err.heun10).toBeLessThan(0.02);
    // the default 10 Euler steps are an affine map x = α + β·ε per dim; compute it in float64 and compare per sample
    const euler = await sample(v, { horizon: n, actionDim: 2, noise });
    const ed = await read(euler);
    euler.dispose();
    for (let dim = 0; dim < 2; dim++) {
      let al = 0, be = 1;
      const s2 = sigma[dim] ** 2;
      for (let k = 0; k < 10; k++) {
        const t = k / 10;
        const c = (t * s2 - (1 - t)) / ((1 - t) ** 2 + t * t * s2);
        // x + dt·(μ + c·(x − tμ)) with x = al + be·ε
        al = al + 0.1 * (mu[dim] + c * (al - t * mu[dim]));
        be = be + 0.1 * c * be;
      }
      for (let i = 0; i < n; i++) expect(Math.abs(ed[2 * i + dim] - (al + be * noise[2 * i + dim]))).toBeLessThan(1e-4);
    }
    // statistics with 100 Euler steps (seeded noise): mean within 4 standard errors, std within 10%
    const x = await sample(v, { horizon: n, actionDim: 2, seed: 7, numSteps: 100 });
    const { m, c } = stats2(await read(x));
    x.dispose();
    expect(Math.abs(m[0] - mu[0])).toBeLessThan(4 * sigma[0] / Math.sqrt(n) + 0.02);
    expect(Math.abs(m[1] - mu[1])).toBeLessThan(4 * sigma[1] / Math.sqrt(n) + 0.02);
    expect(Math.abs(Math.sqrt(c[0]) / sigma[0] - 1)).toBeLessThan(0.1);
    expect(Math.abs(Math.sqrt(c[2]) / sigma[1] - 1)).toBeLessThan(0.1);
    expect(Math.abs(c[1])).toBeLessThan(0.1); // independent dims stay uncorrelated
  });

  it("openpi convention: v_openpi(x, s) = −v(x, 1−s) integrated 1 → 0 gives the same samples", async () => {
    const v = gaussianVelocity(mu, sigma);
    const vo: VelocityFn = (x, s) => tf.tidy(() => tf.neg(v(x, 1 - s) as tf.Tensor));
    const noise = new Rng(3).normals(200);
    const a = await sample(v, { horizon: 100, actionDim: 2, noise });
    const b = await sample(vo, { horizon: 100, actionDim: 2, noise, convention: "openpi" });
    // grids differ only by float64 rounding of 1 − k/N vs 1 + k·(−1/N)
    expect(maxAbsDiff(await read(a), await read(b))).toBeLessThan(1e-5);
    tf.dispose([a, b]);
  });

  it("dims and horizon masks zero padding in noise, velocity and trajectory", async () => {
    const seen: number[][] = [];
    const v: VelocityFn = async (x, t) => {
      seen.push(Array.from(await x.data()));
      return tf.fill(x.shape, 1 + t);
    };
    const x = await sample(v, { horizon: 3, actionDim: 4, batch: 2, validDims: 2, horizonMask: [1, 1, 0], numSteps: 4, seed: 2 });
    expect(x.shape).toEqual([6, 4]);
    const d = await read(x);
    for (const arr of [...seen, Array.from(d)])
      for (let r = 0; r < 6; r++) for (let a = 0; a < 4; a++) if (a >= 2 || r % 3 === 2) expect(arr[r * 4 + a] === 0).toBe(true);
    // velocity was 1 + t on real entries: x_final = ε + Σ dt·(1 + k/N) = ε + 1 + 0.375
    expect(seen[0][0] + 1.375).toBeCloseTo(d[0], 5);
    x.dispose();
    await expect(sample(v, { horizon: 3, actionDim: 4, validDims: 5 })).rejects.toThrow(VlaError);
  });

  it("layout 'batched' passes [B, H, A]; injected tensor noise is not consumed; async velocities work", async () => {
    const noise = tf.tensor3d(new Rng(5).normals(2 * 3 * 2), [2, 3, 2]);
    const shapes: number[][] = [];
    const v: VelocityFn = async (x) => {
      shapes.push(x.shape);
      await new Promise((r) => setTimeout(r, 0));
      return tf.zerosLike(x);
    };
    const x = await sample(v, { horizon: 3, actionDim: 2, batch: 2, noise, layout: "batched", numSteps: 3 });
    expect(shapes).toEqual([[2, 3, 2], [2, 3, 2], [2, 3, 2]]);
    expect(maxAbsDiff(await read(x), await read(noise))).toBe(0);
    expect(noise.isDisposed).toBe(false);
    tf.dispose([x, noise]);
  });

  it("seeded noise is reproducible and different seeds differ", async () => {
    const v: VelocityFn = (x) => tf.zerosLike(x);
    const a = await sample(v, { horizon: 4, actionDim: 3, seed: 1 });
    const b = await sample(v, { horizon: 4, actionDim: 3, rng: new Rng(1) });
    const c = await sample(v, { horizon: 4, actionDim: 3, seed: 2 });
    expect(maxAbsDiff(await read(a), await read(b))).toBe(0);
    expect(maxAbsDiff(await read(a), await read(c))).toBeGreaterThan(0.1);
    tf.dispose([a, b, c]);
  });

  it("bad velocity output shapes and types are rejected without leaking", async () => {
    const before = tf.memory().numTensors;
    await expect(sample((x) => tf.zeros([1, 1]), { horizon: 2, actionDim: 2 })).rejects.toThrow(/sample: velocity must return shape \[2, 2\]/);
    await expect(sample(() => 3 as unknown as tf.Tensor, { horizon: 2, actionDim: 2 })).rejects.toThrow(/must return a tf.Tensor/);
    await expect(sample((x) => tf.zerosLike(x), { horizon: 2, actionDim: 2, noise: [1, 2, 3] })).rejects.toThrow(/must hold 4 values/);
    // the wrong-shaped velocity output is the caller's; everything the sampler made is freed
    expect(tf.memory().numTensors - before).toBeLessThanOrEqual(1);
  });

  it("200 sampler calls with an action expert leave tf.memory().numTensors flat", async () => {
    const cfg = expertTestConfig({ hiddenSize: 32, numLayers: 2, numHeads: 2, llmNumKvHeads: 1, llmHeadDim: 8, maxActionDim: 4, timestepEmbedDim: 16, ffnMultipleOf: 16 });
    const { params } = randomExpertParams(cfg, 1, 0.3);
    const ex = new ActionExpert(cfg, params);
    const k = tf.tensor3d(new Rng(2).normals(6 * 8), [6, 1, 8]);
    const kv = [{ k, v: k }, { k, v: k }];
    const ctx = ex.prepareContext(kv, [1, 2, 3, 4, 5, 6], { times: eulerGrid(3).times });
    const velocity: VelocityFn = (x, t) => ex.velocity(x as tf.Tensor2D, t, ctx);
    const warm = await sample(velocity, { horizon: 5, actionDim: 4, numSteps: 3 });
    warm.dispose();
    const before = tf.memory().numTensors;
    for (let i = 0; i < 200; i++) {
      const x = await sample(velocity, { horizon: 5, actionDim: 4, numSteps: 3, seed: i, validDims: 3 });
      x.dispose();
    }
    expect(tf.memory().numTensors).toBe(before);
    ctx.dispose();
    k.dispose();
    disposeParams(params);
  });
});

describe("cpu and wasm agree", () => {
  it("expert-driven sampling gives the same trajectory on cpu and wasm within 1e-4", async () => {
    const cfg = expertTestConfig({ hiddenSize: 64, numLayers: 3, numHeads: 4, llmNumKvHeads: 2, llmHeadDim: 16, maxActionDim: 8, timestepEmbedDim: 32, ffnMultipleOf: 32 });
    const out: Float64Array[] = [];
    for (const be of ["cpu", "wasm"] as const) {
      await useBackend(be);
      const { params } = randomExpertParams(cfg, 21, 0.2);
      const ex = new ActionExpert(cfg, params);
      const r = new Rng(4);
      const kv = Array.from({ length: 3 }, () => ({ k: tf.tensor3d(r.normals(40 * 32), [40, 2, 16]), v: tf.tensor3d(r.normals(40 * 32), [40, 2, 16]) }));
      const ctx = ex.prepareContext(kv, Array.from({ length: 40 }, (_, i) => i));
      const x = await sample((xx, t) => ex.velocity(xx as tf.Tensor2D, t, ctx), { horizon: 10, actionDim: 8, validDims: 7, seed: 3 });
      out.push(await read(x));
      tf.dispose([x, ...kv.flatMap((l) => [l.k, l.v])]);
      ctx.dispose();
      disposeParams(params);
    }
    // same float32 math in different kernel orders (XNNPACK vs JS loops): differences ~1e-6
    expect(maxAbsDiff(out[0], out[1])).toBeLessThan(1e-4);
    expect(Math.max(...out[0].map(Math.abs))).toBeGreaterThan(0.1); // not trivially zero
  });
});
