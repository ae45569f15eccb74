import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { readFileSync, readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { LeRobotDataset, type LeRobotEpisode } from "../../src/io/lerobot.js";
import { fetchSource, memorySource } from "../../src/io/lerobot-source.js";
import { flattenNames, parseInfo, detectKeys } from "../../src/io/lerobot-meta.js";
import { combineEpisodeStats } from "../../src/io/lerobot-stats-json.js";
import { episodeChunks } from "../../src/io/lerobot-chunks.js";
import { ndView, toRows, VlaError } from "../../src/core/index.js";
import { fixturePath, missingFixtures } from "../fixtures.js";

interface Derived {
  fps: number;
  episode_index: number;
  num_frames: number;
  state_key: string;
  action_key: string;
  state_names: string[] | null;
  action_names: string[] | null;
  timestamp: number[];
  frame_index: number[];
  state: number[][];
  action: number[][];
}

/** Every LeRobot folder in the real fixtures, with its layout and the episodes its data files hold. */
const DATASETS = [
  { name: "so101-orange-cube", version: 3, episodes: [0, 1, 2, 3], lengths: [373, 374, 372, 373], dims: [6, 6], q: true },
  { name: "g1-inspire-bottle", version: 2, episodes: [0, 1, 2], lengths: [479, 393, 343], dims: [26, 26], q: false },
  { name: "so101-bimanual-cloth", version: 2, episodes: [1, 2], lengths: [280, 274], dims: [12, 12], q: false },
  { name: "reachy2-apple-storage", version: 3, episodes: [0, 1, 2], lengths: [299, 300, 300], dims: [19, 19], q: false },
  { name: "lingzu-open50", version: 3, episodes: [0], lengths: [427], dims: [34, 34], q: true },
  { name: "piper-grape", version: 3, episodes: [0, 1, 2, 3, 4, 5, 6, 7], lengths: null, dims: [7, 6], q: true },
] as const;

const real = (name: string) => fixturePath("real", name);

function derivedFile(name: string): Derived {
  const dir = join(real(name), "derived");
  const f = readdirSync(dir).find((x) => x.endsWith(".json"))!;
  return JSON.parse(readFileSync(join(dir, f), "utf8")) as Derived;
}


describe.skipIf(missingFixtures("LeRobotDataset on real datasets", "real"))("LeRobotDataset on the real fixtures", () => {
  for (const spec of DATASETS) {
    describe(spec.name, () => {
      it("opens, detects keys and yields every episode", async () => {
        const ds = await LeRobotDataset.open(real(spec.name));
        expect(ds.info.major).toBe(spec.version);
        const eps = await ds.loadEpisodes();
        expect(eps.map((e) => e.episodeIndex)).toEqual([...spec.episodes]);
        if (spec.lengths) expect(eps.map((e) => e.length)).toEqual([...spec.lengths]);
        for (const e of eps) {
          expect(e.state.shape).toEqual([e.length, spec.dims[0]]);
          expect(e.action.shape).toEqual([e.length, spec.dims[1]]);
          expect(e.state.data.length).toBe(e.length * spec.dims[0]); // packed: the episode's own rows
          expect(e.timestamps.length).toBe(e.length);
          expect(e.frameIndex[0]).toBe(0);
          expect(e.frameIndex[e.length - 1]).toBe(e.length - 1);
        }
      });

      // Exact (===) comparison: the re-export wrote the parquet's float32 values as JSON doubles,
      // and hyparquet widens float32 to float64 exactly, so any difference is a reader bug.
      it("matches the derived JSON re-export exactly", async () => {
        const d = derivedFile(spec.name);
        const ds = await LeRobotDataset.open(real(spec.name));
        expect(ds.keys).toEqual({ state: d.state_key, action: d.action_key });
        const [ep] = await ds.loadEpisodes({ episodes: [d.episode_index] });
        expect(ep.episodeIndex).toBe(d.episode_index);
        expect(ep.fps).toBe(d.fps);
        expect(ep.length).toBe(d.num_frames);
        expect(ep.names).toEqual({ state: d.state_names, action: d.action_names });
        expect(Array.from(ep.timestamps)).toEqual(d.timestamp);
        expect(Array.from(ep.frameIndex)).toEqual(d.frame_index);
        expect(toRows(ep.state)).toEqual(d.state);
        expect(toRows(ep.action)).toEqual(d.action);
      });

      it(spec.q ? "exposes the dataset's own q01/q99" : "reports no dataset quantiles (none stored)", async () => {
        const ds = await LeRobotDataset.open(real(spec.name));
        const q = ds.datasetQuantiles("action");
        if (!spec.q) {
          expect(q).toBeNull();
          return;
        }
        const raw = JSON.parse(readFileSync(join(real(spec.name), "meta", "stats.json"), "utf8"));
        expect(Array.from(q!.q01)).toEqual(raw[ds.keys.action].q01);
        expect(Array.from(q!.q99)).toEqual(raw[ds.keys.action].q99);
        expect(ds.statsOrigin).toBe("meta/stats.json");
      });
    });
  }

  it("reads the same episodes from an in-memory source (browser path)", async () => {
    const root = real("so101-orange-cube");
    const files: Record<string, Uint8Array> = {};
    const walk = (dir: string) => {
      for (const f of readdirSync(dir)) {
        const p = join(dir, f);
        if (statSync(p).isDirectory()) walk(p);
        else files[relative(root, p).split("\\").join("/")] = readFileSync(p);
      }
    };
    walk(root);
    const a = await (await LeRobotDataset.open(memorySource(files, "mem"))).loadEpisodes();
    const b = await (await LeRobotDataset.open(root)).loadEpisodes();
    expect(a.length).toBe(4);
    for (let i = 0; i < a.length; i++) expect(a[i].action.data).toEqual(b[i].action.data);
  });

  it("reads over HTTP with fetchSource (file list given, 404 = absent)", async () => {
    const root = real("piper-grape");
    const paths = ["meta/info.json", "meta/stats.json", "data/chunk-000/file-000.parquet"];
    const fakeFetch = (async (url: string) => {
      const rel = url.replace("http://host/ds/", "");
      if (!paths.includes(rel)) return new Response("nope", { status: 404 });
      return new Response(readFileSync(join(root, rel)));
    }) as unknown as typeof fetch;
    const ds = await LeRobotDataset.open(fetchSource("http://host/ds", paths, fakeFetch));
    expect(ds.statsOrigin).toBe("meta/stats.json");
    const eps = await ds.loadEpisodes({ episodes: [3] });
    expect(eps.map((e) => e.episodeIndex)).toEqual([3]);
    expect(eps[0].state.shape[1]).toBe(7);
    expect(eps[0].action.shape[1]).toBe(6);
  });

  it("combines v2.1 episodes_stats.jsonl (g1) into min/max/mean/std", async () => {
    const ds = await LeRobotDataset.open(real("g1-inspire-bottle"));
    expect(ds.statsOrigin).toBe("meta/episodes_stats.jsonl");
    const s = ds.stats["action"];
    expect(s.min!.length).toBe(26);
    expect(s.count).toBe(35965); // all 100 episodes are in the stats file
    // min of the three copied episodes is >= dataset min
    const eps = await ds.loadEpisodes();
    for (let d = 0; d < 26; d++) {
      for (const e of eps) for (let r = 0; r < e.length; r++) expect(e.action.data[r * 26 + d]).toBeGreaterThanOrEqual(s.min![d] - 1e-6);
    }
  });

  it("cuts one-second chunks at the dataset fps", async () => {
    const [ep] = await (await LeRobotDataset.open(real("piper-grape"))).loadEpisodes({ episodes: [0] });
    const chunks = episodeChunks(ep); // 15 Hz -> horizon 15, non-overlapping
    expect(chunks[0].shape).toEqual([15, 6]);
    expect(chunks.length).toBe(Math.floor(ep.length / 15));
    expect(Array.from(chunks[1].data.subarray(0, 6))).toEqual(Array.from(ep.action.data.subarray(15 * 6, 16 * 6)));
    const sliding = episodeChunks(ep, { stride: 1, which: "state" });
    expect(sliding.length).toBe(ep.length - 15 + 1);
    expect(sliding[0].shape[1]).toBe(7);
  });
});

function fakeEpisode(length: number, dim: number, fps: number, fill: (r: number, d: number) => number): LeRobotEpisode {
  const data = new Float64Array(length * dim);
  for (let r = 0; r < length; r++) for (let d = 0; d < dim; d++) data[r * dim + d] = fill(r, d);
  const frameIndex = Float64Array.from({ length }, (_, i) => i);
  return {
    episodeIndex: 0,
    fps,
    length,
    timestamps: frameIndex.map((f) => f / fps),
    frameIndex,
    state: ndView(data, [length, dim]),
    action: ndView(data.slice(), [length, dim]),
    names: { state: null, action: null },
    keys: { state: "observation.state", action: "action" },
  };
}

describe("LeRobot helpers (no fixtures needed)", () => {
  it("flattens every names layout", () => {
    expect(flattenNames(["a", "b"])).toEqual(["a", "b"]);
    expect(flattenNames([["a", "b"]])).toEqual(["a", "b"]);
    expect(flattenNames({ motors: ["a", "b"] })).toEqual(["a", "b"]);
    expect(flattenNames(null)).toBeNull();
    expect(flattenNames([1, 2])).toBeNull();
  });

  it("detects state/actions keys and rejects unknown ones by name", () => {
    const info = parseInfo({ codebase_version: "v3.0", fps: 30, features: { state: { dtype: "float32", shape: [2] }, actions: { dtype: "float32", shape: [2] } } });
    expect(detectKeys(info)).toEqual({ state: "state", action: "actions" });
    expect(() => detectKeys(info, { action: "action" })).toThrow(/detectKeys: action must name a feature.*"action"/);
    const bad = parseInfo({ codebase_version: "v2.1", fps: 30, features: { foo: {} } });
    expect(() => detectKeys(bad)).toThrow(VlaError);
  });

  it("rejects malformed info.json naming the file", () => {
    expect(() => parseInfo({ codebase_version: "v1.6", fps: 10, features: {} }, "x/meta/info.json")).toThrow(/x\/meta\/info.json must be a LeRobot v2.x or v3/);
    expect(() => parseInfo({ codebase_version: "v3.0", fps: 0, features: {} })).toThrow(/positive "fps"/);
    expect(() => parseInfo([])).toThrow(/must be a JSON object/);
  });

  it("fails clearly on a missing folder and a folder without info.json", async () => {
    await expect(LeRobotDataset.open("/nonexistent/dataset")).rejects.toThrow(/nodeSource: dir must be an existing folder; "\/nonexistent\/dataset" does not exist/);
    await expect(LeRobotDataset.open(memorySource({ "data/x.parquet": "x" }, "mem"))).rejects.toThrow(/mem\/meta\/info.json does not exist/);
    const info = JSON.stringify({ codebase_version: "v3.0", fps: 30, features: { action: {}, "observation.state": {} } });
    await expect(LeRobotDataset.open(memorySource({ "meta/info.json": info }, "mem"))).rejects.toThrow(/no|none found/);
    const ds = await LeRobotDataset.open(memorySource({ "meta/info.json": info, "data/chunk-000/file-000.parquet": "not parquet" }, "mem"));
    await expect(ds.loadEpisodes()).rejects.toThrow(/mem\/data\/chunk-000\/file-000.parquet must be a parquet file/);
  });

  it("combines episode stats with count weights", () => {
    const jsonl = [
      JSON.stringify({ episode_index: 0, stats: { a: { min: [0], max: [2], mean: [1], std: [1], count: [10] } } }),
      JSON.stringify({ episode_index: 1, stats: { a: { min: [-1], max: [1], mean: [0], std: [0], count: [30] } } }),
    ].join("\n");
    const s = combineEpisodeStats(jsonl).a;
    expect(s.count).toBe(40);
    expect(Array.from(s.min!)).toEqual([-1]);
    expect(Array.from(s.max!)).toEqual([2]);
    expect(s.mean![0]).toBeCloseTo(0.25, 12);
    // E[x^2] = (10*(1+1) + 30*0)/40 = 0.5 -> var = 0.5 - 0.0625
    expect(s.std![0]).toBeCloseTo(Math.sqrt(0.4375), 12);
  });

  it("episodeChunks: every chunk is a contiguous window; edge padding repeats the last row", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 60 }), fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 20 }), (len, fps, stride) => {
        const ep = fakeEpisode(len, 2, fps, (r, d) => r * 10 + d);
        const horizon = fps;
        const chunks = episodeChunks(ep, { stride });
        for (const [k, c] of chunks.entries()) {
          expect(c.shape[0]).toBe(horizon);
          for (let t = 0; t < horizon; t++) expect(c.data[t * 2]).toBe((k * stride + t) * 10);
        }
        if (len >= horizon) expect(chunks.length).toBe(Math.floor((len - horizon) / stride) + 1);
        else expect(chunks.length).toBe(0);
        const padded = episodeChunks(ep, { stride, tail: "edge" });
        const last = padded[padded.length - 1];
        expect(last.data[(horizon - 1) * 2]).toBe(Math.min(len - 1, (padded.length - 1) * stride + horizon - 1) * 10);
      }),
      { numRuns: 80 },
    );
    const ep = fakeEpisode(10, 1, 10, (r) => r);
    expect(episodeChunks(ep, { seconds: 0.5 })[0].shape[0]).toBe(5);
    expect(() => episodeChunks(ep, { stride: 0 })).toThrow(/episodeChunks: stride must be an integer >= 1; got 0/);
    expect(() => episodeChunks(ep, { tail: "zero" as "drop" })).toThrow(/tail must be "drop" or "edge"/);
  });
});
