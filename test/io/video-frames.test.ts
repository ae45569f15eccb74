import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { Rng } from "../../src/core/index.js";
import { LeRobotDataset, readPng, type FrameOptions } from "../../src/io/index.js";
import { fixturePath, missingFixtures } from "../fixtures.js";
import { missingFfmpeg } from "./video-synth.js";

const skip = missingFfmpeg("LeRobot video frames vs PyAV PNGs") || missingFixtures("LeRobot video frames vs PyAV PNGs", "real");

/**
 * The fixture PNGs were decoded by PyAV (`frame.to_ndarray(format="rgb24")`, libdav1d for AV1, ffmpeg's mpeg4
 * decoder) on x86-64. The conversion there is swscale's unscaled yuv420p → rgb24 path: BT.601 matrix (the
 * streams are untagged), limited-range input, chroma not interpolated, computed by swscale's x86 SIMD kernel.
 * The ffmpeg decoder asks for the same (bilinear flags, the frame's own matrix and range), so the bytes must be
 * identical: tolerance 0 on x86-64. On other CPUs swscale runs its C kernel, which rounds differently (measured
 * here with `-cpuflags 0`: at most 3 levels per channel), so there the test allows 3.
 */
const TOLERANCE = process.arch === "x64" ? 0 : 3;

const CASES = [
  { name: "g1-inspire-bottle", episode: 1, key: "observation.images.cam_high", prefix: "ep1_cam_high_", opts: {} },
  { name: "lingzu-open50", episode: 0, key: "image", prefix: "ep0_image_", opts: {} },
  // Wall-clock parquet timestamps (dt 50-58 ms) on a 20 fps video: frames are placed by frame index.
  { name: "so101-bimanual-cloth", episode: 1, key: "observation.images.cam0", prefix: "ep1_cam0_", opts: { timing: "frame-index" } },
] as const;

