import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { bytesSource, readMp4Track, webCodecsDecoder, type Mp4VideoTrack } from "../../src/io/index.js";
import { encodeSynth, missingFfmpeg } from "./video-synth.js";

/**
 * The WebCodecs back end, run in Node against a stand-in `VideoDecoder` that behaves like the browser's where it
 * matters here: it must be configured with the track's codec string and description, must start at a key chunk,
 * holds up to 3 frames for reordering and emits them in presentation order (all of them on flush). Each emitted
 * frame's pixels carry the chunk timestamp, so the test sees which coded frame became which output frame.
 * (Real browser decoding is covered where Chromium is installed; see docs/io.md.)
 */
interface FakeChunk {
  type: "key" | "delta";
  timestamp: number;
  data: Uint8Array;
}

class FakeFrame {
  constructor(
    readonly timestamp: number,
    readonly displayWidth = 4,
    readonly displayHeight = 2,
  ) {}
  closed = false;
  async copyTo(buf: Uint8Array): Promise<void> {
    for (let i = 0; i < buf.length; i += 4) buf.set([this.timestamp & 255, (this.timestamp >> 8) & 255, 7, 255], i);
  }
  close(): void {
    this.closed = true;
  }
}

const log = { configs: [] as unknown[], chunks: [] as FakeChunk[], frames: [] as FakeFrame[] };

class FakeDecoder {
  state = "unconfigured";
  decodeQueueSize = 0;
  private held: FakeFrame[] = [];
  constructor(private readonly init: { output: (f: FakeFrame) => void; error: (e: Error) => void }) {}
  static async isConfigSupported(cfg: { codec: string }) {
    return { supported: /^(avc1|av01)\./.test(cfg.codec) };
  }
  configure(cfg: unknown) {
    log.configs.push(cfg);
    this.state = "configured";
  }
  decode(c: FakeChunk) {
    if (this.held.length === 0 && log.chunks.length === 0 && c.type !== "key") this.init.error(new Error("first chunk must be a key frame"));
    log.chunks.push(c);
    const f = new FakeFrame(c.timestamp);
    log.frames.push(f);
    this.held.push(f);
    this.held.sort((a, b) => a.timestamp - b.timestamp);
    while (this.held.length > 3) this.init.output(this.held.shift()!);
  }
  async flush() {
    while (this.held.length) this.init.output(this.held.shift()!);
  }
  close() {
    this.state = "closed";
  }
}

const g = globalThis as Record<string, unknown>;
function install() {
  log.configs = [];
  log.chunks = [];
  log.frames = [];
  g.VideoDecoder = FakeDecoder;
  g.EncodedVideoChunk = class {
    constructor(init: FakeChunk) {
      return init;
    }
  };
}
afterEach(() => {
  delete g.VideoDecoder;
  delete g.EncodedVideoChunk;
});

const noFfmpeg = missingFfmpeg("webCodecsDecoder with a stand-in VideoDecoder (needs ffmpeg to make the test files)");
const tmp = mkdtempSync(join(tmpdir(), "vla-webcodecs-"));

async function track(name: string, args: string[]): Promise<{ t: Mp4VideoTrack; bytes: Uint8Array }> {
  const file = join(tmp, name);
  encodeSynth(file, 90, 30, args);
  const bytes = new Uint8Array(readFileSync(file));
  const r = await readMp4Track(bytesSource(bytes, name));
  if (!r.ok) throw new Error(r.message);
  return { t: r.track, bytes };
}

describe.skipIf(noFfmpeg)("webCodecsDecoder (stand-in VideoDecoder)", () => {
  it("configures with the avcC codec string and description, starts at the key frame, returns the asked frames", async () => {
    const { t, bytes } = await track("b.mp4", ["-c:v", "libx264", "-bf", "3", "-g", "30"]);
    expect(t.codecString).toMatch(/^avc1\.[0-9a-f]{6}$/);
    install();
    const dec = webCodecsDecoder();
    expect(await dec.check(t, "b.mp4")).toMatchObject({ ok: true, decoder: `WebCodecs (${t.codecString})` });
    const frames = [40, 41, 44, 58];
    const got = [];
    for await (const f of dec.decode({ file: bytesSource(bytes, "b.mp4"), track: t, frames })) got.push(f);
    expect(got.map((f) => f.index)).toEqual(frames);
    // the pixel carries the chunk timestamp, which is the presentation index of the coded frame
    expect(got.map((f) => f.image.data[0] | (f.image.data[1] << 8))).toEqual(frames);
    expect(got.map((f) => f.pts)).toEqual(frames.map((p) => t.samples[t.presentation[p]].pts));
    expect(got[0].image).toMatchObject({ width: 4, height: 2, channels: 3 });
    const cfg = log.configs[0] as { codec: string; description: Uint8Array; codedWidth: number };
    expect(cfg.codec).toBe(t.codecString);
    expect(cfg.description).toEqual(t.description);
    expect(cfg.codedWidth).toBe(64);
    expect(log.chunks[0].type).toBe("key");
    expect(log.chunks[0].timestamp).toBe(30); // the key frame at presentation 30 (GOP of 30) precedes frame 40
    expect(log.frames.every((f) => f.closed)).toBe(true); // every frame closed, wanted or not
  });

  it("MPEG-4 part 2 is reported as unsupported, naming the file", async () => {
    const { t } = await track("m.mp4", ["-c:v", "mpeg4"]);
    install();
    const c = await webCodecsDecoder().check(t, "videos/cam/episode_000001.mp4");
    expect(c).toMatchObject({ ok: false, reason: "unsupported-codec" });
    expect(c.ok ? "" : c.message).toMatch(/^videos\/cam\/episode_000001\.mp4: codec mp4v cannot be decoded with WebCodecs/);
  });

  it("without WebCodecs in the runtime, check says so", async () => {
    const { t } = await track("a.mp4", ["-c:v", "libx264"]);
    const c = await webCodecsDecoder().check(t, "a.mp4");
    expect(c).toMatchObject({ ok: false, reason: "no-decoder" });
  });
});
