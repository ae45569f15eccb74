import { checkInt, fail, type Result } from "../core/index.js";
import type { LeRobotInfo } from "./lerobot-meta.js";
import { readParquetTable } from "./lerobot-parquet.js";
import type { DatasetSource } from "./lerobot-source.js";
import type { LeRobotEpisode } from "./lerobot.js";
import type { Rgb8Image } from "./png.js";
import { defaultVideoDecoder, type VideoFrameDecoder } from "./video-decoder.js";
import { bytesSource, type ByteSource } from "./byte-source.js";
import { readMp4Track, type Mp4Failure, type Mp4VideoTrack } from "./video-mp4.js";

/** Options of `LeRobotDataset.frames`. */
export interface FrameOptions {
  /** First frame (index within the episode); default 0. */
  from?: number;
  /** End frame, exclusive; default the episode length. */
  to?: number;
  /** Every `step`-th frame; default 1. */
  step?: number;
  /**
   * How a frame is found in the video. `"timestamp"` (default, LeRobot's rule): the frame whose presentation time is
   * nearest to `from_timestamp + timestamp`, which must lie within `toleranceS`. `"frame-index"`: the
   * `frame_index`-th frame after the episode's first video frame, for recorders whose parquet timestamps are
   * wall-clock times off the video's frame grid. `"auto"`: by timestamp when every timestamp of the range has a
   * frame within `toleranceS`, otherwise by frame index with a warning (`dataset.warnings`) that says why.
   */
  timing?: "timestamp" | "frame-index" | "auto";
  /** Largest allowed |video time − query time| in seconds with `timing: "timestamp"`; default 1e-4 (LeRobot's). */
  toleranceS?: number;
  /** Decoder back end; default WebCodecs in a browser, ffmpeg in Node. */
  decoder?: VideoFrameDecoder;
}

/** One frame of an episode's camera. */
export interface EpisodeFrame {
  /** Index of the frame within the episode (the row of the episode's parquet). */
  frameIndex: number;
  /** The episode's `timestamp` of that row, in seconds. */
  timestamp: number;
  /** Packed uint8 RGB, HWC. */
  image: Rgb8Image;
  /** Index of the decoded frame within the video file (presentation order). */
  videoFrame: number;
}

/** Where an episode's camera lives. */
export interface VideoLocation {
  cameraKey: string;
  /** Root-relative path of the mp4. */
  path: string;
  /** Start of the episode inside the file, in seconds (v3 `from_timestamp`; 0 for v2). */
  fromTimestamp: number;
  /** End of the episode inside the file (v3 `to_timestamp`), or null. */
  toTimestamp: number | null;
}

/** What `LeRobotDataset.videoInfo` reports. */
export interface VideoInfo {
  location: VideoLocation;
  /** Sample entry code of the track: `av01`, `avc1`, `mp4v`, ... */
  codec: string;
  width: number;
  height: number;
  /** Frames in the whole file. */
  fileFrames: number;
  /** Which decoder would decode it, e.g. `ffmpeg 5.1.6 (libdav1d)`. */
  decoder: string;
}

/** Why an episode's video cannot be read. */
export type VideoFailure = { reason: Mp4Failure["reason"] | "missing" | "unsupported-codec" | "no-decoder"; message: string };

const V2_TEMPLATE = "videos/chunk-{episode_chunk:03d}/{video_key}/episode_{episode_index:06d}.mp4";
const V3_TEMPLATE = "videos/{video_key}/chunk-{chunk_index:03d}/file-{file_index:03d}.mp4";

/** Fill a LeRobot path template: `{name}` or `{name:03d}`. */
export function formatPathTemplate(template: string, fields: Record<string, string | number>, where = "video_path"): string {
  return template.replace(/\{(\w+)(?::0?(\d+)d)?\}/g, (_, name: string, width?: string) => {
    const v = fields[name];
    if (v === undefined) fail("formatPathTemplate", where, `uses {${name}}, which is not one of ${Object.keys(fields).join(", ")}; template ${JSON.stringify(template)}`);
    return width && typeof v === "number" ? String(v).padStart(Number(width), "0") : String(v);
  });
}

