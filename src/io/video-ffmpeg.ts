import { fail } from "../core/index.js";
import type { Result } from "../core/index.js";
import { decodeRuns, type DecodedFrame, type DecoderFailure, type VideoDecodeJob, type VideoFrameDecoder } from "./video-decoder.js";
import type { Mp4VideoTrack } from "./video-mp4.js";

/** Options of {@link ffmpegDecoder}. */
export interface FfmpegDecoderOptions {
  /** The ffmpeg executable; default `$VLA_FFMPEG`, else `ffmpeg` on the PATH. */
  ffmpegPath?: string;
}

interface FfmpegInfo {
  path: string;
  version: string;
  /** `-fps_mode` exists from ffmpeg 5.1 on; older builds take `-vsync`. */
  fpsMode: boolean;
  decoders: Set<string>;
}

const probes = new Map<string, Promise<FfmpegInfo | string>>();

async function run(path: string, args: string[]): Promise<{ code: number | null; out: string; err?: string }> {
  const { spawn } = await import("node:child_process");
  return new Promise((resolve) => {
    let out = "";
    const child = spawn(path, args, { stdio: ["ignore", "pipe", "pipe"] });
    child.stdout.setEncoding("utf8").on("data", (d: string) => (out += d));
    child.stderr.resume();
    child.on("error", (e) => resolve({ code: null, out, err: (e as NodeJS.ErrnoException).code ?? e.message }));
    child.on("close", (code) => resolve({ code, out }));
  });
}

/** Version and decoder list of an ffmpeg binary, or why it cannot be used (cached per path). */
function probe(path: string): Promise<FfmpegInfo | string> {
  let p = probes.get(path);
  if (!p) {
    p = (async () => {
      const v = await run(path, ["-hide_banner", "-version"]);
      if (v.code !== 0) {
        const why = v.err === "ENOENT" ? "was not found" : `could not run (${v.err ?? `exit code ${v.code}`})`;
        return `ffmpeg ${JSON.stringify(path)} ${why}; install it with \`bash scripts/setup-video.sh\` (Debian: apt-get install ffmpeg) or set VLA_FFMPEG`;
      }
      const version = /ffmpeg version (\S+)/.exec(v.out)?.[1] ?? "unknown";
      const m = /^n?(\d+)\.(\d+)/.exec(version);
      const fpsMode = !m || Number(m[1]) > 5 || (Number(m[1]) === 5 && Number(m[2]) >= 1);
      const d = await run(path, ["-hide_banner", "-decoders"]);
      const decoders = new Set<string>();
      for (const line of d.out.split("\n")) {
        const mm = /^ V\S{5} (\S+)/.exec(line);
        if (mm) decoders.add(mm[1]);
      }
      return { path, version, fpsMode, decoders };
    })();
    probes.set(path, p);
  }
  return p;
}

/** ffmpeg decoder names for a track, most preferred first (PyAV's choice: libdav1d for AV1). */
function candidates(track: Mp4VideoTrack): string[] {
  switch (track.fourcc) {
    case "avc1":
    case "avc3":
      return ["h264"];
    case "hvc1":
    case "hev1":
      return ["hevc"];
    case "av01":
      return ["libdav1d", "libaom-av1", "av1"];
    case "vp09":
      return ["vp9", "libvpx-vp9"];
    case "vp08":
      return ["vp8", "libvpx"];
    case "mjpa":
    case "jpeg":
      return ["mjpeg"];
    case "mp4v": {
      const t = track.objectType;
      if (t === 0x20) return ["mpeg4"];
      if (t === 0x6a) return ["mpeg1video"];
      if (t !== null && t >= 0x60 && t <= 0x65) return ["mpeg2video"];
      if (t === 0x6c) return ["mjpeg"];
      return [];
    }
    default:
      return [];
  }
}

function codecLabel(track: Mp4VideoTrack): string {
  return track.fourcc === "mp4v" && track.objectType !== null ? `mp4v (object type 0x${track.objectType.toString(16)})` : track.fourcc;
}

