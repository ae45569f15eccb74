import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { VlaError } from "../../src/core/index.js";
import { LeRobotDataset, memorySource } from "../../src/io/index.js";
import { readParquetTable } from "../../src/io/lerobot-parquet.js";
import { toArrayBuffer } from "../../src/io/lerobot-source.js";

// Five files with the same 40 G1 rows and zstd / gzip / brotli / snappy / no page compression
// (see data/parquet-codecs/README.md).
const DIR = join(dirname(fileURLToPath(import.meta.url)), "data", "parquet-codecs");
const CODECS = ["zstd", "gzip", "brotli", "snappy", "plain"] as const;
const bytes = (codec: string) => toArrayBuffer(readFileSync(join(DIR, `episode_${codec}.parquet`)));
const read = (codec: string) => readParquetTable(bytes(codec), ["observation.state", "action"], ["timestamp", "frame_index", "episode_index"], `episode_${codec}.parquet`);

describe("parquet page compression", () => {
  it("zstd, gzip, brotli and uncompressed files read exactly like the snappy one", async () => {
    const ref = await read("snappy");
    expect(ref.numRows).toBe(40);
    expect(ref.vectors.action.shape).toEqual([40, 26]);
    for (const c of CODECS) {
      const t = await read(c);
      expect(t.numRows, c).toBe(40);
      expect(t.vectors["observation.state"].data, c).toEqual(ref.vectors["observation.state"].data);
      expect(t.vectors.action.data, c).toEqual(ref.vectors.action.data);
      expect(t.scalars.timestamp, c).toEqual(ref.scalars.timestamp);
      expect(t.scalars.frame_index, c).toEqual(ref.scalars.frame_index);
    }
  });

  it("the values are the shipped G1 episode's (exact: float32 widened to float64)", async () => {
    const json = join(DIR, "..", "..", "..", "..", "examples", "data", "g1-inspire-bottle", "episode_000001.json");
    const d = JSON.parse(readFileSync(json, "utf8")) as { action: number[][]; state: number[][]; timestamp: number[] };
    for (const c of ["zstd", "gzip"]) {
      const t = await read(c);
      expect(Array.from(t.vectors.action.data), c).toEqual(d.action.slice(0, 40).flat());
      expect(Array.from(t.vectors["observation.state"].data), c).toEqual(d.state.slice(0, 40).flat());
      expect(Array.from(t.scalars.timestamp), c).toEqual(d.timestamp.slice(0, 40));
    }
  });

  it("a dataset whose data file is zstd opens and yields its episode", async () => {
    const info = { codebase_version: "v3.0", fps: 30, total_episodes: 1, features: { "observation.state": { dtype: "float32", shape: [26] }, action: { dtype: "float32", shape: [26] } } };
    const ds = await LeRobotDataset.open(memorySource({ "meta/info.json": JSON.stringify(info), "data/chunk-000/file-000.parquet": new Uint8Array(bytes("zstd")) }, "zstd-ds"));
    const [ep] = await ds.loadEpisodes();
    expect(ep.length).toBe(40);
    expect(ep.file).toBe("zstd-ds/data/chunk-000/file-000.parquet");
    expect(ds.warnings).toEqual([]);
  });

  it("a corrupt page is an error naming the file, not a bare decoder message", async () => {
    const b = new Uint8Array(bytes("snappy"));
    // observation.state's first page header follows the 4-byte magic: overwrite it with bytes no thrift struct starts with
    b.fill(0xff, 4, 24);
    const err = await readParquetTable(b.buffer, ["observation.state"], [], "data/chunk-000/file-000.parquet").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(VlaError);
    expect((err as Error).message).toMatch(/^readParquetTable: data\/chunk-000\/file-000\.parquet could not be decoded \(corrupt or truncated parquet data\)/);
  });
});