/** Random access to one dataset file: ranged reads when the source has them, else the whole file in memory. */
async function fileSource(source: DatasetSource, path: string): Promise<ByteSource | undefined> {
  const name = `${source.name}/${path}`;
  if (source.readRange && source.size) {
    const size = await source.size(path);
    if (size === undefined) return undefined;
    const readRange = source.readRange.bind(source);
    return {
      name,
      size: async () => size,
      read: async (o, n) => {
        const b = (await readRange(path, o, n)) ?? new Uint8Array(0);
        if (b.length !== n) fail("LeRobotDataset.frames", "file", `${name} is truncated: wanted bytes [${o}, ${o + n}), it holds ${size}`);
        return b;
      },
    };
  }
  const b = await source.readBytes(path);
  return b === undefined ? undefined : bytesSource(new Uint8Array(b), name);
}

/** Index of the entry of the sorted `times` nearest to `t`. */
function nearest(times: Float64Array, t: number): number {
  let lo = 0;
  let hi = times.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (times[mid] < t) lo = mid + 1;
    else hi = mid;
  }
  return lo > 0 && Math.abs(times[lo - 1] - t) <= Math.abs(times[lo] - t) ? lo - 1 : lo;
}

/**
 * The camera videos of one LeRobot dataset: file locations (v2.1 one file per episode and camera, v3 many
 * episodes per file cut by `from_timestamp`), parsed MP4 sample tables (cached per file) and frame decoding.
 * Used through `LeRobotDataset.frames` / `videoInfo`.
 */
export class LeRobotVideos {
  private v3Index: Promise<Map<number, Record<string, number>>> | null = null;
  private readonly tracks = new Map<string, Promise<Result<{ track: Mp4VideoTrack; file: ByteSource }, VideoFailure>>>();
  private allFiles: Promise<string[]> | null = null;
  /** Cameras already warned about off-grid timestamps (once per camera, not per episode). */
  private readonly offGrid = new Set<string>();

  constructor(
    private readonly source: DatasetSource,
    private readonly info: LeRobotInfo,
    private readonly warn: (message: string) => void,
  ) {}

  /** Feature keys with `dtype: "video"`, in info.json order. */
  get cameraKeys(): string[] {
    return Object.entries(this.info.features)
      .filter(([, f]) => f.dtype === "video")
      .map(([k]) => k);
  }

  private checkKey(fn: string, key: string): void {
    const keys = this.cameraKeys;
    if (!keys.includes(key)) {
      fail(fn, "cameraKey", keys.length ? `must be one of the dataset's video features ${keys.map((k) => JSON.stringify(k)).join(", ")}; got ${JSON.stringify(key)}` : `cannot be used: ${this.source.name}/meta/info.json has no video features`);
    }
  }

  private readV3Index(): Promise<Map<number, Record<string, number>>> {
    this.v3Index ??= (async () => {
      const files = (await this.source.list("meta/episodes")).filter((p) => p.endsWith(".parquet"));
      const out = new Map<number, Record<string, number>>();
      const cols = this.cameraKeys.flatMap((k) => ["chunk_index", "file_index", "from_timestamp", "to_timestamp"].map((c) => `videos/${k}/${c}`));
      for (const f of files) {
        const buf = await this.source.readBytes(f);
        if (!buf) continue;
        const t = await readParquetTable(buf, [], ["episode_index", ...cols], `${this.source.name}/${f}`);
        for (let r = 0; r < t.numRows; r++) {
          const row: Record<string, number> = {};
          for (const c of cols) if (t.scalars[c]) row[c] = t.scalars[c][r];
          out.set(t.scalars.episode_index?.[r] ?? r, row);
        }
      }
      return out;
    })();
    return this.v3Index;
  }

