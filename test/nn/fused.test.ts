import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, it } from "vitest";
import { Rng } from "../../src/core/index.js";
import { applyRopeRows, registerTrainingGradients, residualGate, rmsNorm, rmsNormModulate, ropeRowTables, swiglu } from "../../src/nn/index.js";
import { maxAbsDiff, read, setBackend, TEST_BACKENDS } from "./backends.js";

// The fused kernels round every intermediate to float32 like the plain ops; only RMSNorm's row sum is accumulated in
// float64, so results agree with the plain tfjs composition to a few float32 ulps of O(1) values (rope: exactly).
const ULPS = 1e-6;

function randn(rng: Rng, shape: number[], scale = 1): tf.Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(Float32Array.from(rng.normals(n), (v) => v * scale), shape);
}

/** The plain compositions the fused kernels replace. */
const plain = {
  modulate: (x: tf.Tensor, shift: tf.Tensor, scale: tf.Tensor) => tf.add(tf.mul(tf.mul(x, tf.rsqrt(tf.add(tf.mean(tf.square(x), -1, true), 1e-6))), scale), shift),
  rms: (x: tf.Tensor, w?: tf.Tensor) => {
    const y = tf.mul(x, tf.rsqrt(tf.add(tf.mean(tf.square(x), -1, true), 1e-6)));
    return w ? tf.mul(y, w) : y;
  },
  gate: (x: tf.Tensor, g: tf.Tensor, y: tf.Tensor) => tf.add(x, tf.mul(g, y)),
};

describe.each(TEST_BACKENDS)("fused kernels on %s", (backend) => {
  beforeAll(async () => {
    await setBackend(backend);
    registerTrainingGradients();
  });

  it("rmsNormModulate, residualGate, rmsNorm and the SwiGLU gate match the plain ops (broadcast and per-row operands)", async () => {
    const rng = new Rng(3);
    const x = randn(rng, [10, 48], 3);
    const y = randn(rng, [10, 48]);
    for (const rows of [1, 10]) {
      const shift = randn(rng, [rows, 48]);
      const scale = tf.add(randn(rng, [rows, 48], 0.1), 1);
      const got = [rmsNormModulate(x, shift, scale), residualGate(x, shift, y)];
      const want = [plain.modulate(x, shift, scale), plain.gate(x, shift, y)];
      for (let i = 0; i < got.length; i++) expect(maxAbsDiff(await read(got[i]), await read(want[i]))).toBeLessThanOrEqual(ULPS * 4);
      tf.dispose([shift, scale, ...got, ...want]);
    }
    const w = randn(rng, [48]) as tf.Tensor1D;
    const x3 = randn(rng, [5, 4, 48]);
    for (const [g, p] of [[rmsNorm(x), plain.rms(x)], [rmsNorm(x, 1e-6, w), plain.rms(x, w)], [rmsNorm(x3), plain.rms(x3)]]) {
      expect(g.shape).toEqual(p.shape);
      expect(maxAbsDiff(await read(g), await read(p))).toBeLessThanOrEqual(ULPS * 4);
      tf.dispose([g, p]);
    }
    const wg = randn(rng, [48, 32], 0.2) as tf.Tensor2D;
    const wu = randn(rng, [48, 32], 0.2) as tf.Tensor2D;
    const wd = randn(rng, [32, 48], 0.2) as tf.Tensor2D;
    const s = swiglu(x as tf.Tensor2D, wg, wu, wd);
    const sp = tf.matMul(tf.mul(tf.mul(tf.matMul(x, wg), tf.sigmoid(tf.matMul(x, wg))), tf.matMul(x, wu)), wd);
    expect(maxAbsDiff(await read(s), await read(sp))).toBeLessThanOrEqual(1e-5);
    tf.dispose([x, y, w, x3, wg, wu, wd, s, sp]);
  });

  it("applyRopeRows (fused on wasm / cpu) equals the plain x·cos + (x·P)·sin exactly", async () => {
    const rng = new Rng(4);
    const t = ropeRowTables(Array.from({ length: 12 }, (_, i) => i % 5), 16, 10000, Array.from({ length: 12 }, (_, i) => (i % 2 ? 0.25 : 1)));
    const x = randn(rng, [12, 16]) as tf.Tensor2D;
    const [a, b] = [applyRopeRows(x, t), tf.add(tf.mul(x, t.cos), tf.mul(tf.matMul(x, t.rotate), t.sin))];
    expect(maxAbsDiff(await read(a), await read(b))).toBe(0);
    tf.dispose([x, a, b]);
    t.dispose();
  });

  it("leak no tensors and fall back to the plain ops under a gradient tape (same gradients)", async () => {
    const rng = new Rng(5);
    const x = randn(rng, [6, 8]);
    const sh = randn(rng, [1, 8]);
    const sc = randn(rng, [1, 8]);
    const before = tf.memory().numTensors;
    const outs = [rmsNormModulate(x, sh, sc), residualGate(x, sc, x), rmsNorm(x)];
    expect(tf.memory().numTensors).toBe(before + outs.length);
    tf.dispose(outs);
    const f = (v: tf.Tensor) => tf.sum(residualGate(v, sc, rmsNormModulate(v, sh, sc)));
    const g = tf.grad(f)(x);
    const gp = tf.grad((v: tf.Tensor) => tf.sum(plain.gate(v, sc, plain.modulate(v, sh, sc))))(x);
    expect(maxAbsDiff(await read(g), await read(gp))).toBeLessThanOrEqual(1e-5);
    tf.dispose([g, gp, x, sh, sc]);
  });
});
