import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { toList } from "../../src/core/index.js";
import { discretizeState, parseStateString, pi05StateText, stateString, stateTokenIds, undiscretizeState } from "../../src/state/index.js";
import { stateTokenStrings } from "../../src/state/discretize.js";
import { MOLMOACT2_TOKEN_IDS } from "../../src/vocab/index.js";
import { readFixtureJson, missingFixtures } from "../fixtures.js";

describe("state discretizer: MolmoAct2 rule", () => {
  it("NaN → 0, ±inf → ±1, clip, rint((x+1)/2·255) with half-to-even", () => {
    expect(discretizeState([-1, 0, 1, NaN, Infinity, -Infinity, 5, -5])).toEqual([0, 128, 255, 128, 255, 0, 255, 0]);
    // (x+1)/2*255 = 127.5 exactly at x = 0 → rint → 128 (even); x = -1/255 → 127 exactly
    expect(discretizeState([-1 / 255, 1 / 255])).toEqual([127, 128]);
  });

  it("bin centres invert exactly: discretize(undiscretize(b)) = b", () => {
    const bins = Array.from({ length: 256 }, (_, i) => i);
    expect(discretizeState(undiscretizeState(bins))).toEqual(bins); // the ndarray goes straight back in
    fc.assert(fc.property(fc.double({ min: -1, max: 1, noNaN: true }), (x) => Math.abs(undiscretizeState(discretizeState([x])).get(0) - x) <= 1 / 255 + 1e-12));
  });

  it("token strings and ids", () => {
    expect(stateTokenStrings([0, 255])).toEqual(["<state_0>", "<state_255>"]);
    expect(stateString([3, 200])).toBe("<state_start><state_3><state_200><state_end>");
    expect(parseStateString("<state_start><state_3><state_200><state_end>")).toEqual({ ok: true, bins: [3, 200] });
    expect(parseStateString("<state_start><state_300><state_end>").ok).toBe(false);
    expect(parseStateString("<state_3>").ok).toBe(false);
    const i = MOLMOACT2_TOKEN_IDS;
    expect(stateTokenIds([0, 5])).toEqual([i.stateStart, i.stateTokenStart, i.stateTokenStart + 5, i.stateEnd]);
    expect(() => stateTokenStrings([256])).toThrow(/stateTokenStrings: bins must be integers in \[0, 255\]; got 256 at \[0\]/);
  });
});

describe("state discretizer: pi0.5 rule", () => {
  it.skipIf(missingFixtures("golden pi05_state_bins", "fast-golden"))("golden pi05_state_bins (np.digitize on exact edges): exact", () => {
    const g = readFixtureJson<{ pi05_state_bins: { inputs: (number | null)[]; input_is_nan: boolean[]; bins: number[] } }>("fast-golden", "fast-golden.json").pi05_state_bins;
    const xs = g.inputs.map((x, i) => (g.input_is_nan[i] ? NaN : (x as number)));
    expect(discretizeState(xs, { rule: "pi05", compat: "reference" })).toEqual(g.bins);
    expect(() => discretizeState(xs, { rule: "pi05" })).toThrow(/discretizeState: state must not contain NaN with rule "pi05".*at \[14\]/);
  });

  it("edge rule equals a linear search over the 256 edges -1 + k/128", () => {
    const edges = Array.from({ length: 256 }, (_, k) => -1 + k / 128);
    const digitize = (x: number) => {
      let i = 0;
      while (i < 256 && edges[i] <= x) i++;
      return i - 1;
    };
    const near = fc.tuple(fc.integer({ min: 0, max: 256 }), fc.integer({ min: -3, max: 3 })).map(([k, ulps]) => {
      let x = -1 + k / 128;
      for (let u = 0; u < Math.abs(ulps); u++) x = ulps > 0 ? x + Math.max(Number.EPSILON * Math.abs(x), 5e-324) : x - Math.max(Number.EPSILON * Math.abs(x), 5e-324);
      return x;
    });
    fc.assert(fc.property(fc.oneof(fc.double({ min: -1.5, max: 1.5, noNaN: true }), near, fc.constantFrom(-1e-17, -0.25000000000000006, -1e-300)), (x) => {
      expect(discretizeState([x], { rule: "pi05" })[0]).toBe(digitize(x));
    }), { numRuns: 5000 });
  });

  it("prompt text and inverse", () => {
    expect(pi05StateText(discretizeState([-1.5, 0, 0.99], { rule: "pi05" }))).toBe("-1 128 254");
    expect(toList(undiscretizeState([-1, 0, 255], { rule: "pi05" }))).toEqual([-1, -1 + 0.5 / 128, 1 - 0.5 / 128]);
    expect(() => undiscretizeState([256])).toThrow(/undiscretizeState: bins must be integers in \[0, 255\]/);
    expect(() => discretizeState("0.1" as never)).toThrow(/discretizeState: state must be number\[\]/);
  });
});
