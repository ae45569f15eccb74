import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, it } from "vitest";
import { useBackend, type ParamMap } from "../../src/nn/index.js";
import { TINY, initRandomParams, parseImageProcessorConfig } from "../../src/model/index.js";
import { vitBlocksNeeded, vitFeatureBlock } from "../../src/model/config.js";
import { preprocessImage } from "../../src/model/image-processor.js";
import { connectorForward } from "../../src/model/connector.js";
import { visionForward } from "../../src/model/vision.js";
import { POOL, PROJ, VIT } from "../../src/model/param-shapes.js";
import { noiseImage } from "./helpers.js";

// --- a plain float64 reference of the ViT (written from the spec prose, independent of nn/) ---
type M = number[][];
const mm = (a: M, w: M, b?: number[]) => a.map((r) => w[0].map((_, j) => r.reduce((s, x, i) => s + x * w[i][j], b ? b[j] : 0)));
const ln = (a: M, g: number[], b: number[], eps: number) =>
  a.map((r) => {
    const mu = r.reduce((s, x) => s + x, 0) / r.length;
    const v = r.reduce((s, x) => s + (x - mu) ** 2, 0) / r.length;
    return r.map((x, j) => ((x - mu) / Math.sqrt(v + eps)) * g[j] + b[j]);
  });
const geluT = (x: number) => 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x ** 3)));
function mha(q: M, k: M, v: M, heads: number): M {
  const hd = q[0].length / heads;
  return q.map((qr) => {
    const out: number[] = [];
    for (let h = 0; h < heads; h++) {
      const s = k.map((kr) => qr.slice(h * hd, (h + 1) * hd).reduce((a, x, i) => a + x * kr[h * hd + i], 0) / Math.sqrt(hd));
      const mx = Math.max(...s);
      const e = s.map((x) => Math.exp(x - mx));
      const z = e.reduce((a, b) => a + b, 0);
      for (let i = 0; i < hd; i++) out.push(e.reduce((a, w, j) => a + (w / z) * v[j][h * hd + i], 0));
    }
    return out;
  });
}
async function arr(t: tf.Tensor): Promise<M> {
  return (await t.array()) as M;
}
async function vec(t: tf.Tensor): Promise<number[]> {
  return Array.from(await t.data());
}

