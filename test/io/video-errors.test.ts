import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ndView } from "../../src/core/index.js";
import { bytesSource, ffmpegDecoder, LeRobotDataset, memorySource, readMp4Track, type LeRobotEpisode } from "../../src/io/index.js";
import { encodeSynth, missingFfmpeg, synthNumber } from "./video-synth.js";

const noFfmpeg = missingFfmpeg("video errors with real encoded files");
const tmp = mkdtempSync(join(tmpdir(), "vla-video-err-"));

function synth(name: string, args: string[], count = 40): Uint8Array {
  const file = join(tmp, name);
  encodeSynth(file, count, 20, args);
  return new Uint8Array(readFileSync(file));
}

/** Replace the first occurrence of a four-character code after the `stsd` box starts (the sample entry type). */
function patchFourcc(bytes: Uint8Array, from: string, to: string): Uint8Array {
  const out = bytes.slice();
  const f = [...from].map((c) => c.charCodeAt(0));
  const stsd = Buffer.from(out).indexOf("stsd");
  for (let i = stsd; i + 4 <= out.length; i++) {
    if (f.every((b, k) => out[i + k] === b)) {
      out.set([...to].map((c) => c.charCodeAt(0)), i);
      return out;
    }
  }
  throw new Error(`${from} not found`);
}

/** A one-camera v2.1 dataset in memory (info.json, a placeholder data file, the mp4) and a matching episode. */
function dataset(video: Uint8Array, frames: number): { open: () => Promise<LeRobotDataset>; ep: LeRobotEpisode } {
  const info = {
    codebase_version: "v2.1",
    fps: 20,
    total_episodes: 1,
    video_path: "videos/chunk-{episode_chunk:03d}/{video_key}/episode_{episode_index:06d}.mp4",
    features: { "observation.state": { dtype: "float32", shape: [1] }, action: { dtype: "float32", shape: [1] }, cam: { dtype: "video", shape: [64, 64, 3] } },
  };
  const files = { "meta/info.json": JSON.stringify(info), "data/chunk-000/episode_000000.parquet": "unused", "videos/chunk-000/cam/episode_000000.mp4": video };
  const frameIndex = Float64Array.from({ length: frames }, (_, i) => i);
  const ep: LeRobotEpisode = {
    episodeIndex: 0,
    fps: 20,
    length: frames,
    timestamps: frameIndex.map((i) => i / 20),
    frameIndex,
    state: ndView(new Float64Array(frames), [frames, 1]),
    action: ndView(new Float64Array(frames), [frames, 1]),
    names: { state: null, action: null },
    keys: { state: "observation.state", action: "action" },
  };
  return { open: () => LeRobotDataset.open(memorySource(files, "mem")), ep };
}

describe("MP4 reader: bad files are values that name the file (no ffmpeg needed)", () => {
  it("not an mp4, and an mp4 without its moov box", async () => {
    const r = await readMp4Track(bytesSource(new TextEncoder().encode("hello, this is not a video file at all"), "x.mp4"));
    expect(r).toMatchObject({ ok: false, reason: "not-mp4" });
    expect(r.ok ? "" : r.message).toMatch(/^x\.mp4 is not an MP4 file/);
    const ftypOnly = new Uint8Array([0, 0, 0, 16, ...[..."ftypisom"].map((c) => c.charCodeAt(0)), 0, 0, 2, 0]);
    const t = await readMp4Track(bytesSource(ftypOnly, "rec.mp4"));
    expect(t).toMatchObject({ ok: false, reason: "truncated" });
    expect(t.ok ? "" : t.message).toMatch(/rec\.mp4 has no "moov" box/);
  });
});

