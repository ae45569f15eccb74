import * as tf from "@tensorflow/tfjs-core";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { Rng, VlaError } from "../../src/core/index.js";
import {
  applyRope, applyRopeRows, attention, attentionPrepared, gelu, initLinear, layerNorm, linear, MASK_VALUE, posembSinCos,
  prepareKV, rmsNorm, ropeRowTables, ropeTables, silu, sinusoidalTimeEmbedding, swiglu,
} from "../../src/nn/index.js";
import { posembSinCosArray, sinusoidalTimeEmbeddingArray } from "../../src/nn/time-embedding.js";
import { readFixtureJson, missingFixtures } from "../fixtures.js";
import { maxAbsDiff, read, setBackend, TEST_BACKENDS } from "./backends.js";
import { attentionRef, geluRef, linearRef, rmsRef, ropeRef, siluRef, sinusoidRef, swigluRef } from "./reference.js";

// float32 kernels vs float64 references: values are O(1) sums of O(100) products, so 1e-5 absolute covers float32
// rounding (~6e-8 relative per op) with margin while still catching any formula error (which shows up at ≥1e-2).
const TOL = 1e-5;

function randn(rng: Rng, n: number, scale = 1): Float32Array {
  return Float32Array.from(rng.normals(n), (v) => v * scale);
}

