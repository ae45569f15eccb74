import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createServer } from "node:http";
import { fileMap, nodeFolder, urlFolder } from "../../src/io/file-provider.js";
import { FLOAT_DTYPES } from "../../src/io/safetensors-header.js";
import { openCheckpoint, type CheckpointProgress } from "../../src/io/safetensors-checkpoint.js";
import { parseSafetensorsIndex } from "../../src/io/safetensors-index.js";
import { readSafetensors, writeSafetensors, type SafeTensorInput } from "../../src/io/safetensors.js";
import { fixturePath, hasFixtures } from "../fixtures.js";
import { sendWithRange } from "./range-server.js";

const root = mkdtempSync(join(tmpdir(), "vla-ckpt-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const ramp = (n: number, k: number) => Array.from({ length: n }, (_, i) => (i - k) / 8);
const SHARDS: Record<string, Record<string, SafeTensorInput>> = {
  "model-00001-of-00003.safetensors": { "embed.weight": { shape: [4, 3], data: ramp(12, 1) }, "layers.0.w": { shape: [3, 3], data: ramp(9, 2), dtype: "BF16" } },
  "model-00002-of-00003.safetensors": { "layers.1.w": { shape: [3, 3], data: ramp(9, 3), dtype: "F16" }, "layers.1.b": { shape: [3], data: [1, 2, 3] } },
  "model-00003-of-00003.safetensors": { "lm_head.weight": { shape: [2, 3], data: ramp(6, 4) }, "position_ids": { shape: [4], data: [0, 1, 2, 3], dtype: "I64" } },
};

/** Write the shards + index into a fresh folder and return it. */
function shardedFolder(name: string): string {
  const dir = join(root, name);
  rmSync(dir, { recursive: true, force: true });
  const weightMap: Record<string, string> = {};
  let total = 0;
  for (const [file, tensors] of Object.entries(SHARDS)) {
    const bytes = writeSafetensors(tensors, { format: "pt" });
    const f = readSafetensors(bytes);
    for (const n of f.names()) {
      weightMap[n] = file;
      const [b, e] = f.entry(n)!.dataOffsets;
      total += e - b;
    }
    writeFileSync(join(mkdirp(dir), file), bytes);
  }
  writeFileSync(join(dir, "model.safetensors.index.json"), JSON.stringify({ metadata: { total_size: total }, weight_map: weightMap }));
  writeFileSync(join(dir, "config.json"), "{}");
  return dir;
}

function mkdirp(dir: string): string {
  mkdirSync(dir, { recursive: true });
  return dir;
}

const EXPECTED: Record<string, number[]> = {
  "embed.weight": [4, 3],
  "layers.0.w": [3, 3],
  "layers.1.w": [3, 3],
  "layers.1.b": [3],
  "lm_head.weight": [2, 3],
};

describe("openCheckpoint (sharded, nodeFolder)", () => {
  it("reads every tensor of a 3-shard checkpoint, with entries, totals and progress", async () => {
    const dir = shardedFolder("ok");
    const progress: CheckpointProgress[] = [];
    const ck = await openCheckpoint(nodeFolder(dir), { onProgress: (p) => progress.push(p) });
    try {
      expect(ck.files).toEqual(Object.keys(SHARDS));
      expect(ck.describe).toMatch(/^folder ".*ok": model.safetensors.index.json \(3 shards\)$/);
      expect(ck.names()).toEqual(Object.values(SHARDS).flatMap((t) => Object.keys(t)));
      expect(ck.entry("layers.1.w")).toEqual({ dtype: "F16", shape: [3, 3], file: "model-00002-of-00003.safetensors", byteLength: 18 });
      expect(ck.entry("nope")).toBeUndefined();
      expect(ck.totalBytes).toBe(48 + 18 + 18 + 12 + 24 + 32);
      expect(ck.totalBytes).toBe(ck.index!.totalSize);
      for (const [file, tensors] of Object.entries(SHARDS)) {
        const mem = readSafetensors(readFileSync(join(dir, file)));
        for (const n of Object.keys(tensors)) expect(await ck.read(n)).toEqual(mem.get(n));
      }
      expect(progress.length).toBe(6);
      expect(progress.at(-1)).toEqual({ loadedBytes: ck.totalBytes, totalBytes: ck.totalBytes, file: "model-00003-of-00003.safetensors", tensor: "position_ids" });
      expect(progress.map((p) => p.loadedBytes)).toEqual([48, 66, 84, 96, 120, 152]);
      // a second read does not count twice
      await ck.read("embed.weight");
      expect(progress.at(-1)!.loadedBytes).toBe(ck.totalBytes);
      const all = await ck.readAll(["lm_head.weight", "layers.1.b"]);
      expect([...all.keys()]).toEqual(["lm_head.weight", "layers.1.b"]);
      expect(Array.from(all.get("layers.1.b")!.data)).toEqual([1, 2, 3]);
      await expect(ck.read("nope")).rejects.toThrow(/CheckpointReader.read: name must name a tensor of folder .*: model.safetensors.index.json \(3 shards\); got "nope" \(6 tensors\)/);
    } finally {
      await ck.close();
    }
  });

  it("check: one error listing missing, unexpected and mis-shaped tensors with their files", async () => {
    const ck = await openCheckpoint(nodeFolder(shardedFolder("check")));
    try {
      const expected = { ...EXPECTED, "layers.0.w": [3, 4], "layers.2.w": [3, 3], "position_ids": [4] };
      expect(() => ck.check({ ...EXPECTED, position_ids: [4] })).not.toThrow();
      expect(() => ck.check(expected)).toThrow(
        [
          `CheckpointReader.check: ${ck.describe} does not match the expected tensors (1 missing, 0 unexpected, 1 with the wrong shape, 0 with an unusable dtype):`,
          "  missing (1):",
          "    layers.2.w: expected [3, 3], in no file",
          "  wrong shape (1):",
          "    layers.0.w: expected [3, 4], got [3, 3] in model-00001-of-00003.safetensors",
        ].join("\n"),
      );
      const report = ck.compare(EXPECTED);
      expect(report.ok).toBe(false);
      expect(report.unexpected).toEqual([{ name: "position_ids", file: "model-00003-of-00003.safetensors", shape: [4], dtype: "I64" }]);
      expect(ck.compare(EXPECTED, { ignore: (n) => n === "position_ids" }).ok).toBe(true);
    } finally {
      await ck.close();
    }
  });

  it("reports an integer tensor where a float one is expected, by name", async () => {
    const ck = await openCheckpoint(nodeFolder(shardedFolder("dtype")));
    try {
      const report = ck.compare({ ...EXPECTED, position_ids: [4] }, { dtypes: FLOAT_DTYPES });
      expect(report.wrongDtype).toEqual([{ name: "position_ids", file: "model-00003-of-00003.safetensors", dtype: "I64", expected: FLOAT_DTYPES }]);
      expect(() => ck.check({ ...EXPECTED, position_ids: [4] }, { dtypes: FLOAT_DTYPES })).toThrow(/unusable dtype \(1\):\n {4}position_ids: I64 in model-00003-of-00003.safetensors, expected one of F64, F32, F16, BF16/);
      await expect(ck.readFloat("position_ids")).rejects.toThrow(/CheckpointReader.readFloat: position_ids must be a float tensor \(F64, F32, F16, BF16\); got I64 in model-00003-of-00003.safetensors/);
      expect((await ck.readFloat("layers.0.w")).data).toBeInstanceOf(Float32Array);
    } finally {
      await ck.close();
    }
  });

  it("caps each list at 10 names, then '… and N more'", async () => {
    const ck = await openCheckpoint(nodeFolder(shardedFolder("many")));
    try {
      const expected: Record<string, number[]> = { ...EXPECTED, position_ids: [4] };
      for (let i = 0; i < 25; i++) expected[`extra.${i}`] = [i];
      const msg = (() => {
        try {
          ck.check(expected);
          return "";
        } catch (e) {
          return (e as Error).message;
        }
      })();
      expect(msg).toMatch(/25 missing/);
      expect(msg).toMatch(/extra\.9: expected \[9\], in no file\n {4}… and 15 more$/);
      expect(msg).not.toMatch(/extra\.10:/);
    } finally {
      await ck.close();
    }
  });

  it("names a missing shard and the tensors the index puts in it", async () => {
    const dir = shardedFolder("missing");
    unlinkSync(join(dir, "model-00002-of-00003.safetensors"));
    await expect(openCheckpoint(nodeFolder(dir))).rejects.toThrow(
      /openCheckpoint: files must hold every shard named by model.safetensors.index.json; folder ".*missing" lacks "model-00002-of-00003.safetensors" \(model.safetensors.index.json puts 2 tensors in it: "layers.1.w", "layers.1.b"\)/,
    );
  });

  it("names a shard that lacks a tensor the index places in it", async () => {
    const dir = shardedFolder("lacking");
    const idx = JSON.parse(readFileSync(join(dir, "model.safetensors.index.json"), "utf8"));
    idx.weight_map["ghost"] = "model-00001-of-00003.safetensors";
    writeFileSync(join(dir, "model.safetensors.index.json"), JSON.stringify(idx));
    await expect(openCheckpoint(nodeFolder(dir))).rejects.toThrow(/openCheckpoint: "model-00001-of-00003.safetensors" must hold the 1 tensor model.safetensors.index.json puts in it but does not: "ghost"/);
  });

  it("names bad index JSON and its fields", async () => {
    const dir = shardedFolder("badjson");
    writeFileSync(join(dir, "model.safetensors.index.json"), "{ not json");
    await expect(openCheckpoint(nodeFolder(dir))).rejects.toThrow(/parseSafetensorsIndex: "model.safetensors.index.json" must be JSON/);
    expect(() => parseSafetensorsIndex("[]")).toThrow(/"model.safetensors.index.json" must be a JSON object \{ metadata, weight_map \}; got array\(0\)/);
    expect(() => parseSafetensorsIndex({ metadata: {} })).toThrow(/parseSafetensorsIndex: weight_map of "model.safetensors.index.json" must be an object \{ tensor: shard file \}; got undefined/);
    expect(() => parseSafetensorsIndex({ weight_map: { a: 3 } }, "x.index.json")).toThrow(/parseSafetensorsIndex: weight_map\["a"\] of "x.index.json" must be a shard file name; got 3/);
    expect(() => parseSafetensorsIndex({ metadata: { total_size: "12" }, weight_map: { a: "s" } })).toThrow(/metadata.total_size of .* must be a non-negative integer when present; got "12"/);
    expect(() => parseSafetensorsIndex({ weight_map: {} })).toThrow(/weight_map of .* must name at least one tensor/);
    const ok = parseSafetensorsIndex('{"metadata":{"total_size":8,"format":"pt"},"weight_map":{"a":"s1","b":"s2","c":"s1"}}');
    expect(ok.shards).toEqual(["s1", "s2"]);
    expect(ok.totalSize).toBe(8);
    expect([...ok.weightMap]).toEqual([["a", "s1"], ["b", "s2"], ["c", "s1"]]);
  });

  it("says when neither an index nor model.safetensors exists", async () => {
    await expect(openCheckpoint(nodeFolder(join(root, "nowhere")))).rejects.toThrow(/openCheckpoint: files must hold model.safetensors.index.json or model.safetensors; folder ".*nowhere" has neither/);
  });
});

describe("openCheckpoint (fileMap, browser-style)", () => {
  it("reads shards given as Blobs, Files and bytes", async () => {
    const map: Record<string, Blob | Uint8Array> = {};
    const weightMap: Record<string, string> = {};
    Object.entries(SHARDS).forEach(([file, tensors], i) => {
      const bytes = writeSafetensors(tensors);
      map[file] = i === 0 ? new File([new Uint8Array(bytes)], file) : i === 1 ? new Blob([new Uint8Array(bytes)]) : bytes;
      for (const n of Object.keys(tensors)) weightMap[n] = file;
    });
    map["model.safetensors.index.json"] = new TextEncoder().encode(JSON.stringify({ weight_map: weightMap }));
    const ck = await openCheckpoint(fileMap(map));
    expect(ck.describe).toBe("file map (4 files): model.safetensors.index.json (3 shards)");
    expect(Array.from((await ck.read("layers.1.b")).data)).toEqual([1, 2, 3]);
    expect(ck.index!.totalSize).toBeUndefined();
  });
});

describe("openCheckpoint (urlFolder over a local HTTP server with Range)", () => {
  it("reads a sharded checkpoint with HEAD + range requests, and names a missing file", async () => {
    const dir = shardedFolder("http");
    const log: string[] = [];
    const server = createServer((req, res) => {
      const file = join(dir, decodeURIComponent((req.url ?? "/").slice(1)));
      log.push(`${req.method} ${req.url} ${req.headers.range ?? "-"}`);
      if (!existsSync(file)) return void res.writeHead(404).end();
      const body = readFileSync(file);
      if (req.method === "HEAD") return void res.writeHead(200, { "Content-Length": body.length }).end();
      sendWithRange(req, res, body);
    });
    await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
    try {
      const addr = server.address();
      const base = `http://127.0.0.1:${typeof addr === "object" && addr ? addr.port : 0}`;
      const files = urlFolder(base);
      const ck = await openCheckpoint(files);
      expect(ck.describe).toBe(`URL folder "${base}/": model.safetensors.index.json (3 shards)`);
      const shard = readFileSync(join(dir, "model-00002-of-00003.safetensors"));
      const mem = readSafetensors(shard);
      expect(await ck.read("layers.1.w")).toEqual(mem.get("layers.1.w"));
      // only the tensor's own 18 bytes were asked for
      const start = 8 + Number(new DataView(shard.buffer, shard.byteOffset).getBigUint64(0, true)) + mem.entry("layers.1.w")!.dataOffsets[0];
      expect(log.at(-1)).toBe(`GET /model-00002-of-00003.safetensors bytes=${start}-${start + 17}`);
      expect(await files.readText("config.json")).toBe("{}");
      await expect(files.readText("tokenizer.json")).rejects.toThrow(/urlFolder.readText: "tokenizer.json" is missing from URL folder ".*\/" \(HTTP 404 for .*\/tokenizer.json\)/);
      await expect(files.open("nope.safetensors")).rejects.toThrow(/urlFolder.open: "nope.safetensors" is missing from URL folder/);
      await expect(files.has("../x")).rejects.toThrow(/urlFolder.has: path must stay inside URL folder/);
    } finally {
      await new Promise<void>((ok) => server.close(() => ok()));
    }
  });
});

const TINY = fixturePath("molmoact2-tiny");
describe.skipIf(!hasFixtures || !existsSync(TINY))(`single-file checkpoint ${TINY}`, () => {
  it("opens model.safetensors of the tiny MolmoAct2 and reads like readSafetensors", async () => {
    const dir = join(root, "tiny");
    mkdirp(dir);
    copyFileSync(join(TINY, "model.safetensors"), join(dir, "model.safetensors"));
    const ck = await openCheckpoint(nodeFolder(dir));
    try {
      const mem = readSafetensors(readFileSync(join(TINY, "model.safetensors")));
      expect(ck.files).toEqual(["model.safetensors"]);
      expect(ck.names()).toEqual(mem.names());
      const shapes = Object.fromEntries(mem.names().map((n) => [n, mem.entry(n)!.shape]));
      expect(ck.compare(shapes, { dtypes: FLOAT_DTYPES }).ok).toBe(true);
      const all = await ck.readAll();
      for (const n of mem.names()) expect(all.get(n)).toEqual(mem.get(n));
    } finally {
      await ck.close();
    }
  });
});
if (!hasFixtures || !existsSync(TINY)) console.info(`skipped fixture tests: ${TINY} is missing`);