describe("vision tower and connector (wasm)", () => {
  let params: ParamMap;
  beforeAll(async () => {
    await useBackend("wasm");
    params = initRandomParams(TINY, 3);
  });

  it("reads feature layers as layer + numHiddenLayers (no clamp) and runs only up to the deepest", () => {
    const v27 = { ...TINY.vit, numHiddenLayers: 27 };
    expect(vitFeatureBlock(v27, -3)).toBe(24);
    expect(vitFeatureBlock(v27, -9)).toBe(18);
    expect(vitFeatureBlock(TINY.vit, -3)).toBe(7);
    expect(vitBlocksNeeded({ ...TINY, vit: v27 })).toBe(25);
    expect(vitBlocksNeeded(TINY)).toBe(8);
    // a shallow tower is an error in the reference, not a clamp
    expect(() => vitFeatureBlock({ ...TINY.vit, numHiddenLayers: 4 }, -9)).toThrow(/adapter.vitLayers must index blocks of the 4-block ViT/);
  });

  it("matches a float64 reference ViT (patch embed, pos emb, pre-LN MHA, GELU-tanh MLP) within 1e-4", async () => {
    const v = TINY.vit;
    const pre = preprocessImage(noiseImage(1), parseImageProcessorConfig({ image_processor: { size: { height: 56, width: 56 }, crop_mode: "resize", max_crops: 1 } }));
    const patches = pre.crops;
    const n = pre.patchesPerCrop;
    const P = pre.patchDim;
    const pt = tf.tensor2d(patches, [n, P]);
    const got = await arr(visionForward(params, TINY, pt));
    const p = async (name: string) => arr(params[`${VIT}.${name}`]);
    const p1 = async (name: string) => vec(params[`${VIT}.${name}`]);
    const X: M = Array.from({ length: n }, (_, i) => Array.from(patches.subarray(i * P, (i + 1) * P)));
    let x = mm(X, await p("patch_embedding.weight"), await p1("patch_embedding.bias"));
    const pos = await p("positional_embedding");
    x = x.map((r, i) => r.map((val, j) => val + pos[i][j]));
    const feats: M[] = [];
    for (let l = 0; l < vitBlocksNeeded(TINY); l++) {
      const b = `transformer.resblocks.${l}`;
      const h = ln(x, await p1(`${b}.attention_norm.weight`), await p1(`${b}.attention_norm.bias`), v.layerNormEps);
      const q = mm(h, await p(`${b}.attention.wq.weight`), await p1(`${b}.attention.wq.bias`));
      const k = mm(h, await p(`${b}.attention.wk.weight`), await p1(`${b}.attention.wk.bias`));
      const vv = mm(h, await p(`${b}.attention.wv.weight`), await p1(`${b}.attention.wv.bias`));
      const o = mm(mha(q, k, vv, v.numAttentionHeads), await p(`${b}.attention.wo.weight`), await p1(`${b}.attention.wo.bias`));
      x = x.map((r, i) => r.map((val, j) => val + o[i][j]));
      const h2 = ln(x, await p1(`${b}.ffn_norm.weight`), await p1(`${b}.ffn_norm.bias`), v.layerNormEps);
      const f = mm(mm(h2, await p(`${b}.feed_forward.w1.weight`), await p1(`${b}.feed_forward.w1.bias`)).map((r) => r.map(geluT)), await p(`${b}.feed_forward.w2.weight`), await p1(`${b}.feed_forward.w2.bias`));
      x = x.map((r, i) => r.map((val, j) => val + f[i][j]));
      feats.push(x);
    }
    // vitLayers [-3, -9] on 10 blocks → blocks 7 then 1, concatenated in that order
    const want = feats[7].map((r, i) => [...r, ...feats[1][i]]);
    expect(got.length).toBe(n);
    expect(got[0].length).toBe(2 * v.hiddenSize);
    let max = 0;
    for (let i = 0; i < n; i++) for (let j = 0; j < want[0].length; j++) max = Math.max(max, Math.abs(got[i][j] - want[i][j]));
    expect(max).toBeLessThan(1e-4); // float32 vs float64
  });

  it("pools a window of identical patches to wo(wv·x + bv) + bo, and an edge window of one valid patch likewise", async () => {
    const inDim = 2 * TINY.vit.hiddenSize;
    const grid = 3; // odd grid: pooled 2×2, edge windows have 2 or 1 valid patches (padding −1 at bottom/right)
    const rowA = Array.from({ length: inDim }, (_, i) => Math.sin(i));
    const rowB = Array.from({ length: inDim }, (_, i) => Math.cos(3 * i));
    const rows: number[][] = [];
    for (let y = 0; y < grid; y++) for (let x = 0; x < grid; x++) rows.push(y < 2 && x < 2 ? rowA : x === 2 && y === 2 ? rowB : rows.length % 2 ? rowA : rowB);
    const pooling = Int32Array.from([0, 1, 3, 4, 2, -1, 5, -1, 6, 7, -1, -1, 8, -1, -1, -1]);
    const out = await arr(connectorForward(params, TINY, tf.tensor2d(rows), pooling, 4));
    expect(out.length).toBe(4);
    const expectFor = async (row: number[]) => {
      const vproj = mm([row], await arr(params[`${POOL}.wv.weight`]), await vec(params[`${POOL}.wv.bias`]));
      const o = mm(vproj, await arr(params[`${POOL}.wo.weight`]), await vec(params[`${POOL}.wo.bias`]));
      const g = mm(o, await arr(params[`${PROJ}.w1.weight`]));
      const u = mm(o, await arr(params[`${PROJ}.w3.weight`]));
      const hdn = g.map((r, i) => r.map((val, j) => (val / (1 + Math.exp(-val))) * u[i][j]));
      return mm(hdn, await arr(params[`${PROJ}.w2.weight`]))[0];
    };
    const wantA = await expectFor(rowA);
    const wantB = await expectFor(rowB);
    for (let j = 0; j < wantA.length; j++) {
      expect(out[0][j]).toBeCloseTo(wantA[j], 4); // window (0,0): four copies of rowA
      expect(out[3][j]).toBeCloseTo(wantB[j], 4); // window (1,1): only patch (2,2) is valid
    }
  });
});
