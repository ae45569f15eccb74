import { describe, expect, it } from "vitest";
import { runModelBasic } from "../../examples/model-basic.js";
import { runModelDemo } from "../../examples/demo-model.js";
import { runFromPretrained } from "../../examples/model-from-pretrained.js";
import { missingFixtures } from "../fixtures.js";

describe("model examples run (docs cannot rot)", () => {
  it("examples/model-basic.ts: a 10×7 chunk and Think decode steps 100 then 0", async () => {
    const r = await runModelBasic();
    expect(r.actions.length).toBe(10);
    expect(r.actions[0].length).toBe(7);
    expect(r.thinkDecodeSteps).toEqual([100, 0]);
  });

  it("examples/demo-model.ts: real G1 frame, 30×26 chunk, discrete fails loudly, Think goes full → selective → replay", async () => {
    const r = await runModelDemo("wasm");
    expect(r.horizon).toBe(30);
    expect(r.dim).toBe(26);
    expect(r.continuous.ok).toBe(true);
    if (r.continuous.ok) expect(r.continuous.actions.every((row) => row.length === 26 && row.every(Number.isFinite))).toBe(true);
    expect(r.discrete.ok).toBe(false); // random weights: no EOS in 64 tokens → a reason, not zeros
    expect(r.think.map((t) => t.trace.depth?.full)).toEqual([true, false, false]);
    expect(r.think[0].trace.depth?.decodeSteps).toBe(100);
    expect(r.think[2].trace.depth?.decodeSteps).toBe(0);
    const mid = r.think[1].trace.depth;
    expect((mid?.decodeSteps ?? 0) + (mid?.replayTokens ?? 0)).toBe(100);
  });

  it.skipIf(missingFixtures("examples/model-from-pretrained.ts", "molmoact2-tiny"))("examples/model-from-pretrained.ts: the tiny reference snapshot in all three modes", async () => {
    const r = await runFromPretrained();
    expect(r.continuous.ok).toBe(true);
    if (r.continuous.ok) expect(r.continuous.actions.length).toBe(10);
    expect(r.discrete.ok).toBe(false); // random weights: no EOS within 16·H tokens, reported as a value
    if (!r.discrete.ok) expect(r.discrete.reason).toBe("no-eos");
    expect(r.think?.trace.depth?.decodeSteps).toBe(100);
  });
});
