import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { Rng, roundHalfEven, toChunk, VlaError, quantileSorted, parseJson } from "../../src/core/index.js";

describe("core", () => {
  it("roundHalfEven matches numpy's np.around on ties and non-ties", () => {
    expect([0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 2.4999, 2.5001, -3.5].map((x) => roundHalfEven(x) + 0)).toEqual([0, 2, 2, 0, -2, -2, 2, 3, -4]);
    fc.assert(fc.property(fc.double({ min: -1e6, max: 1e6, noNaN: true }), (x) => Math.abs(roundHalfEven(x) - x) <= 0.5));
  });

  it("toChunk validates shape and finiteness with a message naming the argument", () => {
    expect(() => toChunk("f", "chunk", [[1, 2], [3]])).toThrow(/f: chunk must be rectangular \[2\]\[2\]; row 1 has 1 entries/);
    expect(() => toChunk("f", "chunk", [[1, NaN]])).toThrow(/got NaN at \[0\]\[1\]/);
    expect(() => toChunk("f", "chunk", new Float32Array(5), { horizon: 2, dim: 2 })).toThrow(VlaError);
    const c = toChunk("f", "chunk", new Float32Array([1, 2, 3, 4]), { horizon: 2, dim: 2 });
    expect(Array.from(c.data)).toEqual([1, 2, 3, 4]);
  });

  it("Rng is deterministic per seed and roughly standard normal", () => {
    const a = new Rng(7).normals(5);
    const b = new Rng(7).normals(5);
    expect(Array.from(a)).toEqual(Array.from(b));
    const r = new Rng(1);
    let s = 0, s2 = 0;
    const n = 20000;
    for (let i = 0; i < n; i++) { const x = r.normal(); s += x; s2 += x * x; }
    expect(Math.abs(s / n)).toBeLessThan(0.03);
    expect(Math.abs(s2 / n - 1)).toBeLessThan(0.05);
    const u = new Rng(3);
    let m = 0;
    for (let i = 0; i < n; i++) m += u.beta(1, 1.5);
    expect(Math.abs(m / n - 0.4)).toBeLessThan(0.01); // Beta(1, 1.5) mean = 1/2.5
  });

  it("quantileSorted is numpy's linear quantile", () => {
    expect(quantileSorted([0, 1, 2, 3, 4], 0.9)).toBeCloseTo(3.6, 12);
    expect(quantileSorted([5], 0.01)).toBe(5);
    // numpy's two-sided lerp: from t = 0.5 on it interpolates down from the upper neighbour, which differs from
    // a + (b - a)·t in the last bit here; np.quantile(xs, 0.99) (numpy 2.4) gives exactly this value
    const xs = [-9.737110066257742, -6.563568189265259, -4.002238625430136, -1.724991045408455, 0.4992827083164979, 1.539068080389029, 3.2579220860965634, 4.905965346219233];
    expect(quantileSorted(xs, 0.99)).toBe(4.790602318010646);
    expect(() => quantileSorted([], 0.5)).toThrow(/quantileSorted: sorted must be non-empty/);
    expect(() => quantileSorted([1, 2], NaN)).toThrow(/quantileSorted: q must be in \[0, 1\]; got NaN/);
  });

  it("parseJson names the function and argument on a syntax error and passes objects through", () => {
    expect(() => parseJson("load", "tokenizerJson", "{oops")).toThrow(/^load: tokenizerJson must be valid JSON; got a parse error/);
    const o = { a: 1 };
    expect(parseJson("load", "x", o)).toBe(o);
    expect(parseJson("load", "x", "[1,2]")).toEqual([1, 2]);
  });
});
