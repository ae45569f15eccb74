import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { bytesSource, readMp4Track, type Mp4VideoTrack } from "../../src/io/index.js";
import { decodeRuns } from "../../src/io/video-decoder.js";
import { fixturePath, missingFixtures } from "../fixtures.js";
import { encodeSynth, missingFfmpeg } from "./video-synth.js";

const noFfmpeg = missingFfmpeg("MP4 sample tables vs ffprobe");
const tmp = mkdtempSync(join(tmpdir(), "vla-mp4-"));

/** ffprobe's packet table (decode order): the reference for the sample table. */
function ffprobePackets(file: string): { pts: number; dts: number; size: number; pos: number; key: boolean }[] {
  const r = spawnSync("ffprobe", ["-v", "error", "-select_streams", "v:0", "-show_entries", "packet=pts,dts,size,pos,flags", "-of", "csv=p=0", file], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(r.stderr);
  return r.stdout.trim().split("\n").map((l) => {
    const [pts, dts, size, pos, flags] = l.split(",");
    return { pts: Number(pts), dts: Number(dts), size: Number(size), pos: Number(pos), key: flags.startsWith("K") };
  });
}

async function track(file: string): Promise<Mp4VideoTrack> {
  const r = await readMp4Track(bytesSource(new Uint8Array(readFileSync(file)), file));
  if (!r.ok) throw new Error(r.message);
  return r.track;
}

describe.skipIf(noFfmpeg)("MP4 sample tables equal ffprobe's packets", () => {
  const files = [
    ["h264 with B-frames (ctts + edit list)", ["-c:v", "libx264", "-bf", "3", "-g", "25"]],
    ["AV1 (libsvtav1)", ["-c:v", "libsvtav1", "-g", "30", "-preset", "12"]],
    ["MPEG-4 part 2 with B-frames", ["-c:v", "mpeg4", "-bf", "2", "-g", "12"]],
  ] as const;
  for (const [name, args] of files) {
    it(name, async () => {
      const file = join(tmp, `${name.split(" ")[0]}.mp4`);
      encodeSynth(file, 75, 25, [...args]);
      const t = await track(file);
      const ref = ffprobePackets(file);
      expect(t.samples.map((s) => ({ pts: s.pts, dts: s.dts, size: s.size, pos: s.offset, key: s.key }))).toEqual(ref);
      expect(t.presentation.length).toBe(75);
      for (let i = 1; i < t.times.length; i++) expect(t.times[i]).toBeGreaterThan(t.times[i - 1]);
      expect(t.times[0]).toBe(0);
      expect(t.times[74]).toBeCloseTo(74 / 25, 9);
    });
  }

  it.skipIf(missingFixtures("MP4 tables of the real fixture videos", "real"))("the real fixture files too (AV1 and mpeg4 from LeRobot recorders)", async () => {
    for (const rel of ["g1-inspire-bottle/videos/chunk-000/observation.images.cam_high/episode_000001.mp4", "lingzu-open50/video/image/chunk-000/file-000.mp4"]) {
      const file = fixturePath("real", ...rel.split("/"));
      const t = await track(file);
      expect(t.samples.map((s) => ({ pts: s.pts, dts: s.dts, size: s.size, pos: s.offset, key: s.key })), rel).toEqual(ffprobePackets(file));
    }
  });
});

/** A track with `n` frames in presentation = decode order and a key frame every `gop`. */
function fakeTrack(n: number, gop: number): Mp4VideoTrack {
  const samples = Array.from({ length: n }, (_, i) => ({ offset: i * 10, size: 10, dts: i, pts: i, key: i % gop === 0 }));
  return { fourcc: "avc1", codecString: null, objectType: null, description: null, width: 1, height: 1, timescale: 1, samples, presentation: samples.map((_, i) => i), times: Float64Array.from(samples, (_, i) => i) };
}

describe("decodeRuns", () => {
  it("keeps order, covers every wanted frame once, and splits only at a key frame inside a gap > maxGap", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 400 }), fc.integer({ min: 1, max: 80 }), fc.integer({ min: 0, max: 100 }), fc.uniqueArray(fc.integer({ min: 0, max: 399 }), { minLength: 1, maxLength: 60 }), (n, gop, maxGap, raw) => {
        const t = fakeTrack(n, gop);
        const frames = raw.filter((f) => f < n).sort((a, b) => a - b);
        if (frames.length === 0) return;
        const runs = decodeRuns(t, frames, maxGap);
        expect(runs.flatMap((r) => r.frames)).toEqual(frames);
        for (let k = 1; k < runs.length; k++) {
          const prev = runs[k - 1].frames[runs[k - 1].frames.length - 1];
          const next = runs[k].frames[0];
          expect(next - prev).toBeGreaterThan(maxGap);
          expect(Array.from({ length: next - prev }, (_, j) => prev + 1 + j).some((p) => p % gop === 0)).toBe(true);
        }
      }),
      { numRuns: 200 },
    );
  });
});