  /** Where episode `episodeIndex`'s camera `cameraKey` is stored. Throws a `VlaError` naming the missing file. */
  async locate(episodeIndex: number, cameraKey: string): Promise<VideoLocation> {
    const fn = "LeRobotDataset.videoInfo";
    this.checkKey(fn, cameraKey);
    const info = this.info;
    let path: string;
    let fromTimestamp = 0;
    let toTimestamp: number | null = null;
    if (info.major === 3) {
      const row = (await this.readV3Index()).get(episodeIndex);
      const col = (c: string) => row?.[`videos/${cameraKey}/${c}`];
      if (row === undefined || col("from_timestamp") === undefined) {
        fail(fn, "episode", `${episodeIndex} has no videos/${cameraKey}/from_timestamp in ${this.source.name}/meta/episodes/*.parquet (needed to find it in a v3 video file)`);
      }
      fromTimestamp = col("from_timestamp")!;
      toTimestamp = col("to_timestamp") ?? null;
      path = formatPathTemplate(info.videoPath ?? V3_TEMPLATE, { video_key: cameraKey, chunk_index: col("chunk_index") ?? 0, file_index: col("file_index") ?? 0, episode_index: episodeIndex });
    } else {
      const chunk = Math.floor(episodeIndex / info.chunksSize);
      path = formatPathTemplate(info.videoPath ?? V2_TEMPLATE, { video_key: cameraKey, episode_chunk: chunk, chunk_index: chunk, episode_index: episodeIndex });
    }
    return { cameraKey, path: await this.existing(path, episodeIndex, cameraKey), fromTimestamp, toTimestamp };
  }

  /**
   * The path itself when it exists; else the one mp4 whose path matches it after the first folder (some exports
   * write `video/` for `videos/`), with a warning; else an error naming the expected file.
   */
  private async existing(path: string, episodeIndex: number, cameraKey: string): Promise<string> {
    const exists = this.source.size ? (await this.source.size(path)) !== undefined : (await this.source.list(path.split("/").slice(0, -1).join("/"))).includes(path);
    if (exists) return path;
    this.allFiles ??= this.source.list("").then((all) => all.filter((p) => p.endsWith(".mp4")));
    const tail = path.split("/").slice(1).join("/");
    const alike = (await this.allFiles).filter((p) => p.split("/").slice(1).join("/") === tail);
    if (alike.length === 1) {
      this.warn(`meta/info.json video_path gives ${path}, which does not exist; using ${alike[0]} (the only .mp4 with the same sub-path)`);
      return alike[0];
    }
    return fail("LeRobotDataset.videoInfo", "file", `${this.source.name}/${path} does not exist (episode ${episodeIndex}, camera ${JSON.stringify(cameraKey)}; path from meta/info.json video_path)`);
  }

  /** The parsed MP4 of a root-relative path (cached). */
  track(path: string): Promise<Result<{ track: Mp4VideoTrack; file: ByteSource }, VideoFailure>> {
    let p = this.tracks.get(path);
    if (!p) {
      p = (async () => {
        const file = await fileSource(this.source, path);
        if (!file) return { ok: false as const, reason: "missing" as const, message: `${this.source.name}/${path} does not exist` };
        const r = await readMp4Track(file);
        return r.ok ? { ok: true as const, track: r.track, file } : r;
      })();
      this.tracks.set(path, p);
    }
    return p;
  }

  /** Location, codec, size and decoder of an episode's camera, or why it cannot be decoded (a value). */
  async videoInfo(episodeIndex: number, cameraKey: string, decoder?: VideoFrameDecoder): Promise<Result<{ info: VideoInfo }, VideoFailure>> {
    let location: VideoLocation;
    try {
      location = await this.locate(episodeIndex, cameraKey);
    } catch (e) {
      if ((e as { arg?: string }).arg === "file") return { ok: false, reason: "missing", message: (e as Error).message };
      throw e;
    }
    const t = await this.track(location.path);
    if (!t.ok) return t;
    const dec = decoder ?? (await defaultVideoDecoder());
    const c = await dec.check(t.track, t.file.name);
    if (!c.ok) return c;
    const { track } = t;
    return { ok: true, info: { location, codec: track.fourcc, width: track.width, height: track.height, fileFrames: track.presentation.length, decoder: c.decoder } };
  }

