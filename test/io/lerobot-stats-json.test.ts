import { describe, expect, it } from "vitest";
import { LeRobotDataset, memorySource, parseStatsJson } from "../../src/io/index.js";
import { combineEpisodeStats } from "../../src/io/lerobot-stats-json.js";
import { statsFromLeRobot } from "../../src/normalize/index.js";
import { missingFixtures, readFixtureJson } from "../fixtures.js";

describe("parseStatsJson (the one LeRobot stats.json reader)", () => {
  it("reads vectors as float64, flattens image stats and both forms of count, from text or object", () => {
    const file = {
      action: { min: [-1, 0], max: [1, 2], mean: [0, 1], std: [0.5, 0.5], count: [40], q01: [-0.9, 0.1], q10: [-0.5, 0.2], q50: [0, 1], q90: [0.5, 1.8], q99: [0.9, 1.9] },
      "observation.images.cam": { min: [[[0]], [[0]], [[0]]], max: [[[1]], [[1]], [[1]]], count: 7 },
      timestamp: { mean: [3.5], extra: "ignored" },
    };
    for (const input of [file, JSON.stringify(file)]) {
      const s = parseStatsJson(input);
      expect(Object.keys(s)).toEqual(["action", "observation.images.cam", "timestamp"]);
      expect(s.action.q10).toEqual(Float64Array.from([-0.5, 0.2]));
      expect(s.action.count).toBe(40);
      expect(s["observation.images.cam"].max).toEqual(Float64Array.from([1, 1, 1]));
      expect(s["observation.images.cam"].count).toBe(7);
      expect(s.timestamp).toEqual({ mean: Float64Array.from([3.5]) });
    }
  });

  it("throws naming the feature and field, never returns an empty or partial reading", () => {
    expect(() => parseStatsJson("{ nope")).toThrow(/parseStatsJson: input must be valid JSON/);
    expect(() => parseStatsJson([1, 2])).toThrow(/parseStatsJson: input must be a stats.json object/);
    expect(() => parseStatsJson({ action: 3 })).toThrow(/parseStatsJson: "action" must be an object of statistics/);
    expect(() => parseStatsJson({ action: { q01: [0, "x"] } })).toThrow(/"action".q01 must be a non-empty list of numbers/);
    expect(() => parseStatsJson({ action: { max: [] } })).toThrow(/"action".max must be a non-empty list/);
    expect(() => parseStatsJson({ action: { count: [1, 2] } })).toThrow(/"action".count must be an integer >= 0 or \[integer\]; got array\(2\)/);
  });

  it("normalize's statsFromLeRobot reads through it: same numbers, as a checked NormStats", () => {
    const text = JSON.stringify({ action: { min: [-1], max: [1], mean: [0], std: [0.5], count: [3], q01: [-0.9], q99: [0.9] } });
    const a = parseStatsJson(text).action;
    const n = statsFromLeRobot(text, "action");
    expect(n).toEqual({ q01: [-0.9], q99: [0.9], min: [-1], max: [1], mean: [0], std: [0.5], count: 3 });
    expect(Float64Array.from(n.q99)).toEqual(a.q99);
    expect(() => statsFromLeRobot({ action: { q01: [1, null] } }, "action")).toThrow(/parseStatsJson: "action".q01 must be a non-empty list/);
  });

  it.skipIf(missingFixtures("parseStatsJson on real stats.json files", "real"))("reads every real fixture's stats.json, the image features too", () => {
    const quantiles: Record<string, boolean> = { "so101-orange-cube": true, "reachy2-apple-storage": false, "lingzu-open50": true, "piper-grape": true, "so101-bimanual-cloth": false };
    for (const [name, q] of Object.entries(quantiles)) {
      const s = parseStatsJson(readFixtureJson<object>("real", name, "meta", "stats.json"));
      const action = s.action ?? s.actions; // lingzu names its columns state / actions
      expect(action.mean!.length).toBe(action.std!.length);
      expect(action.q01 !== undefined).toBe(q);
    }
  });
});

describe("combineEpisodeStats (LeRobot v2.1 episodes_stats.jsonl)", () => {
  it("names the line of a malformed record", () => {
    expect(() => combineEpisodeStats('{"stats": {}}\n{ nope')).toThrow(/combineEpisodeStats: line 2 must be valid JSON/);
    expect(() => combineEpisodeStats('{"stats": {"a": {"min": "low"}}}')).toThrow(/line 1.stats\["a"\].min must be a non-empty list of numbers/);
  });

  it("LeRobotDataset.open names the stats file when it is malformed", async () => {
    const info = JSON.stringify({ codebase_version: "v3.0", fps: 10, features: { action: { dtype: "float32", shape: [1] }, "observation.state": { dtype: "float32", shape: [1] } } });
    const files = { "meta/info.json": info, "meta/stats.json": JSON.stringify({ action: { mean: "zero" } }), "data/chunk-000/file-000.parquet": "x" };
    await expect(LeRobotDataset.open(memorySource(files, "mem"))).rejects.toThrow(/LeRobotDataset.open: where mem\/meta\/stats.json must be a LeRobot stats file; parseStatsJson: "action".mean must be a non-empty list/);
  });
});
