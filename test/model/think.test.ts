import * as tf from "@tensorflow/tfjs-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useBackend } from "../../src/nn/index.js";
import { MolmoAct2Think, TINY, initRandomParams, type Observation } from "../../src/model/index.js";
import { noiseImage, tinyTag } from "./helpers.js";

describe("MolmoAct2Think adaptive depth (wasm)", () => {
  let model: MolmoAct2Think;
  const obs = (seed: number): Observation => ({ images: [noiseImage(seed)], task: "stack the cups", state: [0, 0, 0, 0, 0, 0, 0] });
  beforeAll(async () => {
    await useBackend("wasm");
    model = new MolmoAct2Think({ config: TINY, params: initRandomParams(TINY, 8), tags: { so: tinyTag() } });
  });
  afterAll(() => model.dispose());

  it("first frame: 100 constrained decode steps; same frame: 0 decode steps and one 100-token replay; new frame: 100 again", async () => {
    const before = tf.memory().numTensors;
    expect(model.cachedDepthCodes).toBeNull();
    const first = await model.predictActions(obs(1), { seed: 0, forceDepthEnd: true });
    if (!first.ok) throw new Error(first.message);
    expect(first.trace.depth).toEqual({ full: true, adaptive: true, decodeSteps: 100, replayForwards: 0, replayTokens: 0, endSteps: 0 });
    const codes = first.depthCodes ?? [];
    expect(codes.length).toBe(100);
    expect(codes.every((c) => Number.isInteger(c) && c >= 0 && c < 128)).toBe(true);
    // the depth span joined the context: <depth_start>, 100 <depth_i>, <depth_end>
    const t = model.table;
    expect(first.tokens).toEqual([t.ids.depthStart, ...codes.map((c) => t.depthToken(c)), t.ids.depthEnd]);
    expect(model.cachedDepthCodes).toEqual(codes);

    const same = await model.predictActions(obs(1), { seed: 0, forceDepthEnd: true });
    if (!same.ok) throw new Error(same.message);
    expect(same.trace.depth).toMatchObject({ full: false, adaptive: true, decodeSteps: 0, replayForwards: 1, replayTokens: 100, endSteps: 0 });
    expect(same.trace.depth?.updateMask).toEqual(new Array(100).fill(0));
    expect(same.depthCodes).toEqual(codes);
    // replaying the codes rebuilds the same KV context (one multi-token forward instead of 100 single ones:
    // float32 reassociation only), so the actions agree within 1e-4
    same.normalized.forEach((row, i) => row.forEach((v, j) => expect(Math.abs(v - first.normalized[i][j])).toBeLessThan(1e-4)));

    const changed = await model.predictActions(obs(2), { seed: 0, forceDepthEnd: true });
    if (!changed.ok) throw new Error(changed.message);
    expect(changed.trace.depth?.decodeSteps).toBe(100); // independent noise: every cell's cosine ≈ 0.75 < 0.996
    expect(changed.trace.depth?.full).toBe(false);

    model.reset();
    expect(model.cachedDepthCodes).toBeNull();
    const again = await model.predictActions(obs(2), { seed: 0, forceDepthEnd: true });
    expect(again.trace.depth?.full).toBe(true);
    expect(tf.memory().numTensors).toBe(before);
  });

  it("a partly changed frame decodes only the changed cells and replays the rest", async () => {
    model.reset();
    const a = noiseImage(5, 320, 320);
    await model.predictActions({ ...obs(0), images: [a] }, { forceDepthEnd: true });
    const b = { ...a, data: a.data.slice() };
    // repaint the top-left 64×64 px = cells (0,0), (0,1), (1,0), (1,1) of the 10×10 grid
    for (let y = 0; y < 64; y++) for (let x = 0; x < 64; x++) for (let c = 0; c < 3; c++) b.data[(y * 320 + x) * 3 + c] = 255 - b.data[(y * 320 + x) * 3 + c];
    const r = await model.predictActions({ ...obs(0), images: [b] }, { forceDepthEnd: true });
    expect(r.trace.depth?.decodeSteps).toBe(4);
    expect(r.trace.depth?.replayTokens).toBe(96);
    expect(r.trace.depth?.replayForwards).toBe(2); // cells 2..9 and 12..99 (runs broken by cells 10, 11)
  });

  it("without forceDepthEnd the model itself must emit <depth_end>; otherwise a no-depth-end failure", async () => {
    model.reset();
    const t = model.table;
    const emitsEnd = await model.predictActions(obs(3), {
      logitsProcessor: (logits, gen) => {
        if (gen.length === 101) logits[t.ids.depthEnd] = 1e9; // after <depth_start> + 100 codes
      },
    });
    expect(emitsEnd.ok).toBe(true);
    expect(emitsEnd.trace.depth?.endSteps).toBe(1);
    const never = await model.predictActions(obs(3), {
      logitsProcessor: (logits) => {
        logits[t.ids.depthEnd] = -1e9;
      },
    });
    expect(never.ok).toBe(false);
    if (!never.ok) {
      expect(never.reason).toBe("no-depth-end");
      expect(never.trace.depth?.endSteps).toBe(30); // max(8, maxActionHorizon = 30)
    }
  });

  it("prompts with the depth trigger", () => {
    expect(model.processObservation(obs(1)).promptText.endsWith("<|im_start|>assistant\n<depth_output><action_output>")).toBe(true);
  });
});
