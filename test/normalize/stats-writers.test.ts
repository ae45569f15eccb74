import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseStatsJson } from "../../src/io/index.js";
import { lerobotStatsJson, molmoAct2NormStatsJson, openpiNormStatsJson, statsFromLeRobot, statsFromMolmoAct2, statsFromOpenpi, type WritableStats } from "../../src/normalize/index.js";

// -0 is written by JSON as 0 (the same number), so the arbitraries give +0 only.
const finite = fc.double({ min: -1e6, max: 1e6, noNaN: true, noDefaultInfinity: true }).map((x) => (x === 0 ? 0 : x));
const stats = (dim: number) =>
  fc.record({
    q01: fc.array(finite, { minLength: dim, maxLength: dim }),
    q10: fc.array(finite, { minLength: dim, maxLength: dim }),
    q50: fc.array(finite, { minLength: dim, maxLength: dim }),
    q90: fc.array(finite, { minLength: dim, maxLength: dim }),
    q99: fc.array(finite, { minLength: dim, maxLength: dim }),
    min: fc.array(finite, { minLength: dim, maxLength: dim }),
    max: fc.array(finite, { minLength: dim, maxLength: dim }),
    mean: fc.array(finite, { minLength: dim, maxLength: dim }),
    std: fc.array(fc.double({ min: 0, max: 1e6, noNaN: true }).map((x) => (x === 0 ? 0 : x)), { minLength: dim, maxLength: dim }),
    count: fc.integer({ min: 1, max: 1e7 }),
  }) as fc.Arbitrary<WritableStats>;
const pair = fc.integer({ min: 1, max: 12 }).chain((d) => fc.tuple(stats(d), stats(d + 1)));

describe("stats writers round-trip through the library's readers (exact: JSON keeps float64)", () => {
  it("LeRobot meta/stats.json: statsFromLeRobot and io's parseStatsJson read back every field", () => {
    fc.assert(
      fc.property(pair, ([s, a]) => {
        const text = lerobotStatsJson({ "observation.state": s, action: a });
        const n = statsFromLeRobot(text, "action");
        expect([n.q01, n.q99, n.min, n.max, n.mean, n.std, n.count]).toEqual([a.q01, a.q99, a.min, a.max, a.mean, a.std, a.count]);
        const p = parseStatsJson(JSON.parse(text))["observation.state"];
        for (const k of ["q01", "q10", "q50", "q90", "q99", "min", "max", "mean", "std"] as const) expect(Array.from(p[k]!)).toEqual(s[k]);
        expect(p.count).toBe(s.count);
      }),
      { numRuns: 50 },
    );
  });

  it("openpi norm_stats.json: statsFromOpenpi reads mean/std/q01/q99 of both keys", () => {
    fc.assert(
      fc.property(pair, ([s, a]) => {
        const text = openpiNormStatsJson({ state: s, actions: a });
        const back = statsFromOpenpi(text, "actions");
        expect([back.mean, back.std, back.q01, back.q99]).toEqual([a.mean, a.std, a.q01, a.q99]);
        expect(statsFromOpenpi(text, "state").q99).toEqual(s.q99);
      }),
      { numRuns: 50 },
    );
  });

  it("MolmoAct2 norm_stats.json: statsFromMolmoAct2 reads the stats, constants, names and mask", () => {
    fc.assert(
      fc.property(pair, fc.boolean(), ([s, a], normalizeGripper) => {
        const names = a.q01.map((_, i) => (i === a.q01.length - 1 ? "gripper" : `j${i}`));
        const text = molmoAct2NormStatsJson({ tag: "t", action: a, state: s, actionKey: "action", stateKey: "observation.state", cameraKeys: ["top"], normalizeGripper, actionHorizon: 15, nActionSteps: 8, setupType: "x", controlMode: "y", actionNames: names });
        const t = statsFromMolmoAct2(text, "t");
        expect([t.action.q01, t.action.q99, t.action.mean, t.action.std]).toEqual([a.q01, a.q99, a.mean, a.std]);
        expect(t.state!.q01).toEqual(s.q01);
        expect(t).toMatchObject({ tag: "t", normMode: "q01_q99", actionHorizon: 15, nActionSteps: 8, actionDim: a.q01.length, setupType: "x", controlMode: "y", normalizeGripper, cameraKeys: ["top"] });
        expect(t.action.mask![a.q01.length - 1]).toBe(normalizeGripper);
      }),
      { numRuns: 50 },
    );
  });

  it("LeRobot: features not given are kept from the existing file; given ones replace theirs", () => {
    const s: WritableStats = { q01: [0], q99: [1], min: [0], max: [1], mean: [0.5], std: [0.1], count: 10 };
    const old = { "observation.images.top": { mean: [[[0.4]]], count: [10] }, action: { min: [9], max: [9], mean: [9], std: [0], count: [1] } };
    const j = JSON.parse(lerobotStatsJson({ action: s }, old));
    expect(j["observation.images.top"]).toEqual(old["observation.images.top"]);
    expect(j.action).toEqual({ min: [0], max: [1], mean: [0.5], std: [0.1], count: [10], q01: [0], q99: [1] });
  });

  it("rejects stats a reader could not use, naming the writer and the field", () => {
    const good: WritableStats = { q01: [0, 1], q99: [1, 2], min: [0, 0], max: [1, 2], mean: [0, 1], std: [1, 1], count: 3 };
    expect(() => lerobotStatsJson({ action: { ...good, q99: [1] } })).toThrow(/lerobotStatsJson: action must have q01 and q99 of the same non-zero length; got 2 and 1/);
    expect(() => openpiNormStatsJson({ state: good, actions: { ...good, mean: [NaN, 0] } })).toThrow(/openpiNormStatsJson: actions\.mean must hold finite numbers; got NaN/);
    expect(() => lerobotStatsJson({ action: { ...good, count: 0 } })).toThrow(/action\.count must be a positive integer; got 0/);
    expect(() => molmoAct2NormStatsJson({ tag: "t", action: good, actionKey: "a", cameraKeys: [], normalizeGripper: false, actionHorizon: 0, nActionSteps: 1 })).toThrow(/actionHorizon must be a positive integer; got 0/);
    expect(() => molmoAct2NormStatsJson({ tag: "t", action: good, actionKey: "a", cameraKeys: [], normalizeGripper: false, actionHorizon: 1, nActionSteps: 1, actionNames: ["x"] })).toThrow(/actionNames must have 2 names like the stats; got 1/);
  });
});
