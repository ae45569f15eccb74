import type { Result } from "../core/index.js";
import type { Rgb8Image } from "./png.js";
import type { ByteSource } from "./byte-source.js";
import type { Mp4VideoTrack } from "./video-mp4.js";

/** One decoded frame. */
export interface DecodedFrame {
  /** Index into the track's presentation order (`track.presentation`, `track.times`). */
  index: number;
  /** Presentation time in track ticks, as the decoder reported it (checked against the sample table). */
  pts: number;
  /** Packed uint8 RGB, HWC (the library's image convention). */
  image: Rgb8Image;
}

/** What to decode: some frames of one file's video track. */
export interface VideoDecodeJob {
  /** The file (random access); its `name` appears in every error. */
  file: ByteSource;
  /** A path on the local disk when there is one (ffmpeg reads it directly instead of a temporary copy). */
  localPath?: string;
  /** The track, from {@link readMp4Track}. */
  track: Mp4VideoTrack;
  /** Presentation indices to decode, strictly increasing. */
  frames: readonly number[];
}

/** Why a decoder cannot decode a file here. */
export type DecoderFailure = { reason: "unsupported-codec" | "no-decoder"; message: string };

/**
 * A video decoder back end: Node's {@link ffmpegDecoder} (a child process) or the browser's
 * {@link webCodecsDecoder}. `decode` yields the requested frames in order and throws a `VlaError` naming the
 * file when decoding fails; `check` says up front (as a value) whether the codec is supported.
 */
export interface VideoFrameDecoder {
  /** E.g. `"ffmpeg 5.1.6 (libdav1d)"` or `"WebCodecs"`. */
  readonly name: string;
  check(track: Mp4VideoTrack, fileName: string): Promise<Result<{ decoder: string }, DecoderFailure>>;
  decode(job: VideoDecodeJob): AsyncGenerator<DecodedFrame>;
}

/** A run of wanted frames that one decoder pass serves (start at the run's first frame, read to its last). */
export interface DecodeRun {
  frames: number[];
}

/**
 * Split the wanted presentation indices into runs: a new run starts where a key frame lies between two wanted
 * frames that are more than `maxGap` frames apart (default 60, about 2 s: below that, decoding through the gap
 * costs less than starting another decoder pass, which for ffmpeg is a new process). Frames in one run are
 * decoded in one pass.
 */
export function decodeRuns(track: Mp4VideoTrack, frames: readonly number[], maxGap = 60): DecodeRun[] {
  const runs: DecodeRun[] = [];
  const isKey = (p: number) => track.samples[track.presentation[p]].key;
  for (const f of frames) {
    const cur = runs[runs.length - 1];
    const prev = cur?.frames[cur.frames.length - 1];
    let split = cur === undefined;
    if (!split && f - prev! > maxGap) {
      for (let p = prev! + 1; p <= f && !split; p++) split = isKey(p);
    }
    if (split) runs.push({ frames: [f] });
    else cur.frames.push(f);
  }
  return runs;
}

/**
 * The decoder this runtime offers: WebCodecs where `VideoDecoder` exists (browsers, workers), otherwise ffmpeg
 * in a child process (Node; see {@link ffmpegDecoder} for where it looks).
 */
export async function defaultVideoDecoder(): Promise<VideoFrameDecoder> {
  if (typeof (globalThis as { VideoDecoder?: unknown }).VideoDecoder === "function") {
    const { webCodecsDecoder } = await import("./video-webcodecs.js");
    return webCodecsDecoder();
  }
  const { ffmpegDecoder } = await import("./video-ffmpeg.js");
  return ffmpegDecoder();
}
