import { describe, expect, it } from "vitest";
import { trainToyFlow } from "../../examples/train-toy-flow.js";

describe("examples/train-toy-flow.ts", () => {
  it("a velocity MLP trained with flowMatchingLoss reproduces the two-blob data statistics", async () => {
    const r = await trainToyFlow({ backend: "wasm" });
    // the loss falls (flow-matching loss cannot reach 0: the target a − ε is random given x_t)
    expect(r.lastLoss).toBeLessThan(r.firstLoss * 0.7);
    const { data, samples } = r;
    // 2000 samples: standard error of the mean ≈ 0.023; allow model error on top
    for (let i = 0; i < 2; i++) {
      expect(Math.abs(samples.mean[i] - data.mean[i])).toBeLessThan(0.15);
      expect(Math.abs(samples.std[i] / data.std[i] - 1)).toBeLessThan(0.12);
    }
    expect(samples.corr).toBeGreaterThan(0.85);
    expect(samples.upperFraction).toBeGreaterThan(0.4);
    expect(samples.upperFraction).toBeLessThan(0.6);
    // bimodality: a single Gaussian with the same moments puts only ~half its mass near the blob centres
    expect(samples.nearCentre).toBeGreaterThan(0.85);
  });
});
