import { cpSync, mkdirSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { LeRobotDataset, memorySource } from "../../src/io/index.js";
import { fixturePath, missingFixtures } from "../fixtures.js";
import { encodeSynth, missingFfmpeg, synthNumber } from "./video-synth.js";

// A real v3 dataset's metadata (so101-orange-cube: 4 episodes of 373/374/372/373 frames in one data file, one video
// file per camera cut by from_timestamp/to_timestamp) with synthetic videos whose frames show their own number,
// so every decoded frame says where in the shared file it came from.
const skip = missingFfmpeg("v3 multi-episode video cuts") || missingFixtures("v3 multi-episode video cuts", "real", "so101-orange-cube");

function makeDataset(): string {
  const dir = mkdtempSync(join(tmpdir(), "vla-v3-video-"));
  cpSync(fixturePath("real", "so101-orange-cube"), dir, { recursive: true });
  const total = 373 + 374 + 372 + 373;
  mkdirSync(join(dir, "videos", "observation.images.front", "chunk-000"), { recursive: true });
  mkdirSync(join(dir, "videos", "observation.images.top", "chunk-000"), { recursive: true });
  // H.264 with B-frames (reordered: ctts + an edit list) and AV1.
  encodeSynth(join(dir, "videos", "observation.images.front", "chunk-000", "file-000.mp4"), total, 30, ["-c:v", "libx264", "-bf", "3", "-g", "45", "-preset", "ultrafast"]);
  encodeSynth(join(dir, "videos", "observation.images.top", "chunk-000", "file-000.mp4"), total, 30, ["-c:v", "libsvtav1", "-g", "60", "-preset", "12"]);
  return dir;
}

describe.skipIf(skip)("v3 multi-episode video files", () => {
  const dir = skip ? "" : makeDataset();
  const starts = [0, 373, 747, 1119];

  it("cuts each episode at its from_timestamp: frame i of episode e is file frame start_e + i", async () => {
    const ds = await LeRobotDataset.open(dir);
    const eps = await ds.loadEpisodes();
    for (const key of ["observation.images.front", "observation.images.top"]) {
      for (const ep of eps) {
        const want = [0, 1, 2, ep.length - 2, ep.length - 1];
        const got: number[] = [];
        for (const i of want) for await (const f of ds.frames(ep, key, { from: i, to: i + 1 })) got.push(synthNumber(f.image.data));
        expect(got, `${key} episode ${ep.episodeIndex}`).toEqual(want.map((i) => starts[ep.episodeIndex] + i));
      }
    }
    expect(ds.warnings).toEqual([]);
  });

  it("a whole episode streams in order across B-frame reordering, with step", async () => {
    const ds = await LeRobotDataset.open(dir);
    const ep = await ds.episode(2);
    const seen: number[] = [];
    for await (const f of ds.frames(ep, "observation.images.front")) {
      expect(synthNumber(f.image.data)).toBe(747 + f.frameIndex);
      seen.push(f.frameIndex);
    }
    expect(seen).toEqual(Array.from({ length: 372 }, (_, i) => i));
    const stepped: number[] = [];
    for await (const f of ds.frames(ep, "observation.images.top", { from: 5, to: 100, step: 7 })) stepped.push(synthNumber(f.image.data) - 747);
    expect(stepped).toEqual(Array.from({ length: 14 }, (_, k) => 5 + 7 * k));
  });

  it("reads the same frames from an in-memory source (the browser's way in: ranged reads, temp copy for ffmpeg)", async () => {
    const rel = ["meta/info.json", "meta/stats.json", "meta/episodes/chunk-000/file-000.parquet", "data/chunk-000/file-000.parquet", "videos/observation.images.top/chunk-000/file-000.mp4"];
    const files = Object.fromEntries(rel.map((p) => [p, new Uint8Array(readFileSync(join(dir, p)))]));
    const ds = await LeRobotDataset.open(memorySource(files, "mem"));
    const got: number[] = [];
    for await (const f of ds.frames(3, "observation.images.top", { from: 370, to: 373 })) got.push(synthNumber(f.image.data));
    expect(got).toEqual([1119 + 370, 1119 + 371, 1119 + 372]);
  });

  it("stopping early ends the decoder (no hang, no leftover process)", async () => {
    const ds = await LeRobotDataset.open(dir);
    let n = 0;
    for await (const f of ds.frames(0, "observation.images.front")) {
      expect(synthNumber(f.image.data)).toBe(f.frameIndex);
      if (++n === 3) break;
    }
    expect(n).toBe(3);
  });
});