describe.each(TEST_BACKENDS)("nn primitives on %s", (backend) => {
  beforeAll(async () => {
    await setBackend(backend);
  });

  it("primitives leak no intermediates", () => {
    const x = tf.ones([6, 8]) as tf.Tensor2D;
    const w = tf.ones([8, 8]) as tf.Tensor2D;
    const b = tf.ones([8]) as tf.Tensor1D;
    const q = tf.ones([6, 4, 2]) as tf.Tensor3D;
    const kv = tf.ones([300, 2, 2]) as tf.Tensor3D;
    const { cos, sin } = ropeTables([0, 1, 2, 3, 4, 5], 2, 10000);
    const before = tf.memory().numTensors;
    const outs = [
      linear(x, w, b), rmsNorm(x), rmsNorm(x, 1e-6, b), layerNorm(x, b, b), silu(x), gelu(x), swiglu(x, w, w, w, b, b, b),
      applyRope(q, cos, sin), attention(q, q, q, { causal: true }), attention(q, kv, kv, { causal: true, causalOffset: 294 }),
    ];
    expect(tf.memory().numTensors).toBe(before + outs.length);
    tf.dispose([...outs, x, w, b, q, kv, cos, sin]);
  });

  it("linear = x·w + b", async () => {
    const rng = new Rng(1);
    const x = randn(rng, 5 * 7), w = randn(rng, 7 * 3), b = randn(rng, 3);
    const y = linear(tf.tensor2d(x, [5, 7]), tf.tensor2d(w, [7, 3]), tf.tensor1d(b));
    expect(maxAbsDiff(await read(y), linearRef(x, 5, w, 7, 3, b))).toBeLessThan(TOL);
    const y2 = linear(tf.tensor2d(x, [5, 7]), tf.tensor2d(w, [7, 3]));
    expect(maxAbsDiff(await read(y2), linearRef(x, 5, w, 7, 3))).toBeLessThan(TOL);
    y.dispose(); y2.dispose();
    expect(() => linear(tf.tensor2d(x, [5, 7]), tf.tensor2d(w, [3, 7]))).toThrow(VlaError);
  });

  it("rmsNorm (weightless, weighted, 3-D) matches float64", async () => {
    const rng = new Rng(2);
    const x = randn(rng, 4 * 3 * 8, 3);
    const w = randn(rng, 8);
    const xt = tf.tensor3d(x, [4, 3, 8]);
    const a = rmsNorm(xt);
    const b = rmsNorm(xt, 1e-5, tf.tensor1d(w));
    expect(maxAbsDiff(await read(a), rmsRef(x, 8))).toBeLessThan(TOL);
    expect(maxAbsDiff(await read(b), rmsRef(x, 8, 1e-5, w))).toBeLessThan(TOL);
    tf.dispose([xt, a, b]);
    expect(() => rmsNorm(tf.ones([2, 3]), 1e-6, tf.ones([4]) as tf.Tensor1D)).toThrow(/rmsNorm: weight must be \[3\]/);
  });

  it("layerNorm matches float64 (biased variance)", async () => {
    const rng = new Rng(3);
    const x = randn(rng, 6 * 10, 2), w = randn(rng, 10), b = randn(rng, 10);
    const y = layerNorm(tf.tensor2d(x, [6, 10]), tf.tensor1d(w), tf.tensor1d(b), 1e-6);
    const ref = new Float64Array(60);
    for (let r = 0; r < 6; r++) {
      let m = 0, v = 0;
      for (let j = 0; j < 10; j++) m += x[r * 10 + j] / 10;
      for (let j = 0; j < 10; j++) v += (x[r * 10 + j] - m) ** 2 / 10;
      for (let j = 0; j < 10; j++) ref[r * 10 + j] = ((x[r * 10 + j] - m) / Math.sqrt(v + 1e-6)) * w[j] + b[j];
    }
    expect(maxAbsDiff(await read(y), ref)).toBeLessThan(TOL);
    y.dispose();
  });

  it("silu, gelu (tanh) and swiglu match float64", async () => {
    const rng = new Rng(4);
    const x = randn(rng, 6 * 8, 2);
    const xt = tf.tensor2d(x, [6, 8]);
    const s = silu(xt), g = gelu(xt);
    expect(maxAbsDiff(await read(s), Array.from(x, siluRef))).toBeLessThan(TOL);
    expect(maxAbsDiff(await read(g), Array.from(x, geluRef))).toBeLessThan(TOL);
    const wg = randn(rng, 8 * 16, 0.3), wu = randn(rng, 8 * 16, 0.3), wd = randn(rng, 16 * 5, 0.3);
    const bg = randn(rng, 16), bu = randn(rng, 16), bd = randn(rng, 5);
    const y = swiglu(xt, tf.tensor2d(wg, [8, 16]), tf.tensor2d(wu, [8, 16]), tf.tensor2d(wd, [16, 5]), tf.tensor1d(bg), tf.tensor1d(bu), tf.tensor1d(bd));
    expect(maxAbsDiff(await read(y), swigluRef(x, 6, 8, 16, 5, { wg, wu, wd, bg, bu, bd }))).toBeLessThan(TOL);
    tf.dispose([xt, s, g, y]);
  });

  it("rope: rotate-half layout matches float64 and preserves pair norms", async () => {
    const rng = new Rng(5);
    const T = 7, H = 3, hd = 8;
    const x = randn(rng, T * H * hd);
    const pos = [0, 1, 2, 5, 9, 100, 1000];
    const { cos, sin } = ropeTables(pos, hd, 10000);
    const y = applyRope(tf.tensor3d(x, [T, H, hd]), cos, sin);
    const yv = await read(y);
    // float32 angles at position 1000 carry ~1e-4 relative error in the argument only through the table rounding
    expect(maxAbsDiff(yv, ropeRef(x, T, H, hd, pos, 10000))).toBeLessThan(TOL);
    for (let r = 0; r < T * H; r++)
      for (let j = 0; j < hd / 2; j++) {
        const before = x[r * hd + j] ** 2 + x[r * hd + hd / 2 + j] ** 2;
        const after = yv[r * hd + j] ** 2 + yv[r * hd + hd / 2 + j] ** 2;
        expect(Math.abs(before - after)).toBeLessThan(1e-4 * (1 + before));
      }
    // position 0 is the identity
    expect(maxAbsDiff(yv.subarray(0, H * hd), x.subarray(0, H * hd))).toBeLessThan(1e-7);
    tf.dispose([cos, sin, y]);
    expect(() => ropeTables([0], 7, 10000)).toThrow(/even/);
  });

  it("rope on rows (x·C + (x·P)·S, per-row position and scale) = applyRope, scaled", async () => {
    const rng = new Rng(6);
    const T = 5, H = 3, hd = 8;
    const x = randn(rng, T * H * hd);
    const pos = [0, 1, 2, 7, 300];
    // rows of [T·H, hd]: row t·H + h is head h of step t, at position pos[t]; odd rows scaled by 0.5
    const rowPos = Array.from({ length: T * H }, (_, r) => pos[Math.floor(r / H)]);
    const rowScale = Array.from({ length: T * H }, (_, r) => (r % 2 ? 0.5 : 1));
    const tables = ropeRowTables(rowPos, hd, 10000, rowScale);
    expect(tables.cos.shape).toEqual([T * H, hd]);
    const y = tf.tidy(() => applyRopeRows(tf.tensor2d(x, [T * H, hd]), tables));
    const ref = ropeRef(x, T, H, hd, pos, 10000).map((v, i) => v * rowScale[Math.floor(i / hd)]);
    // same float32 table rounding as ropeTables; the scale is folded before that one rounding
    expect(maxAbsDiff(await read(y), ref)).toBeLessThan(TOL);
    const { cos, sin } = ropeTables(pos, hd, 10000);
    const plain = ropeRowTables(rowPos, hd, 10000);
    const x2 = tf.tensor2d(x, [T * H, hd]);
    const x3 = tf.tensor3d(x, [T, H, hd]);
    const [a, b] = [applyRopeRows(x2, plain), applyRope(x3, cos, sin)];
    // the same rotation in two layouts: equal up to float32 rounding of the products
    expect(maxAbsDiff(await read(a), await read(b))).toBeLessThan(1e-6);
    const before = tf.memory().numTensors;
    tables.dispose();
    plain.dispose();
    expect(tf.memory().numTensors).toBe(before - 6);
    tf.dispose([y, cos, sin, x2, x3, a, b]);
    expect(() => ropeRowTables([0, 1], 6, 10000, [1])).toThrow(/ropeRowTables: rowScale must have one scale per row \(2\); got 1/);
    expect(() => ropeRowTables([0, NaN], 6, 10000)).toThrow(/positions must be finite/);
    expect(() => ropeRowTables([0], 5, 10000)).toThrow(/headDim must be even/);
    const t2 = ropeRowTables([0, 1], 4, 10000);
    const z = tf.zeros([3, 4]) as tf.Tensor2D;
    expect(() => applyRopeRows(z, t2)).toThrow(/applyRopeRows: x must be \[2, 4\]/);
    tf.dispose([z]);
    t2.dispose();
  });

  for (const [Tq, Hq, Tk, Hkv, hd] of [
    [3, 4, 5, 2, 4], // tiny: batched path
    [6, 4, 300, 2, 16], // large: per-KV-head rank-2 path
    [5, 8, 64, 1, 8], // MQA
  ] as const) {
    it(`attention GQA Tq=${Tq} Hq=${Hq} Tk=${Tk} Hkv=${Hkv}: plain, masked, causal with offset, prepared`, async () => {
      const rng = new Rng(Tq * 100 + Tk);
      const q = randn(rng, Tq * Hq * hd), k = randn(rng, Tk * Hkv * hd), v = randn(rng, Tk * Hkv * hd);
      const qt = tf.tensor3d(q, [Tq, Hq, hd]), kt = tf.tensor3d(k, [Tk, Hkv, hd]), vt = tf.tensor3d(v, [Tk, Hkv, hd]);
      const a = attention(qt, kt, vt);
      expect(a.shape).toEqual([Tq, Hq * hd]);
      expect(maxAbsDiff(await read(a), attentionRef(q, k, v, Tq, Hq, Tk, Hkv, hd))).toBeLessThan(TOL);
      const mask = new Float32Array(Tq * Tk);
      for (let i = 0; i < mask.length; i++) mask[i] = rng.uniform() < 0.3 ? MASK_VALUE : 0;
      const mt = tf.tensor2d(mask, [Tq, Tk]);
      const off = Tk - Tq;
      const b = attention(qt, kt, vt, { mask: mt, causal: true, causalOffset: off, scale: 0.3 });
      const refB = attentionRef(q, k, v, Tq, Hq, Tk, Hkv, hd, { mask, causal: true, causalOffset: off, scale: 0.3 });
      expect(maxAbsDiff(await read(b), refB)).toBeLessThan(TOL);
      const p = prepareKV(kt, vt);
      const c = attentionPrepared(qt, p, { mask: mt, causal: true, causalOffset: off, scale: 0.3 });
      expect(maxAbsDiff(await read(c), refB)).toBeLessThan(TOL);
      p.dispose();
      tf.dispose([qt, kt, vt, a, mt, b, c]);
    });
  }

  it("attention: causal query i sees exactly keys j <= i + offset", async () => {
    // values = one-hot key index, so the output reveals which keys got weight
    const Tq = 3, Tk = 5, off = 1;
    const q = tf.zeros([Tq, 1, 5]) as tf.Tensor3D; // all scores equal → uniform over visible keys
    const k = tf.zeros([Tk, 1, 5]) as tf.Tensor3D;
    const v = tf.reshape(tf.eye(5), [5, 1, 5]) as tf.Tensor3D;
    const o = attention(q, k, v, { causal: true, causalOffset: off });
    const d = await read(o);
    for (let i = 0; i < Tq; i++) for (let j = 0; j < Tk; j++) expect(d[i * 5 + j]).toBeCloseTo(j <= i + off ? 1 / (i + off + 1) : 0, 6);
    tf.dispose([q, k, v, o]);
    expect(() => attention(tf.zeros([2, 3, 4]) as tf.Tensor3D, tf.zeros([2, 2, 4]) as tf.Tensor3D, tf.zeros([2, 2, 4]) as tf.Tensor3D)).toThrow(/multiple of the 2 KV heads/);
  });

  it("sinusoidal time embedding = MolmoAct2 formula (sin first, freq exp(-ln1e4 j/(half-1)))", async () => {
    const ts = [0, 0.1, 0.5, 0.999];
    const a = sinusoidalTimeEmbeddingArray(ts, 16);
    ts.forEach((t, r) => expect(maxAbsDiff(a.subarray(r * 16, r * 16 + 16), sinusoidRef(t, 16))).toBeLessThan(1e-15));
    expect(a[0 * 16 + 8]).toBe(1); // cos(0)
    const tt = sinusoidalTimeEmbedding(ts, 16);
    expect(tt.shape).toEqual([4, 16]);
    expect(maxAbsDiff(await read(tt), a)).toBeLessThan(1e-7);
    tt.dispose();
    expect(() => sinusoidalTimeEmbedding(NaN, 8)).toThrow(VlaError);
  });

  it.skipIf(missingFixtures("openpi posemb golden values", "fast-golden"))("posembSinCos matches the openpi golden values (dims 8/32)", async () => {
    type Posemb = { min_period: number; max_period: number; times: number[]; dim8: number[][]; dim32: number[][] };
    const g = readFixtureJson<{ posemb_sincos: Posemb }>("fast-golden", "fast-golden.json").posemb_sincos;
    for (const [dim, rows] of [[8, g.dim8], [32, g.dim32]] as const) {
      // float64 JS vs numpy float64: the angles reach 2π/4e-3 ≈ 1571 rad, so libm differences stay ~1e-13; spec says ≤1e-12
      const a = posembSinCosArray(g.times, dim, g.min_period, g.max_period);
      expect(maxAbsDiff(a, rows.flat())).toBeLessThan(1e-12);
      // the float32 tensor is the float64 value rounded once: ≤ 6e-8 (spec tolerance 1e-6)
      const t = posembSinCos(g.times, dim, g.min_period, g.max_period);
      expect(maxAbsDiff(await read(t), rows.flat())).toBeLessThan(1e-6);
      t.dispose();
    }
  });

  it("initLinear: seeded xavier bound, zero, gain, bias", async () => {
    const a = initLinear(new Rng(7), 30, 20);
    const b = initLinear(new Rng(7), 30, 20);
    const av = await read(a.w);
    expect(maxAbsDiff(av, await read(b.w))).toBe(0);
    const bound = Math.sqrt(6 / 50);
    expect(Math.max(...av.map(Math.abs))).toBeLessThanOrEqual(bound);
    expect(Math.max(...av.map(Math.abs))).toBeGreaterThan(0.8 * bound);
    expect(a.b?.shape).toEqual([20]);
    const z = initLinear(new Rng(7), 4, 4, { zero: true, bias: false });
    expect(z.b).toBeUndefined();
    expect(Math.max(...(await read(z.w)).map(Math.abs))).toBe(0);
    const g = initLinear(new Rng(7), 30, 20, { gain: 0.5 });
    expect(maxAbsDiff(await read(g.w), av.map((x) => x * 0.5))).toBeLessThan(1e-7);
    tf.dispose([a.w, a.b!, b.w, b.b!, z.w, g.w, g.b!]);
    expect(() => initLinear(new Rng(0), 0, 3)).toThrow(/initLinear: inDim/);
  });

  it("property: rmsNorm output has unit RMS for any non-tiny row", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.float({ min: -100, max: 100, noNaN: true }), { minLength: 1, maxLength: 32 }), async (row) => {
        fc.pre(row.some((v) => Math.abs(v) > 1e-2));
        const t = tf.tensor2d(row, [1, row.length]);
        const y = rmsNorm(t, 0);
        const d = await read(y);
        tf.dispose([t, y]);
        const ms = d.reduce((s, v) => s + v * v, 0) / d.length;
        expect(Math.abs(ms - 1)).toBeLessThan(1e-4);
      }),
      { numRuns: 30 },
    );
  });
});