  /** The frames of one episode's camera; see `LeRobotDataset.frames`. */
  async *frames(ep: LeRobotEpisode, cameraKey: string, opts: FrameOptions = {}): AsyncGenerator<EpisodeFrame> {
    const fn = "LeRobotDataset.frames";
    const from = checkInt(fn, "from", opts.from ?? 0, 0, ep.length);
    const to = checkInt(fn, "to", opts.to ?? ep.length, from, ep.length);
    const step = checkInt(fn, "step", opts.step ?? 1, 1);
    const asked = opts.timing ?? "timestamp";
    if (asked !== "timestamp" && asked !== "frame-index" && asked !== "auto") fail(fn, "timing", `must be "timestamp", "frame-index" or "auto"; got ${JSON.stringify(asked)}`);
    const tol = opts.toleranceS ?? 1e-4;
    if (!(tol >= 0 && Number.isFinite(tol))) fail(fn, "toleranceS", `must be a finite number >= 0; got ${tol}`);
    const loc = await this.locate(ep.episodeIndex, cameraKey);
    const t = await this.track(loc.path);
    if (!t.ok) fail(fn, "file", t.message);
    const { track, file } = t;
    const decoder = opts.decoder ?? (await defaultVideoDecoder());
    const c = await decoder.check(track, file.name);
    if (!c.ok) fail(fn, "file", c.message);
    const where = (i: number) => `episode ${ep.episodeIndex} frame ${i} of ${JSON.stringify(cameraKey)} (${file.name})`;
    const start = nearest(track.times, loc.fromTimestamp);
    let timing = asked;
    if (asked === "auto") {
      let worst = 0;
      let at = from;
      for (let i = from; i < to; i += step) {
        const q = loc.fromTimestamp + ep.timestamps[i];
        const off = Math.abs(track.times[nearest(track.times, q)] - q);
        if (!(off <= worst)) (worst = off), (at = i);
      }
      timing = worst <= tol ? "timestamp" : "frame-index";
      if (timing === "frame-index" && !this.offGrid.has(cameraKey)) {
        this.offGrid.add(cameraKey);
        this.warn(`${JSON.stringify(cameraKey)}: the parquet timestamps are off the video's frame grid (episode ${ep.episodeIndex} frame ${at} is ${worst.toFixed(4)} s from the nearest video frame; tolerance ${tol} s), so frames are taken by frame index (this and any later episode whose timestamps are off the grid)`);
      }
    }
    const picks: { frame: number; video: number }[] = [];
    for (let i = from; i < to; i += step) {
      let v: number;
      if (timing === "timestamp") {
        const q = loc.fromTimestamp + ep.timestamps[i];
        v = nearest(track.times, q);
        const off = Math.abs(track.times[v] - q);
        if (!(off <= tol)) {
          fail(fn, "timing", `cannot place ${where(i)}: its timestamp ${ep.timestamps[i]} s (file time ${q.toFixed(6)} s) is ${off.toFixed(6)} s from the nearest video frame (${v}, at ${track.times[v].toFixed(6)} s); tolerance ${tol} s. If the parquet timestamps are wall-clock times off the video's frame grid, pass timing: "frame-index"`);
        }
      } else {
        v = start + ep.frameIndex[i];
        if (!(v < track.times.length)) fail(fn, "timing", `cannot place ${where(i)}: frame_index ${ep.frameIndex[i]} is past the file's ${track.times.length} frames`);
      }
      if (loc.toTimestamp !== null && track.times[v] > loc.toTimestamp + tol) {
        fail(fn, "timing", `cannot place ${where(i)}: video frame ${v} at ${track.times[v].toFixed(6)} s is past the episode's to_timestamp ${loc.toTimestamp} s`);
      }
      if (picks.length && v < picks[picks.length - 1].video) fail(fn, "episode", `must have increasing timestamps; ${where(i)} maps before frame ${picks[picks.length - 1].frame}`);
      picks.push({ frame: i, video: v });
    }
    if (picks.length === 0) return;
    const wanted = [...new Set(picks.map((p) => p.video))];
    let k = 0;
    for await (const d of decoder.decode({ file, localPath: this.source.localPath?.(loc.path), track, frames: wanted })) {
      while (k < picks.length && picks[k].video === d.index) {
        const p = picks[k++];
        yield { frameIndex: p.frame, timestamp: ep.timestamps[p.frame], image: d.image, videoFrame: d.index };
      }
    }
    if (k < picks.length) fail(fn, "file", `${file.name}: the decoder stopped before ${where(picks[k].frame)}`);
  }
}
