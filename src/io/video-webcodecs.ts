import { fail } from "../core/index.js";
import type { Rgb8Image } from "./png.js";
import { decodeRuns, type DecodedFrame, type VideoDecodeJob, type VideoFrameDecoder } from "./video-decoder.js";
import type { Mp4VideoTrack } from "./video-mp4.js";

/** A run's samples are read in one request when they span at most this many bytes. */
const MAX_SPAN = 64 << 20;

function decoderConfig(track: Mp4VideoTrack): VideoDecoderConfig {
  const cfg: VideoDecoderConfig = { codec: track.codecString!, codedWidth: track.width, codedHeight: track.height };
  // avc3/hev1 carry their parameter sets in band; the others need the configuration record.
  if (track.description && track.fourcc !== "avc3" && track.fourcc !== "hev1") cfg.description = track.description;
  return cfg;
}

/** Packed RGB of a decoded frame: `copyTo` RGBA where the browser converts, else through a 2-D canvas. */
async function toRgb(frame: VideoFrame): Promise<Rgb8Image> {
  const width = frame.displayWidth;
  const height = frame.displayHeight;
  const rgba = new Uint8Array(width * height * 4);
  try {
    await frame.copyTo(rgba, { format: "RGBA", colorSpace: "srgb" } as VideoFrameCopyToOptions);
  } catch {
    // Browsers without RGBA conversion in copyTo (Chrome < 127, Firefox < 130) draw the frame instead.
    const canvas = new OffscreenCanvas(width, height);
    const ctx = canvas.getContext("2d");
    if (!ctx) throw new Error("webCodecsDecoder: no 2-D canvas context to convert a video frame");
    ctx.drawImage(frame, 0, 0);
    rgba.set(ctx.getImageData(0, 0, width, height).data);
  }
  const data = new Uint8Array(width * height * 3);
  for (let p = 0, s = 0, d = 0; p < width * height; p++, s += 4, d += 3) {
    data[d] = rgba[s];
    data[d + 1] = rgba[s + 1];
    data[d + 2] = rgba[s + 2];
  }
  return { data, width, height, channels: 3 };
}

/**
 * The browser's video decoder (WebCodecs `VideoDecoder`; also in workers). Per run of wanted frames it feeds the
 * coded samples from the key frame before the first one, in decode order, up to the last one, then flushes;
 * decoded frames that were not asked for are closed at once, and feeding waits while frames are queued, so memory
 * holds a few frames. H.264, HEVC, VP9 and AV1 work where the browser supports them (`check` asks
 * `VideoDecoder.isConfigSupported`); MPEG-4 part 2 (`mp4v`) has no WebCodecs codec string and is reported as
 * unsupported. RGB comes from the browser's own YUV→RGB conversion, so it can differ from ffmpeg/PyAV by a few
 * levels per channel (colour matrix and rounding are the browser's).
 */
export function webCodecsDecoder(): VideoFrameDecoder {
  const self: VideoFrameDecoder = {
    name: "WebCodecs",
    async check(track, fileName) {
      if (typeof VideoDecoder !== "function") return { ok: false, reason: "no-decoder", message: `${fileName}: WebCodecs (VideoDecoder) is not available in this runtime` };
      if (!track.codecString) {
        return {
          ok: false,
          reason: "unsupported-codec",
          message: `${fileName}: codec ${track.fourcc} cannot be decoded with WebCodecs (no codec string for it; MPEG-4 part 2 is not supported by browsers): re-encode to H.264 or AV1, or decode in Node with ffmpeg`,
        };
      }
      const support = await VideoDecoder.isConfigSupported(decoderConfig(track)).catch(() => ({ supported: false }));
      if (!support.supported) return { ok: false, reason: "unsupported-codec", message: `${fileName}: codec ${track.codecString} (${track.width}x${track.height}) is not supported by this browser's WebCodecs` };
      return { ok: true, decoder: `WebCodecs (${track.codecString})` };
    },
    async *decode(job) {
      const c = await self.check(job.track, job.file.name);
      if (!c.ok) fail("webCodecsDecoder.decode", "file", c.message);
      for (const r of decodeRuns(job.track, job.frames)) yield* decodeRun(job, r.frames);
    },
  };
  return self;
}

async function* decodeRun(job: VideoDecodeJob, frames: readonly number[]): AsyncGenerator<DecodedFrame> {
  const { track, file } = job;
  const decodeIndex = (p: number) => track.presentation[p];
  const firstSample = decodeIndex(frames[0]);
  let start = firstSample;
  while (start > 0 && !track.samples[start].key) start--;
  const end = Math.max(...frames.map(decodeIndex));
  const presentationOf = new Map<number, number>(track.presentation.map((s, p) => [s, p]));
  const wanted = new Set(frames);
  const queue: VideoFrame[] = [];
  let failure: Error | null = null;
  let wake: (() => void) | null = null;
  const notify = () => {
    wake?.();
    wake = null;
  };
  const decoder = new VideoDecoder({
    output: (f) => {
      if (wanted.has(f.timestamp)) queue.push(f);
      else f.close();
      notify();
    },
    error: (e) => {
      failure = e instanceof Error ? e : new Error(String(e));
      notify();
    },
  });
  const failed = (): never => fail("webCodecsDecoder.decode", "file", `${file.name}: decoding failed near frame ${frames[0]}: ${failure!.message}`);
  const samples = track.samples.slice(start, end + 1);
  const lo = Math.min(...samples.map((s) => s.offset));
  const hi = Math.max(...samples.map((s) => s.offset + s.size));
  const span = hi - lo <= MAX_SPAN ? await file.read(lo, hi - lo) : null;
  let emitted = 0;
  try {
    decoder.configure(decoderConfig(track));
    async function* drain(): AsyncGenerator<DecodedFrame> {
      while (queue.length) {
        const f = queue.shift()!;
        try {
          const index = f.timestamp;
          emitted++;
          yield { index, pts: track.samples[track.presentation[index]].pts, image: await toRgb(f) };
        } finally {
          f.close();
        }
      }
    }
    for (let s = start; s <= end; s++) {
      const smp = track.samples[s];
      const data = span ? span.subarray(smp.offset - lo, smp.offset - lo + smp.size) : await file.read(smp.offset, smp.size);
      if (data.length !== smp.size) fail("webCodecsDecoder.decode", "file", `${file.name} is truncated: frame data at byte ${smp.offset} ends early`);
      decoder.decode(new EncodedVideoChunk({ type: smp.key ? "key" : "delta", timestamp: presentationOf.get(s) ?? -1, data }));
      while (!failure && decoder.decodeQueueSize > 8) await new Promise<void>((r) => ((wake = r), setTimeout(r, 50)));
      if (failure) failed();
      yield* drain();
    }
    await decoder.flush().catch((e: unknown) => {
      failure ??= e instanceof Error ? e : new Error(String(e));
    });
    if (failure) failed();
    yield* drain();
    if (emitted < frames.length) fail("webCodecsDecoder.decode", "file", `${file.name}: the decoder returned ${emitted} of the ${frames.length} frames asked for (${frames[0]}..${frames[frames.length - 1]})`);
  } finally {
    for (const f of queue) f.close();
    if (decoder.state !== "closed") decoder.close();
  }
}