describe.skipIf(noFfmpeg)("video errors with real encoded files", () => {
  it("a file cut short (moov first): truncated, naming the file and the first missing frame", async () => {
    const fast = synth("fast.mp4", ["-c:v", "libx264", "-movflags", "+faststart"]);
    const cut = fast.subarray(0, Math.floor(fast.length * 0.6));
    const r = await readMp4Track(bytesSource(cut, "cam/episode_000007.mp4"));
    expect(r).toMatchObject({ ok: false, reason: "truncated" });
    expect(r.ok ? "" : r.message).toMatch(/^cam\/episode_000007\.mp4 is truncated: \d+ bytes, but frame \d+ of 40 lies at bytes/);
  });

  it("a file cut short (mdat first, as ffmpeg writes by default): truncated", async () => {
    const plain = synth("plain.mp4", ["-c:v", "libx264"]);
    const r = await readMp4Track(bytesSource(plain.subarray(0, plain.length - 100), "e.mp4"));
    expect(r).toMatchObject({ ok: false, reason: "truncated" });
    expect(r.ok ? "" : r.message).toMatch(/e\.mp4 is truncated: its "moov" box at byte \d+ needs \d+ bytes/);
  });

  it("through the dataset: videoInfo says truncated, frames() throws naming the file", async () => {
    const plain = synth("plain2.mp4", ["-c:v", "libx264"]);
    const { open, ep } = dataset(plain.subarray(0, plain.length - 100), 40);
    const ds = await open();
    const info = await ds.videoInfo(0, "cam");
    expect(info).toMatchObject({ ok: false, reason: "truncated" });
    await expect(ds.frames(ep, "cam").next()).rejects.toThrow(/LeRobotDataset\.frames: file mem\/videos\/chunk-000\/cam\/episode_000000\.mp4 is truncated/);
  });

  it("an unsupported codec: a value from videoInfo, an error from frames(), both naming the file and codec", async () => {
    const odd = patchFourcc(synth("odd.mp4", ["-c:v", "libx264"]), "avc1", "zzz1");
    const { open, ep } = dataset(odd, 40);
    const ds = await open();
    const info = await ds.videoInfo(0, "cam");
    expect(info).toMatchObject({ ok: false, reason: "unsupported-codec" });
    expect(info.ok ? "" : info.message).toMatch(/mem\/videos\/chunk-000\/cam\/episode_000000\.mp4: codec zzz1 is not supported by ffmpeg/);
    await expect(ds.frames(ep, "cam").next()).rejects.toThrow(/episode_000000\.mp4: codec zzz1 is not supported/);
  });

  it("a missing ffmpeg binary says how to install it", async () => {
    const t = await readMp4Track(bytesSource(synth("ok.mp4", ["-c:v", "libx264"]), "ok.mp4"));
    if (!t.ok) throw new Error(t.message);
    const c = await ffmpegDecoder({ ffmpegPath: join(tmp, "no-such-ffmpeg") }).check(t.track, "ok.mp4");
    expect(c).toMatchObject({ ok: false, reason: "no-decoder" });
    expect(c.ok ? "" : c.message).toMatch(/was not found; install it with `bash scripts\/setup-video\.sh`/);
  });

  it("a missing video file, a bad camera key and bad ranges name what is wrong", async () => {
    const { open, ep } = dataset(synth("ok2.mp4", ["-c:v", "libx264"]), 40);
    const ds = await open();
    await expect(ds.frames(ep, "wrist").next()).rejects.toThrow(/cameraKey must be one of the dataset's video features "cam"; got "wrist"/);
    await expect(ds.frames(ep, "cam", { from: 5, to: 2 }).next()).rejects.toThrow(/LeRobotDataset\.frames: to must be an integer in \[5, 40\]; got 2/);
    await expect(ds.frames(ep, "cam", { step: 0 }).next()).rejects.toThrow(/step must be an integer >= 1/);
    const other = { ...ep, episodeIndex: 3 };
    await expect(ds.frames(other, "cam").next()).rejects.toThrow(/mem\/videos\/chunk-000\/cam\/episode_000003\.mp4 does not exist \(episode 3, camera "cam"/);
    const got: number[] = [];
    for await (const f of ds.frames(ep, "cam", { from: 37 })) got.push(synthNumber(f.image.data));
    expect(got).toEqual([37, 38, 39]);
  });
});
