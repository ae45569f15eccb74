import { describe, expect, it } from "vitest";
import { flowBasic } from "../../examples/flow-basic.js";

describe("examples/flow-basic.ts (docs/flow.md)", () => {
  it("the Gaussian part lands on μ/σ and the expert part returns a 10 × 7 chunk", async () => {
    const r = await flowBasic();
    // Heun, 10 steps, 4000 samples: standard errors ≈ 0.003 / 0.011 on the means
    expect(Math.abs(r.mean[0] - 0.5)).toBeLessThan(0.02);
    expect(Math.abs(r.mean[1] + 1)).toBeLessThan(0.05);
    expect(Math.abs(r.std[0] / 0.2 - 1)).toBeLessThan(0.05);
    expect(Math.abs(r.std[1] / 0.7 - 1)).toBeLessThan(0.05);
    expect(r.actions).toHaveLength(10);
    expect(r.actions[0]).toHaveLength(7);
    // a freshly initialised expert outputs zero velocity, so the chunk is the (unmasked part of the) noise: non-zero
    expect(r.actions.flat().some((v) => v !== 0)).toBe(true);
  });
});
