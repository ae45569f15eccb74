import * as tf from "@tensorflow/tfjs-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Rng } from "../../src/core/index.js";
import { useBackend, disposeParams, type ParamMap } from "../../src/nn/index.js";
import { Qwen3Decoder, TINY, initRandomParams } from "../../src/model/index.js";
import { LM } from "../../src/model/param-shapes.js";

// A float64 Qwen3 decoder written from the spec prose (molmoact2.md §3.1, Qwen3: pre-norm RMSNorm with weight,
// fused q|k|v, per-head q/k RMSNorm with weight, RoPE θ = 1e6 rotate-half, causal GQA, SwiGLU with ff_proj = [up | gate]).
type M = number[][];
const mm = (a: M, w: M) => a.map((r) => w[0].map((_, j) => r.reduce((s, x, i) => s + x * w[i][j], 0)));
const rms = (r: number[], w: number[], eps: number) => {
  const s = 1 / Math.sqrt(r.reduce((a, x) => a + x * x, 0) / r.length + eps);
  return r.map((x, i) => x * s * w[i]);
};
const silu = (x: number) => x / (1 + Math.exp(-x));

function reference(P: Record<string, M | number[]>, ids: number[]): M {
  const c = TINY.text;
  const hd = c.headDim;
  const g = c.numAttentionHeads / c.numKeyValueHeads;
  const E = P[`${LM}.wte.embedding`] as M;
  let x: M = ids.map((id) => [...E[id]]);
  const rope = (v: number[], p: number) => {
    const h = hd / 2;
    const out = new Array(hd);
    for (let j = 0; j < h; j++) {
      const a = p * Math.pow(c.ropeTheta, -j / h);
      out[j] = v[j] * Math.cos(a) - v[j + h] * Math.sin(a);
      out[j + h] = v[j] * Math.sin(a) + v[j + h] * Math.cos(a);
    }
    return out;
  };
  for (let l = 0; l < c.numHiddenLayers; l++) {
    const b = `${LM}.blocks.${l}`;
    const h = x.map((r) => rms(r, P[`${b}.attn_norm.weight`] as number[], c.layerNormEps));
    const qkv = mm(h, P[`${b}.self_attn.att_proj.weight`] as M);
    const head = (r: number[], off: number, k: number) => r.slice(off + k * hd, off + (k + 1) * hd);
    const q = qkv.map((r, t) => Array.from({ length: c.numAttentionHeads }, (_, k) => rope(rms(head(r, 0, k), P[`${b}.self_attn.q_norm.weight`] as number[], c.layerNormEps), t)));
    const kk = qkv.map((r, t) => Array.from({ length: c.numKeyValueHeads }, (_, k) => rope(rms(head(r, c.numAttentionHeads * hd, k), P[`${b}.self_attn.k_norm.weight`] as number[], c.layerNormEps), t)));
    const vv = qkv.map((r) => Array.from({ length: c.numKeyValueHeads }, (_, k) => head(r, (c.numAttentionHeads + c.numKeyValueHeads) * hd, k)));
    const att: M = q.map((qt, t) =>
      qt.flatMap((qh, hh) => {
        const kv = Math.floor(hh / g);
        const s = Array.from({ length: t + 1 }, (_, j) => qh.reduce((a, v, i) => a + v * kk[j][kv][i], 0) / Math.sqrt(hd));
        const mx = Math.max(...s);
        const e = s.map((v) => Math.exp(v - mx));
        const z = e.reduce((a, v) => a + v, 0);
        return Array.from({ length: hd }, (_, i) => e.reduce((a, w, j) => a + (w / z) * vv[j][kv][i], 0));
      }),
    );
    const o = mm(att, P[`${b}.self_attn.attn_out.weight`] as M);
    x = x.map((r, t) => r.map((v, i) => v + o[t][i]));
    const f = x.map((r) => rms(r, P[`${b}.ff_norm.weight`] as number[], c.layerNormEps));
    const ff = mm(f, P[`${b}.mlp.ff_proj.weight`] as M);
    const I = c.intermediateSize;
    const inner = ff.map((r) => r.slice(0, I).map((up, i) => up * silu(r[I + i])));
    const d = mm(inner, P[`${b}.mlp.ff_out.weight`] as M);
    x = x.map((r, t) => r.map((v, i) => v + d[t][i]));
  }
  const hN = x.map((r) => rms(r, P[`${LM}.ln_f.weight`] as number[], c.layerNormEps));
  return mm(hN, P["lm_head.weight"] as M); // separate lm_head over the base vocabulary
}

describe("Qwen3Decoder vs a float64 reference (cpu)", () => {
  let params: ParamMap;
  beforeAll(async () => {
    await useBackend("cpu");
    params = initRandomParams(TINY, 13);
    // non-trivial norm weights so that a missing or misplaced weight multiply shows
    const rng = new Rng(99);
    for (const name of Object.keys(params)) {
      if (!/norm\.weight$|ln_f\.weight$/.test(name) || !name.startsWith(LM)) continue;
      const n = params[name].size;
      params[name].dispose();
      params[name] = tf.tensor1d(Float32Array.from({ length: n }, () => 0.5 + rng.uniform()));
    }
  });
  afterAll(() => disposeParams(params));

  it("logits of every position agree within 2e-4 (float32 vs float64)", async () => {
    const ids = [258, 80, 105, 99, 107, 2703, 2705, 2706, 600, 2575, 2830];
    const P: Record<string, M | number[]> = {};
    for (const [k, t] of Object.entries(params)) if (k.startsWith(LM) || k === "lm_head.weight") P[k] = (await t.array()) as M | number[];
    const want = reference(P, ids);
    const llm = new Qwen3Decoder(params, TINY.text);
    const cache = llm.newCache();
    const x = llm.embed(ids);
    const h = llm.forward(x, ids, cache);
    const lg = llm.logits(h);
    const got = (await lg.array()) as M;
    tf.dispose([x, h, lg]);
    cache.dispose();
    llm.dispose();
    let max = 0;
    for (let t = 0; t < ids.length; t++) for (let j = 0; j < want[t].length; j++) max = Math.max(max, Math.abs(got[t][j] - want[t][j]));
    expect(max).toBeLessThan(2e-4);
  });
});
