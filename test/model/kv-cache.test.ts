import * as tf from "@tensorflow/tfjs-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useBackend, disposeParams, type ParamMap } from "../../src/nn/index.js";
import { Qwen3Decoder, TINY, initRandomParams, DecodeSession, KvCache, type MolmoAct2Config } from "../../src/model/index.js";

// the fixture's text model with 4 query heads over its 2 KV heads (g = 2), so the grouped path is exercised
const CFG: MolmoAct2Config = { ...TINY, text: { ...TINY.text, numAttentionHeads: 4 } };

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

for (const backend of ["cpu", "wasm"] as const) {
  describe(`KvCache and GQA decode (${backend})`, () => {
    let params: ParamMap;
    let llm: Qwen3Decoder;
    beforeAll(async () => {
      await useBackend(backend);
      params = initRandomParams(CFG, 11);
      llm = new Qwen3Decoder(params, CFG.text);
    });
    afterAll(() => {
      llm.dispose();
      disposeParams(params);
    });

    it("GQA (g = 2): prefill with an image block + steps + a replay equal one full forward within 1e-4, nothing leaks", async () => {
      const ids = [258, 72, 2703, 2705, 2705, 2706, 2704, 44, 600, 601, 602, 32, 2573, 2580, 2590, 2600];
      const types = ids.map((_, i) => (i >= 2 && i < 6 ? 1 : 0));
      const V = CFG.text.vocabSize;
      const before = tf.memory().numTensors;
      const fullCache = llm.newCache();
      const x = llm.embed(ids);
      const h = llm.forward(x, ids, fullCache, types);
      const lg = llm.logits(h);
      const full = Float32Array.from(await lg.data());
      tf.dispose([x, h, lg]);
      const s = new DecodeSession(llm);
      const x0 = llm.embed(ids.slice(0, 8));
      s.feedEmbeddings(x0, ids.slice(0, 8), types.slice(0, 8));
      x0.dispose();
      expect(maxDiff(await s.lastLogits.data(), full.subarray(7 * V, 8 * V))).toBeLessThan(1e-4);
      for (let i = 8; i < 12; i++) {
        s.feed([ids[i]]);
        expect(maxDiff(await s.lastLogits.data(), full.subarray(i * V, (i + 1) * V))).toBeLessThan(1e-4); // float32 reassociation only
      }
      s.feed(ids.slice(12)); // multi-token replay: causal with an offset
      expect(maxDiff(await s.lastLogits.data(), full.subarray((ids.length - 1) * V))).toBeLessThan(1e-4);
      // the per-layer [T, kvHeads, headDim] view holds the same K/V as the full forward's cache
      for (let l = 0; l < CFG.text.numHiddenLayers; l++) {
        const a = s.cache.layer(l), b = fullCache.layer(l);
        expect(a.k.shape).toEqual([ids.length, CFG.text.numKeyValueHeads, CFG.text.headDim]);
        expect(maxDiff(await a.k.data(), await b.k.data())).toBeLessThan(1e-4);
        expect(maxDiff(await a.v.data(), await b.v.data())).toBeLessThan(1e-4);
      }
      s.dispose();
      fullCache.dispose();
      expect(tf.memory().numTensors).toBe(before); // caches, their views and every intermediate freed
    });

    it("layer(l) is built once per append from the per-head rows, and dropped by the next append and dispose", async () => {
      const c = new KvCache(1);
      expect(() => c.layer(0)).toThrow(/KvCache.layer: l must name a filled layer/);
      const before = tf.memory().numTensors;
      const k = tf.tensor3d(Float32Array.from({ length: 2 * 3 * 4 }, (_, i) => i), [2, 3, 4]);
      const v = tf.neg(k) as tf.Tensor3D;
      c.append(0, k, v);
      c.commitTokens([1, 2]);
      const view = c.layer(0);
      expect(c.layer(0)).toBe(view);
      expect(Array.from(await view.k.data())).toEqual(Array.from(await k.data()));
      expect(c.heads(0).k.map((t) => t.shape)).toEqual([[2, 4], [2, 4], [2, 4]]);
      expect(Array.from(await c.heads(0).v[1].data())).toEqual([-4, -5, -6, -7, -16, -17, -18, -19]);
      const k1 = tf.ones([1, 3, 4]) as tf.Tensor3D;
      c.append(0, k1, k1);
      c.commitTokens([3]);
      expect(view.k.isDisposed).toBe(true);
      const next = c.layer(0);
      expect(next.k.shape).toEqual([3, 3, 4]);
      expect(Array.from(await next.k.data()).slice(24)).toEqual(new Array(12).fill(1));
      expect(() => c.append(0, tf.zeros([1, 2, 4]) as tf.Tensor3D, tf.zeros([1, 2, 4]) as tf.Tensor3D)).toThrow(/KvCache.append: k must have 3 KV heads of 4/);
      tf.dispose([k, v, k1]);
      c.dispose();
      expect(c.length).toBe(0);
      expect(tf.memory().numTensors).toBe(before + 2); // only the two rejected zeros remain
    });
  });
}