function maxDiff(a: Uint8Array, b: Uint8Array): number {
  let m = a.length === b.length ? 0 : 255;
  for (let i = 0; i < Math.min(a.length, b.length); i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/** Frame `n` decoded by plain ffmpeg from the start of the file (no seeking, ffmpeg's own frame counter). */
function sequentialFrame(file: string, n: number): Uint8Array {
  const r = spawnSync("ffmpeg", ["-v", "error", "-i", file, "-vf", `select=eq(n\\,${n})`, "-fps_mode", "passthrough", "-frames:v", "1", "-pix_fmt", "rgb24", "-f", "rawvideo", "-"], { maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`ffmpeg failed: ${r.stderr}`);
  return new Uint8Array(r.stdout);
}

describe.skipIf(skip)("LeRobotDataset.frames on the real fixture videos", () => {
  for (const c of CASES) {
    it(`${c.name}: every PyAV PNG, byte for byte (tolerance ${TOLERANCE})`, async () => {
      const ds = await LeRobotDataset.open(fixturePath("real", c.name), { onWarning: () => {} });
      const ep = await ds.episode(c.episode);
      const dir = fixturePath("real", c.name, "frames");
      const pngs = readdirSync(dir).filter((f) => f.startsWith(c.prefix)).sort();
      const indices = pngs.map((f) => Number(f.slice(c.prefix.length, -4)));
      expect(indices.length).toBeGreaterThan(10);
      // Two runs: the first few frames, then the later block (decoded after a seek).
      const split = indices.findIndex((i, k) => k > 0 && i !== indices[k - 1] + 1);
      const runs = [indices.slice(0, split), indices.slice(split)];
      let checked = 0;
      for (const run of runs) {
        const opts: FrameOptions = { ...c.opts, from: run[0], to: run[run.length - 1] + 1 };
        for await (const f of ds.frames(ep, c.key, opts)) {
          const png = await readPng(join(dir, `${c.prefix}${String(f.frameIndex).padStart(6, "0")}.png`));
          expect([f.image.width, f.image.height]).toEqual([png.width, png.height]);
          expect(maxDiff(f.image.data, png.data), `${c.name} frame ${f.frameIndex}`).toBeLessThanOrEqual(TOLERANCE);
          expect(f.videoFrame).toBe(f.frameIndex);
          checked++;
        }
      }
      expect(checked).toBe(indices.length);
    });

    it(`${c.name}: seeking to unseen frames gives what a sequential decode gives`, async () => {
      const ds = await LeRobotDataset.open(fixturePath("real", c.name), { onWarning: () => {} });
      const ep = await ds.episode(c.episode);
      const info = await ds.videoInfo(c.episode, c.key);
      if (!info.ok) throw new Error(info.message);
      const file = join(fixturePath("real", c.name), info.info.location.path);
      const rng = new Rng(c.name.length);
      const picks = Array.from({ length: 3 }, () => Math.floor(rng.uniform() * ep.length)).sort((a, b) => a - b);
      picks.push(ep.length - 1);
      for (const i of picks) {
        const got: Uint8Array[] = [];
        for await (const f of ds.frames(ep, c.key, { ...c.opts, from: i, to: i + 1 })) got.push(f.image.data);
        expect(got.length).toBe(1);
        expect(maxDiff(got[0], sequentialFrame(file, i)), `${c.name} frame ${i}`).toBe(0);
      }
    });
  }

  it("step > 1 yields every step-th frame, the same pixels as step 1", async () => {
    const ds = await LeRobotDataset.open(fixturePath("real", "g1-inspire-bottle"), { onWarning: () => {} });
    const ep = await ds.episode(1);
    const all: Uint8Array[] = [];
    for await (const f of ds.frames(ep, "observation.images.cam_high", { from: 190, to: 200 })) all.push(f.image.data);
    const stepped: number[] = [];
    for await (const f of ds.frames(1, "observation.images.cam_high", { from: 190, to: 200, step: 3 })) {
      stepped.push(f.frameIndex);
      expect(maxDiff(f.image.data, all[f.frameIndex - 190])).toBe(0);
    }
    expect(stepped).toEqual([190, 193, 196, 199]);
  });

  it("timestamps off the video grid are an error naming the file and the way out", async () => {
    const ds = await LeRobotDataset.open(fixturePath("real", "so101-bimanual-cloth"), { onWarning: () => {} });
    const it = ds.frames(1, "observation.images.cam0", { from: 100, to: 101 });
    await expect(it.next()).rejects.toThrow(/episode_000001\.mp4\): its timestamp 5\.41\d* s .* from the nearest video frame .*timing: "frame-index"/);
  });
});

const MINI = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "examples", "data", "g1-mini");

describe.skipIf(missingFfmpeg("frames of the shipped g1-mini dataset"))("the shipped one-second G1 dataset (examples/data/g1-mini, no ../shared needed)", () => {
  it("opens without warnings and gives its 30 AV1 frames, equal to a sequential decode", async () => {
    const ds = await LeRobotDataset.open(MINI);
    expect(ds.cameraKeys).toEqual(["observation.images.cam_high"]);
    const info = await ds.videoInfo(1, "observation.images.cam_high");
    expect(info).toMatchObject({ ok: true, info: { codec: "av01", width: 640, height: 480, fileFrames: 30 } });
    const file = join(MINI, "videos", "chunk-000", "observation.images.cam_high", "episode_000001.mp4");
    const seen: number[] = [];
    for await (const f of ds.frames(1, "observation.images.cam_high")) {
      seen.push(f.frameIndex);
      if (f.frameIndex === 0 || f.frameIndex === 17 || f.frameIndex === 29) expect(maxDiff(f.image.data, sequentialFrame(file, f.frameIndex)), `frame ${f.frameIndex}`).toBe(0);
    }
    expect(seen).toEqual(Array.from({ length: 30 }, (_, i) => i));
    expect(ds.warnings).toEqual([]);
  });
});
