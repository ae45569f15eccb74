import * as tf from "@tensorflow/tfjs-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Rng, toRows } from "../../src/core/index.js";
import { useBackend } from "../../src/nn/index.js";
import { loadFastPlus, type OpenFastTokenizer } from "../../src/tokenizer/index.js";
import { MolmoAct2, TINY, initRandomParams, extractActionBins, type Observation } from "../../src/model/index.js";
import { TokenTable } from "../../src/vocab/index.js";
import { noiseImage, tinyTag } from "./helpers.js";

const D = 7;
const H = 10;

describe("MolmoAct2 tiny end-to-end (wasm)", () => {
  let model: MolmoAct2;
  let fast: OpenFastTokenizer;
  const obs: Observation = { images: [noiseImage(1)], task: "Pick up the red cube.", state: [0.1, -0.2, 0.3, 0, 1, -1, 0.5] };
  beforeAll(async () => {
    await useBackend("wasm");
    fast = await loadFastPlus();
    model = new MolmoAct2({ config: TINY, params: initRandomParams(TINY, 5), tags: { so: tinyTag(D, H) }, actionTokenizer: fast });
  });
  afterAll(() => model.dispose());

  it("continuous: [H][D] finite actions, deterministic per seed, no tensor leaks", async () => {
    const before = tf.memory().numTensors;
    const a = await model.predictActions(obs, { seed: 3 });
    const b = await model.predictActions(obs, { seed: 3 });
    const c = await model.predictActions(obs, { seed: 4 });
    expect(tf.memory().numTensors).toBe(before);
    if (!a.ok || !b.ok || !c.ok) throw new Error("continuous mode must succeed");
    expect(a.normalized.length).toBe(H);
    expect(a.normalized.every((r) => r.length === D && r.every(Number.isFinite))).toBe(true);
    expect(a.normalized).toEqual(b.normalized);
    expect(a.normalized).not.toEqual(c.normalized);
    expect(a.trace.flowSteps).toBe(10);
    expect(a.trace.imageTokens).toBe(4);
    expect(a.timings.totalMs).toBeGreaterThanOrEqual(a.timings.prefillMs + a.timings.expertMs);
    expect(a.tokens).toBeUndefined();
  });

  it("continuous: unnormalises with q01/q99 and passes the masked gripper through clipped", async () => {
    const r = await model.predictActions(obs, { seed: 9, numSteps: 3 });
    if (!r.ok) throw new Error(r.message);
    const tag = tinyTag(D, H);
    for (let t = 0; t < H; t++) {
      for (let d = 0; d < D; d++) {
        const y = Math.max(-1, Math.min(1, r.normalized[t][d]));
        const want = d === D - 1 ? y : ((y + 1) * (tag.actionStats.q99[d] - tag.actionStats.q01[d])) / 2 + tag.actionStats.q01[d];
        expect(r.actions[t][d]).toBeCloseTo(want, 10);
      }
    }
    expect(r.trace.flowSteps).toBe(3);
    const short = await model.predictActions(obs, { seed: 9, numSteps: 3, nActionSteps: 4 });
    if (!short.ok) throw new Error(short.message);
    expect(short.normalized).toEqual(r.normalized.slice(0, 4));
    await expect(model.predictActions(obs, { nActionSteps: 11 })).rejects.toThrow(/opts.nActionSteps must be an integer in \[1, 10\]; got 11/);
  });

  it("continuous: injected noise equals the seeded noise, and padded noise dims are ignored", async () => {
    const rng = new Rng(21);
    const n = rng.normals(H * 32);
    const rows = Array.from({ length: H }, (_, i) => Array.from(n.subarray(i * 32, i * 32 + 32)));
    const seeded = await model.predictActions(obs, { seed: 21 });
    const injected = await model.predictActions(obs, { noise: rows });
    const native = await model.predictActions(obs, { noise: rows.map((r) => r.slice(0, D)) });
    if (!seeded.ok || !injected.ok || !native.ok) throw new Error("must succeed");
    expect(injected.normalized).toEqual(seeded.normalized);
    expect(native.normalized).toEqual(seeded.normalized);
  });

  it("continuous: the image, the task and the state all reach the actions", async () => {
    const base = await model.predictActions(obs, { seed: 1 });
    const img = await model.predictActions({ ...obs, images: [noiseImage(2)] }, { seed: 1 });
    const task = await model.predictActions({ ...obs, task: "open the drawer" }, { seed: 1 });
    const state = await model.predictActions({ ...obs, state: (obs.state as number[]).map((s) => -s) }, { seed: 1 });
    if (!base.ok || !img.ok || !task.ok || !state.ok) throw new Error("must succeed");
    expect(img.normalized).not.toEqual(base.normalized);
    expect(task.normalized).not.toEqual(base.normalized);
    expect(state.normalized).not.toEqual(base.normalized);
  });

  it("discrete: decodes the OpenFAST tokens between <action_start> and <action_end> (forced by a logits processor)", async () => {
    const table = model.table;
    const chunk = Array.from({ length: H }, (_, t) => Array.from({ length: D }, (_, d) => 0.5 * Math.sin(0.3 * t + d)));
    const bpe = fast.encode(chunk);
    const forced = [table.ids.actionStart, ...bpe.map((b) => table.actionToken(b)), table.ids.actionEnd, table.ids.imEnd];
    const before = tf.memory().numTensors;
    const r = await model.predictActions(obs, {
      mode: "discrete",
      logitsProcessor: (logits, gen) => {
        logits.fill(-1e9);
        logits[forced[gen.length]] = 0;
      },
    });
    if (!r.ok) throw new Error(r.message);
    expect(tf.memory().numTensors).toBe(before);
    expect(r.tokens).toEqual(forced); // generated ids, EOS included
    const dec = fast.decode(bpe, { horizon: H, dim: D });
    if (!dec.ok) throw new Error("tokenizer round trip");
    expect(r.normalized).toEqual(toRows(dec.actions));
    expect(r.trace.generatedTokens).toBe(forced.length);
    expect(r.timings.decodeMs).toBeGreaterThan(0);
    // FAST is lossy but close at scale 10
    for (let t = 0; t < H; t++) for (let d = 0; d < D; d++) expect(Math.abs(r.normalized[t][d] - chunk[t][d])).toBeLessThan(0.1);
  });

  it("discrete: failures are values with a reason, never zeros", async () => {
    const table = model.table;
    const force = (seq: number[]) => (logits: Float32Array, gen: readonly number[]) => {
      logits.fill(-1e9);
      logits[seq[Math.min(gen.length, seq.length - 1)]] = 0;
    };
    const noEos = await model.predictActions(obs, { mode: "discrete", maxNewTokens: 5, logitsProcessor: force([65]) });
    expect(noEos.ok).toBe(false);
    if (!noEos.ok) expect(noEos.reason).toBe("no-eos");
    const empty = await model.predictActions(obs, { mode: "discrete", logitsProcessor: force([table.ids.actionStart, table.ids.actionEnd, table.ids.imEnd]) });
    expect(empty.ok || empty.reason).toBe("no-action-tokens");
    const short = await model.predictActions(obs, {
      mode: "discrete",
      logitsProcessor: force([table.ids.actionStart, table.actionToken(5), table.ids.actionEnd, table.ids.imEnd]),
    });
    expect(short.ok).toBe(false);
    if (!short.ok) {
      expect(short.reason).toBe("decode-failed");
      expect(short.message).toMatch(/wrong-length/);
      expect((short as unknown as { actions?: unknown }).actions).toBeUndefined();
    }
  });

  it("extracts the action span like the reference (§1.6)", () => {
    const t = new TokenTable();
    const a = (i: number) => t.actionToken(i);
    const s = t.ids.actionStart;
    const e = t.ids.actionEnd;
    expect(extractActionBins([a(1), s, a(2), 42, a(3), e, a(4), t.ids.imEnd], t)).toEqual([2, 3]);
    expect(extractActionBins([a(7), a(8), e, a(9)], t)).toEqual([7, 8, 9]); // no start: the whole trace (reference)
    expect(extractActionBins([s, a(1), a(2)], t)).toEqual([1, 2]);
    expect(extractActionBins([s, e], t)).toEqual([]);
  });

  it("rejects bad inputs naming the argument", async () => {
    await expect(model.predictActions({ ...obs, normTag: "nope" })).rejects.toThrow(/MolmoAct2.predictActions: observation.normTag must be one of "so"; got "nope"/);
    await expect(model.predictActions({ ...obs, state: [1, 2] })).rejects.toThrow(/observation.state must be an array of 7 numbers \(the tag's state dims\); got 2 values/);
    await expect(model.predictActions({ ...obs, state: [0, 0, 0, NaN, 0, 0, 0] })).rejects.toThrow(/observation.state must hold finite numbers; got NaN at \[3\]/);
    await expect(model.predictActions({ ...obs, task: " ... " })).rejects.toThrow(/observation.task must be a non-empty instruction/);
    await expect(model.predictActions({ ...obs, images: [noiseImage(1, 1, 1)] })).rejects.toThrow(/observation.images\[0\] must be an image at least 14×14 pixels .*; got 1×1/);
    await expect(model.predictActions({ ...obs, images: [] })).rejects.toThrow(/observation.images must hold at least one image/);
    await expect(model.predictActions(obs, { mode: "fast" as "discrete" })).rejects.toThrow(/opts.mode must be one of "continuous", "discrete"/);
    await expect(model.predictActions(obs, { noise: [[1]] })).rejects.toThrow(/opts.noise must have H = 10 rows; got 1/);
    const first = model.predictActions(obs, { numSteps: 1 });
    await expect(model.predictActions(obs)).rejects.toThrow(/is already running a prediction/);
    expect((await first).ok).toBe(true);
    const noTok = new MolmoAct2({ config: TINY, params: initRandomParams(TINY, 5), tags: { so: tinyTag(D, H) } });
    await expect(noTok.predictActions(obs, { mode: "discrete" })).rejects.toThrow(/needs an actionTokenizer/);
    noTok.dispose();
  });
});
