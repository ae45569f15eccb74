import * as tf from "@tensorflow/tfjs-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useBackend, disposeParams, type ParamMap } from "../../src/nn/index.js";
import { Qwen3Decoder, TINY, initRandomParams, DecodeSession } from "../../src/model/index.js";

// GQA with 2 query heads per KV head (the fixture's tiny text model).
const CFG = TINY;

async function lastLogitsFull(llm: Qwen3Decoder, ids: number[]): Promise<Float32Array> {
  const cache = llm.newCache();
  const x = llm.embed(ids);
  const h = llm.forward(x, ids, cache);
  const lg = llm.logits(h);
  const data = (await lg.data()) as Float32Array;
  tf.dispose([x, h, lg]);
  cache.dispose();
  return data;
}

for (const backend of ["cpu", "wasm"] as const) {
  describe(`Qwen3Decoder (${backend})`, () => {
    let params: ParamMap;
    let llm: Qwen3Decoder;
    beforeAll(async () => {
      await useBackend(backend);
      params = initRandomParams(CFG, 7);
      llm = new Qwen3Decoder(params, CFG.text);
    });
    afterAll(() => {
      llm.dispose();
      disposeParams(params);
    });

    it("KV-cache decode (prefill + one token at a time + a 3-token replay) equals the full-sequence forward within 1e-4", async () => {
      const ids = [258, 72, 101, 108, 108, 111, 2703, 2705, 2705, 2706, 2704, 44, 600, 601, 602, 32, 2573, 2580, 2590, 2600];
      const V = CFG.text.vocabSize;
      const full = await lastLogitsFull(llm, ids);
      const before = tf.memory().numTensors;
      const s = new DecodeSession(llm);
      s.feed(ids.slice(0, 8));
      const stepLogits: Float32Array[] = [];
      for (let i = 8; i < 17; i++) {
        s.feed([ids[i]]);
        stepLogits.push(Float32Array.from(await s.lastLogits.data()));
      }
      s.feed(ids.slice(17)); // multi-token replay forward
      const last = await s.lastLogits.data();
      expect(s.cache.length).toBe(ids.length);
      expect(s.cache.tokenIds).toEqual(ids);
      // compare every decoded position with the full forward's row
      for (let k = 0; k < stepLogits.length; k++) {
        const row = full.subarray((8 + k) * V, (9 + k) * V);
        let max = 0;
        for (let j = 0; j < V; j++) max = Math.max(max, Math.abs(row[j] - stepLogits[k][j]));
        expect(max).toBeLessThan(1e-4); // float32 reassociation only
      }
      const lastRow = full.subarray((ids.length - 1) * V);
      let max = 0;
      for (let j = 0; j < V; j++) max = Math.max(max, Math.abs(lastRow[j] - last[j]));
      expect(max).toBeLessThan(1e-4);
      s.dispose();
      expect(tf.memory().numTensors).toBe(before); // nothing leaks
    });

    it("caches K after q/k-norm + RoPE and V raw, [T, kvHeads, headDim] per layer", async () => {
      const s = new DecodeSession(llm);
      s.feed([1, 2, 3]);
      s.feed([4]);
      for (let l = 0; l < CFG.text.numHiddenLayers; l++) {
        const { k, v } = s.cache.layer(l);
        expect(k.shape).toEqual([4, CFG.text.numKeyValueHeads, CFG.text.headDim]);
        expect(v.shape).toEqual([4, CFG.text.numKeyValueHeads, CFG.text.headDim]);
      }
      // position 0 has RoPE angle 0, so its K is exactly the k-normed projection: divided by the norm weight, RMS = 1
      const hd = CFG.text.headDim;
      const k0 = Array.from(await s.cache.layer(0).k.data()).slice(0, hd);
      const w = Array.from(await params["model.transformer.blocks.0.self_attn.k_norm.weight"].data());
      const x0 = k0.map((v, i) => v / w[i]);
      expect(Math.sqrt(x0.reduce((a, b) => a + b * b, 0) / hd)).toBeCloseTo(1, 3);
      s.dispose();
    });

    it("constrained argmax stays inside the range and agrees with the full argmax when the range covers it", async () => {
      const s = new DecodeSession(llm);
      s.feed([5, 6, 7]);
      const full = await s.next();
      const inRange = await s.next([2575, 2703]);
      expect(inRange).toBeGreaterThanOrEqual(2575);
      expect(inRange).toBeLessThan(2703);
      const logits = await s.lastLogits.data();
      for (let i = 2575; i < 2703; i++) expect(logits[i]).toBeLessThanOrEqual(logits[inRange]);
      expect(await s.next([full, full + 1])).toBe(full);
      expect(await s.next(undefined, (l) => l.fill(0, 0, 10).fill(1e6, 9, 10))).toBe(9);
      await expect(s.next([10, 5])).rejects.toThrow(/DecodeSession.next: range must be \[start, end\)/);
      s.dispose();
    });

    it("rejects out-of-vocabulary ids naming the index", () => {
      expect(() => llm.embed([1, 99999])).toThrow(/Qwen3Decoder.embed: ids\[1\] must be an integer in \[0, 2830\]; got 99999/);
    });
  });
}
