import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, it } from "vitest";
import { Rng } from "../../src/core/index.js";
import { attention, attentionPrepared, MASK_VALUE, type KvHeads } from "../../src/nn/index.js";
import { maxAbsDiff, read, setBackend, TEST_BACKENDS } from "./backends.js";
import { attentionRef } from "./reference.js";

// float32 kernels vs the float64 reference, as in primitives.test.ts: O(1) outputs, 1e-5 covers float32 rounding
const TOL = 1e-5;

function randn(rng: Rng, n: number): Float32Array {
  return Float32Array.from(rng.normals(n));
}

/** `k: [Tk, Hkv, hd]` as per-KV-head rows `[Tk, hd]` (a KV cache's layout). */
function heads(k: tf.Tensor3D): tf.Tensor2D[] {
  return tf.unstack(tf.transpose(k, [1, 0, 2])) as tf.Tensor2D[];
}

describe.each(TEST_BACKENDS)("attentionPrepared over KvHeads on %s", (backend) => {
  beforeAll(async () => {
    await setBackend(backend);
  });

  // every branch: tiny (g·Tq·Tk·hd < 2^16: one batched matMul pair), few query rows per head (g·Tq < hd: scores as
  // K·qᵀ) and many (Kᵀ per head); GQA g = 1, 2, 4; MQA
  for (const [Tq, Hq, Tk, Hkv, hd] of [
    [1, 8, 37, 2, 16], // tiny: one query (a decode step), g = 4
    [3, 4, 40, 2, 16], // tiny: a short replay, g = 2
    [12, 2, 12, 2, 8], // tiny: g = 1, a prefill
    [5, 4, 30, 1, 8], // tiny: MQA
    [1, 8, 600, 2, 32], // K·qᵀ: one query, g = 4
    [3, 4, 700, 2, 32], // K·qᵀ: a short replay, g = 2
    [40, 8, 60, 2, 32], // Kᵀ per head, g = 4
    [300, 2, 300, 2, 8], // Kᵀ per head, g = 1, a prefill
    [40, 4, 500, 1, 8], // Kᵀ per head, MQA
  ] as const) {
    it(`Tq=${Tq} Hq=${Hq} Tk=${Tk} Hkv=${Hkv} hd=${hd}: plain, masked + causal with offset, [1, Tk] mask; equals attention()`, async () => {
      const rng = new Rng(Tq * 1000 + Tk * 10 + Hq);
      const q = randn(rng, Tq * Hq * hd), k = randn(rng, Tk * Hkv * hd), v = randn(rng, Tk * Hkv * hd);
      const qt = tf.tensor3d(q, [Tq, Hq, hd]), kt = tf.tensor3d(k, [Tk, Hkv, hd]), vt = tf.tensor3d(v, [Tk, Hkv, hd]);
      const kv: KvHeads = { k: heads(kt), v: heads(vt) };
      const before = tf.memory().numTensors;
      const a = attentionPrepared(qt, kv);
      expect(a.shape).toEqual([Tq, Hq * hd]);
      expect(maxAbsDiff(await read(a), attentionRef(q, k, v, Tq, Hq, Tk, Hkv, hd))).toBeLessThan(TOL);
      const mask = new Float32Array(Tq * Tk);
      // key 0 stays visible to every query: a fully hidden row is uniform in float32 but not in the float64 reference
      for (let i = 0; i < mask.length; i++) mask[i] = i % Tk !== 0 && rng.uniform() < 0.3 ? MASK_VALUE : 0;
      const mt = tf.tensor2d(mask, [Tq, Tk]);
      const off = Tk - Tq;
      const b = attentionPrepared(qt, kv, { mask: mt, causal: true, causalOffset: off, scale: 0.3 });
      const refB = attentionRef(q, k, v, Tq, Hq, Tk, Hkv, hd, { mask, causal: true, causalOffset: off, scale: 0.3 });
      expect(maxAbsDiff(await read(b), refB)).toBeLessThan(TOL);
      const row = tf.tensor2d(mask.slice(0, Tk), [1, Tk]);
      const c = attentionPrepared(qt, kv, { mask: row });
      expect(maxAbsDiff(await read(c), attentionRef(q, k, v, Tq, Hq, Tk, Hkv, hd, { mask: mask.slice(0, Tk), maskRows: 1 }))).toBeLessThan(TOL);
      const d = attention(qt, kt, vt, { mask: mt, causal: true, causalOffset: off, scale: 0.3 });
      expect(maxAbsDiff(await read(d), await read(b))).toBeLessThan(TOL);
      tf.dispose([a, b, c, d, mt, row]);
      expect(tf.memory().numTensors).toBe(before); // no intermediates left
      tf.dispose([qt, kt, vt, ...kv.k, ...kv.v]);
    });
  }

  it("rejects heads of unequal shapes, a V count unlike K's and a query head count that is no multiple", () => {
    const z = (s: [number, number]) => tf.zeros(s) as tf.Tensor2D;
    const q = tf.zeros([1, 4, 8]) as tf.Tensor3D;
    const ks = [z([5, 8]), z([5, 8])];
    expect(() => attentionPrepared(q, { k: ks, v: [z([5, 8])] })).toThrow(/attentionPrepared: kv must hold as many V heads as K heads/);
    expect(() => attentionPrepared(q, { k: ks, v: [z([5, 8]), z([4, 8])] })).toThrow(/attentionPrepared: kv heads must all be \[5, 8\]; got \[4, 8\]/);
    expect(() => attentionPrepared(tf.zeros([1, 3, 8]) as tf.Tensor3D, { k: ks, v: ks })).toThrow(/multiple of the 2 KV heads/);
    tf.dispose([q, ...ks]);
  });
});