/** Presentation-time pts values reported by showinfo, in order, with waiting readers. */
class PtsQueue {
  private readonly values: number[] = [];
  private waiter: ((v: number | null) => void) | null = null;
  private ended = false;
  push(v: number): void {
    if (this.waiter) {
      const w = this.waiter;
      this.waiter = null;
      w(v);
    } else this.values.push(v);
  }
  end(): void {
    this.ended = true;
    this.waiter?.(null);
    this.waiter = null;
  }
  next(): Promise<number | null> {
    if (this.values.length) return Promise.resolve(this.values.shift()!);
    if (this.ended) return Promise.resolve(null);
    return new Promise((r) => (this.waiter = r));
  }
}

const SHOWINFO = /\[Parsed_showinfo_\d+ @ [^\]]*\] n:\s*\d+ pts:\s*(-?\d+)/;

/**
 * Node's video decoder: Debian's (or any) `ffmpeg` binary in a child process, installed by
 * `scripts/setup-video.sh`. Each run of wanted frames is one process: `-ss` to just before the first frame
 * (ffmpeg seeks to the key frame before it and decodes from there), `-copyts` so timestamps stay the file's,
 * a `select` filter that keeps every `step`-th frame, `showinfo` to report each frame's pts, and a conversion to
 * packed `rgb24` on stdout. The conversion is PyAV's `frame.to_ndarray(format="rgb24")`: swscale with bilinear
 * flags, the frame's colour matrix and range (untagged yuv420p: BT.601, limited range). Frames stream through a
 * pipe with back-pressure, so memory holds about one frame. Every pts is checked against the MP4 sample table,
 * so a frame is never silently off by one.
 */
export function ffmpegDecoder(opts: FfmpegDecoderOptions = {}): VideoFrameDecoder {
  const env = typeof process !== "undefined" ? process.env?.VLA_FFMPEG : undefined;
  const path = opts.ffmpegPath ?? (env && env !== "" ? env : "ffmpeg");
  if (typeof path !== "string" || path === "") fail("ffmpegDecoder", "ffmpegPath", `must be a non-empty path; got ${JSON.stringify(path)}`);
  const choose = async (track: Mp4VideoTrack, fileName: string): Promise<Result<{ info: FfmpegInfo; decoder: string }, DecoderFailure>> => {
    const info = await probe(path);
    if (typeof info === "string") return { ok: false, reason: "no-decoder", message: info };
    const names = candidates(track);
    const decoder = names.find((n) => info.decoders.has(n));
    if (!decoder) {
      const need = names.length ? ` (needs one of the ffmpeg decoders ${names.join(", ")})` : "";
      return { ok: false, reason: "unsupported-codec", message: `${fileName}: codec ${codecLabel(track)} is not supported by ffmpeg ${info.version} at ${JSON.stringify(path)}${need}` };
    }
    return { ok: true, info, decoder };
  };
  return {
    name: `ffmpeg (${path})`,
    async check(track, fileName) {
      const c = await choose(track, fileName);
      return c.ok ? { ok: true, decoder: `ffmpeg ${c.info.version} (${c.decoder})` } : c;
    },
    async *decode(job) {
      const c = await choose(job.track, job.file.name);
      if (!c.ok) fail("ffmpegDecoder.decode", "file", c.message);
      const copy = job.localPath === undefined ? await tempCopy(job) : null;
      const file = job.localPath ?? copy!.path;
      try {
        for (const r of decodeRuns(job.track, job.frames)) yield* decodeRun(c.info, c.decoder, file, job, r.frames);
      } finally {
        await copy?.cleanup();
      }
    },
  };
}

async function tempCopy(job: VideoDecodeJob): Promise<{ path: string; cleanup: () => Promise<void> }> {
  const fs = await import("node:fs/promises");
  const os = await import("node:os");
  const p = await import("node:path");
  const dir = await fs.mkdtemp(p.join(os.tmpdir(), "vla-video-"));
  const file = p.join(dir, "video.mp4");
  await fs.writeFile(file, await job.file.read(0, await job.file.size()));
  return { path: file, cleanup: () => fs.rm(dir, { recursive: true, force: true }) };
}

