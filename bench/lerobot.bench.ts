import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { measure, report, type BenchRow } from "./lib.js";
import { LeRobotDataset, memorySource, datasetChunks } from "../src/io/index.js";
import { readParquetTable } from "../src/io/lerobot-parquet.js";
import { percentileStats } from "../src/normalize/index.js";

const FIXTURES = process.env.VLA_FIXTURES ?? resolve(dirname(fileURLToPath(import.meta.url)), "..", "..", "shared", "fixtures");

/** LeRobot reading: parquet decode (hyparquet), whole-dataset load, percentile stats, chunking. */
export async function run(): Promise<void> {
  const rows: BenchRow[] = [];
  const so101 = join(FIXTURES, "real", "so101-orange-cube");
  const piper = join(FIXTURES, "real", "piper-grape");
  const bytes = readFileSync(join(so101, "data", "chunk-000", "file-000.parquet"));
  const buf = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
  rows.push(
    await measure("parquet decode so101 (1492 rows, 2x6 float lists)", "frame", () => readParquetTable(buf, ["observation.state", "action"], ["timestamp", "frame_index", "episode_index"], "bench"), {
      opsPerCall: 1492,
      extra: { fileKB: Math.round(bytes.byteLength / 1024) },
    }),
  );
  const mem = memorySource({ "meta/info.json": readFileSync(join(so101, "meta", "info.json")), "meta/stats.json": readFileSync(join(so101, "meta", "stats.json")), "data/chunk-000/file-000.parquet": bytes });
  rows.push(await measure("open + load so101 from memory (4 episodes)", "frame", async () => (await LeRobotDataset.open(mem)).loadEpisodes(), { opsPerCall: 1492 }));
  rows.push(await measure("open + load piper from disk (8 episodes)", "frame", async () => (await LeRobotDataset.open(piper)).loadEpisodes(), { opsPerCall: 2211 }));
  const eps = await (await LeRobotDataset.open(piper)).loadEpisodes();
  rows.push(await measure("percentileStats piper action (2211x6)", "frame", () => percentileStats(eps, "action"), { opsPerCall: 2211 }));
  rows.push(await measure("datasetChunks piper 1 s, stride 1", "frame", () => datasetChunks(eps, { stride: 1 }), { opsPerCall: 2211 }));
  report("lerobot", rows, { fixtures: FIXTURES });
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
