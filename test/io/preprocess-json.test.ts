import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parsePreprocessJson, serializePreprocessJson, type PreprocessFile } from "../../src/io/index.js";

const FILE: PreprocessFile = {
  which: "action",
  seconds: 1,
  stride: null,
  norm: "q01_q99",
  keepDims: [5],
  padTo: 32,
  q01: [-1, -2, 0, 0, 0, 0],
  q99: [1, 2, 1, 1, 1, 1],
  dataset: { path: "data/so101", absolutePath: "/x/data/so101", fps: 30, keys: { state: "observation.state", action: "action" }, episodes: 4, robotType: "so101" },
  horizon: 30,
};

describe("preprocess.json (read and written in io)", () => {
  it("round-trips exactly, from text or object", () => {
    const text = serializePreprocessJson(FILE);
    expect(text.endsWith("}\n")).toBe(true);
    expect(parsePreprocessJson(text)).toEqual(FILE);
    expect(parsePreprocessJson(JSON.parse(text))).toEqual(FILE);
  });

  it("property: any valid file round-trips", () => {
    const file = fc.record({
      which: fc.constantFrom("action" as const, "state" as const),
      seconds: fc.double({ min: 0.01, max: 10, noNaN: true }),
      stride: fc.option(fc.integer({ min: 1, max: 50 }), { nil: null }),
      norm: fc.constantFrom("q01_q99" as const, "openpi" as const),
      keepDims: fc.array(fc.integer({ min: 0, max: 31 }), { maxLength: 3 }),
      padTo: fc.option(fc.integer({ min: 1, max: 64 }), { nil: null }),
      // JSON has no negative zero (-0 is written as 0, which normalizes identically), so draw +0 only
      q: fc.array(fc.double({ min: -1e3, max: 1e3, noNaN: true, noDefaultInfinity: true }).map((x) => (x === 0 ? 0 : x)), { minLength: 1, maxLength: 8 }),
      horizon: fc.option(fc.integer({ min: 1, max: 100 }), { nil: null }),
    });
    fc.assert(
      fc.property(file, ({ q, ...rest }) => {
        const f: PreprocessFile = { ...rest, q01: q, q99: q.map((x) => x + 1), dataset: null };
        expect(parsePreprocessJson(serializePreprocessJson(f))).toEqual(f);
      }),
    );
  });

  it("fills the defaults fit-tokenizer writes; q01/q99 may be absent only without normalization", () => {
    expect(parsePreprocessJson({ norm: "none" })).toEqual({ which: "action", seconds: 1, stride: null, norm: "none", keepDims: [], padTo: null, q01: null, q99: null, dataset: null, horizon: null });
  });

  it("names the field of the wrong kind (a VlaError whose arg is the field)", () => {
    expect(() => parsePreprocessJson({ ...FILE, q99: "high" })).toThrow(/parsePreprocessJson: q99 must be a list of 6 finite numbers like q01; got "high"/);
    expect(() => parsePreprocessJson({ ...FILE, norm: "minmax" })).toThrow(/parsePreprocessJson: norm must be "q01_q99", "openpi" or "none"; got "minmax"/);
    expect(() => parsePreprocessJson({ ...FILE, stride: 0 })).toThrow(/stride must be null or an integer >= 1; got 0/);
    expect(() => parsePreprocessJson({ ...FILE, dataset: { fps: 30 } })).toThrow(/dataset must be \{ path, fps, keys, episodes \}/);
    expect(() => parsePreprocessJson("[1]")).toThrow(/parsePreprocessJson: input must be a JSON object; got \[1\]/);
    expect(() => parsePreprocessJson("{")).toThrow(/parsePreprocessJson: input must be valid JSON/);
  });
});