function selectExpr(frames: readonly number[]): string | null {
  if (frames.length < 2) return null;
  const step = frames[1] - frames[0];
  for (let i = 2; i < frames.length; i++) if (frames[i] - frames[i - 1] !== step) return "";
  return step === 1 ? null : `select=not(mod(n\\,${step}))`;
}

async function* decodeRun(info: FfmpegInfo, decoder: string, file: string, job: VideoDecodeJob, frames: readonly number[]): AsyncGenerator<DecodedFrame> {
  const { spawn } = await import("node:child_process");
  const { track } = job;
  const ticks = (p: number) => track.samples[track.presentation[p]].pts;
  const first = frames[0];
  const last = frames[frames.length - 1];
  // Seek to halfway between the previous frame and the first wanted one: never past it after µs rounding.
  const seek = first === 0 ? null : (ticks(first - 1) + ticks(first)) / 2 / track.timescale;
  const select = selectExpr(frames);
  const count = select === "" ? last - first + 1 : frames.length;
  const filters = [select || null, "showinfo=checksum=0", "scale=flags=bilinear", "format=rgb24"].filter((f): f is string => f !== null);
  const args = [
    "-hide_banner", "-nostdin", "-nostats", "-loglevel", "info",
    ...(seek === null ? [] : ["-ss", seek.toFixed(6)]),
    "-copyts", "-c:v", decoder, "-i", file,
    "-map", "0:v:0", "-vf", filters.join(","),
    ...(info.fpsMode ? ["-fps_mode", "passthrough"] : ["-vsync", "passthrough"]),
    "-frames:v", String(count), "-sws_flags", "bilinear", "-pix_fmt", "rgb24", "-f", "rawvideo", "pipe:1",
  ];
  const child = spawn(info.path, args, { stdio: ["ignore", "pipe", "pipe"] });
  const pts = new PtsQueue();
  const errors: string[] = [];
  let partial = "";
  child.stderr.setEncoding("utf8").on("data", (d: string) => {
    const lines = (partial + d).split("\n");
    partial = lines.pop()!;
    for (const line of lines) {
      const m = SHOWINFO.exec(line);
      if (m) pts.push(Number(m[1]));
      else if (line.trim() && !/^\s*(Input|Output|Stream|Duration|Metadata|  |encoder|Press)/.test(line)) errors.push(line.trim());
    }
  });
  child.stderr.on("end", () => pts.end());
  const exited = new Promise<number | null>((resolve) => {
    child.on("error", () => resolve(null));
    child.on("close", (code) => resolve(code));
  });
  const why = () => (errors.length ? `: ${errors.slice(-3).join(" | ")}` : "");
  const { width, height } = track;
  const size = width * height * 3;
  let buf = new Uint8Array(size);
  let fill = 0;
  let k = 0;
  const wanted = new Set(frames);
  try {
    for await (const chunk of child.stdout as AsyncIterable<Buffer>) {
      for (let off = 0; off < chunk.length; ) {
        const n = Math.min(size - fill, chunk.length - off);
        buf.set(chunk.subarray(off, off + n), fill);
        fill += n;
        off += n;
        if (fill < size) continue;
        const got = await pts.next();
        const index = select === "" ? first + k : frames[k];
        k++;
        if (got === null) fail("ffmpegDecoder.decode", "file", `${job.file.name}: ffmpeg reported no timestamp for output frame ${k}${why()}`);
        if (got !== ticks(index)) {
          fail("ffmpegDecoder.decode", "file", `${job.file.name}: ffmpeg returned the frame at pts ${got}, expected frame ${index} at pts ${ticks(index)} (time base 1/${track.timescale})`);
        }
        const image = { data: buf, width, height, channels: 3 as const };
        buf = new Uint8Array(size);
        fill = 0;
        if (wanted.has(index)) yield { index, pts: got, image };
      }
    }
    const code = await exited;
    if (code !== 0 || k < count) {
      fail("ffmpegDecoder.decode", "file", `${job.file.name}: ffmpeg ${code === 0 ? `stopped after ${k} of ${count} frames` : `failed (exit code ${code})`} decoding frames ${first}..${last}${why()}`);
    }
  } finally {
    if (child.exitCode === null) child.kill("SIGKILL");
  }
}
