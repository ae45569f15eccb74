import { describe, fail, VlaError, type Result } from "../core/index.js";
import { detectKeys, parseInfo, type LeRobotInfo, type LeRobotKeys } from "./lerobot-meta.js";
import { combineEpisodeStats, parseStatsJson, type FeatureStats } from "./lerobot-stats-json.js";
import { compactList, joinEpisodes, splitEpisodes } from "./lerobot-episodes.js";
import { readParquetTable, type Trajectory } from "./lerobot-parquet.js";
import { nodeSource, type DatasetSource } from "./lerobot-source.js";
import { LeRobotVideos, type EpisodeFrame, type FrameOptions, type VideoFailure, type VideoInfo } from "./lerobot-video.js";
import type { VideoFrameDecoder } from "./video-decoder.js";

export type { Trajectory } from "./lerobot-parquet.js";

/** One episode of a LeRobot dataset, as float64 typed arrays. */
export interface LeRobotEpisode {
  /** The `episode_index` column (or the number in a v2 file name when the column is absent). */
  episodeIndex: number;
  /** Dataset frame rate in Hz (`info.json` → `fps`). */
  fps: number;
  /** Number of frames. */
  length: number;
  /** Seconds from the episode start, one per frame (the `timestamp` column; `frame/fps` when absent). */
  timestamps: Float64Array;
  /** The `frame_index` column (`0..length-1` when absent). */
  frameIndex: Float64Array;
  /** Float64 ndarray `[length, stateDim]` (packed: `state.data` is row-major). */
  state: Trajectory;
  /** Float64 ndarray `[length, actionDim]`: pass it to `computeStats` / `normalize` / `encode` as is. */
  action: Trajectory;
  /** Per-dimension names from `info.json`, `null` when the dataset gives none. */
  names: { state: string[] | null; action: string[] | null };
  /** The parquet columns read for state and action. */
  keys: LeRobotKeys;
  /** The data file the rows came from (`<dataset>/data/...parquet`), for messages; absent for hand-made episodes. */
  file?: string;
}

/** Options for {@link LeRobotDataset.open}. */
export interface LeRobotOpenOptions {
  /** State column; default: the first of `observation.state`, `state`, ... present. */
  stateKey?: string;
  /** Action column; default: the first of `action`, `actions` present. */
  actionKey?: string;
  /**
   * Called with each warning (data the reader works around, e.g. episode files missing next to info.json's
   * count); every warning is also kept in `dataset.warnings`.
   */
  onWarning?: (message: string) => void;
}

/** Where the dataset's own stats came from. */
export type StatsOrigin = "meta/stats.json" | "meta/episodes_stats.jsonl" | null;

const EPISODE_FILE = /episode_(\d+)\.parquet$/;

/**
 * A local LeRobot v2.x / v3 dataset folder: `meta/info.json`, `meta/stats.json` or
 * `meta/episodes_stats.jsonl`, and `data/chunk-*\/episode_*.parquet` (v2) or
 * `data/chunk-*\/file-*.parquet` (v3, many episodes per file, split by the `episode_index` column).
 *
 * ```ts
 * const ds = await LeRobotDataset.open("path/to/dataset");
 * for await (const ep of ds.episodes()) console.log(ep.episodeIndex, ep.length, ep.action.shape[1]);
 * ```
 */
export class LeRobotDataset {
  private constructor(
    /** Where files are read from. */
    readonly source: DatasetSource,
    /** Parsed `meta/info.json`. */
    readonly info: LeRobotInfo,
    /** State/action columns in use. */
    readonly keys: LeRobotKeys,
    /** The dataset's own stats per feature (may be empty). */
    readonly stats: Record<string, FeatureStats>,
    /** Which file {@link stats} came from. */
    readonly statsOrigin: StatsOrigin,
    /** Root-relative paths of the data parquet files, sorted. */
    readonly dataFiles: string[],
    private readonly onWarning?: (message: string) => void,
  ) {
    this.videos = new LeRobotVideos(source, info, (m) => this.warn(m));
  }

  /** Warnings so far (opening, reading, locating videos), each once. */
  readonly warnings: string[] = [];
  private readonly videos: LeRobotVideos;

  private warn(message: string): void {
    if (this.warnings.includes(message)) return;
    this.warnings.push(message);
    this.onWarning?.(message);
  }

  /**
   * Open a dataset from a folder path (Node) or any {@link DatasetSource} (browser: `memorySource`,
   * `fetchSource`). Reads only the metadata and the list of data files. Throws a `VlaError` naming
   * the folder/file when `meta/info.json` is missing or malformed, when no data parquet exists, or
   * when the state/action columns cannot be found.
   */
  static async open(where: string | DatasetSource, opts: LeRobotOpenOptions = {}): Promise<LeRobotDataset> {
    const fn = "LeRobotDataset.open";
    const source = typeof where === "string" ? await nodeSource(where) : where;
    if (typeof source !== "object" || source === null || typeof source.readText !== "function") {
      fail(fn, "where", `must be a folder path or a DatasetSource; got ${describe(where)}`);
    }
    const infoText = await source.readText("meta/info.json");
    if (infoText === undefined) fail(fn, "where", `must be a LeRobot dataset folder; ${source.name}/meta/info.json does not exist`);
    let infoJson: unknown;
    try {
      infoJson = JSON.parse(infoText);
    } catch (e) {
      fail(fn, "where", `${source.name}/meta/info.json must be valid JSON; ${(e as Error).message}`);
    }
    const info = parseInfo(infoJson, `${source.name}/meta/info.json`);
    const keys = detectKeys(info, { state: opts.stateKey, action: opts.actionKey });
    let stats: Record<string, FeatureStats> = {};
    let statsOrigin: StatsOrigin = null;
    // a malformed stats file is an error naming it, not an empty `stats`
    const inFile = <T>(file: string, read: () => T): T => {
      try {
        return read();
      } catch (e) {
        if (e instanceof VlaError) fail(fn, "where", `${source.name}/${file} must be a LeRobot stats file; ${e.message}`);
        throw e;
      }
    };
    const statsText = await source.readText("meta/stats.json");
    if (statsText !== undefined) {
      stats = inFile("meta/stats.json", () => parseStatsJson(statsText));
      statsOrigin = "meta/stats.json";
    } else {
      const epStats = await source.readText("meta/episodes_stats.jsonl");
      if (epStats !== undefined) {
        stats = inFile("meta/episodes_stats.jsonl", () => combineEpisodeStats(epStats));
        statsOrigin = "meta/episodes_stats.jsonl";
      }
    }
    const dataFiles = (await source.list("data")).filter((p) => p.endsWith(".parquet"));
    if (dataFiles.length === 0) fail(fn, "where", `must contain data/**/*.parquet; none found in ${source.name}/data`);
    const ds = new LeRobotDataset(source, info, keys, stats, statsOrigin, dataFiles, opts.onWarning);
    const v2Files = dataFiles.filter((f) => EPISODE_FILE.test(f)).length;
    if (info.major === 2 && info.totalEpisodes !== null && v2Files < info.totalEpisodes) {
      ds.warn(`meta/info.json says ${info.totalEpisodes} episodes, but data/ holds ${v2Files} episode parquet files; the other ${info.totalEpisodes - v2Files} are missing`);
    }
    return ds;
  }

  /** Keys of the camera (video) features, in info.json order. */
  get cameraKeys(): string[] {
    return this.videos.cameraKeys;
  }

  /** One episode by index; throws a `VlaError` when no data file holds it. */
  async episode(index: number): Promise<LeRobotEpisode> {
    const [ep] = await this.loadEpisodes({ episodes: [index] });
    return ep;
  }

  /**
   * Frames of one episode's camera video as packed uint8 RGB, in order: frames `from` (default 0) to `to`
   * (exclusive, default the episode length) every `step`, each placed by its timestamp (v2.1: the episode's own
   * mp4; v3: the shared mp4 from the episode's `from_timestamp`). Decoded by ffmpeg in Node and WebCodecs in a
   * browser (see `opts.decoder`); only the needed stretch of the file is decoded. Throws a `VlaError` naming the
   * file when it is missing, truncated, in an unsupported codec, or when a timestamp has no video frame within
   * `toleranceS`; `videoInfo` reports the same problems as a value before decoding.
   *
   * ```ts
   * for await (const f of ds.frames(0, ds.cameraKeys[0], { to: 30, step: 2 })) console.log(f.frameIndex, f.image.width);
   * ```
   */
  async *frames(episode: number | LeRobotEpisode, cameraKey: string, opts: FrameOptions = {}): AsyncGenerator<EpisodeFrame> {
    const ep = typeof episode === "number" ? await this.episode(episode) : episode;
    yield* this.videos.frames(ep, cameraKey, opts);
  }

  /** Where an episode's camera video is and whether it can be decoded here (a value, never a throw for bad files). */
  videoInfo(episodeIndex: number, cameraKey: string, decoder?: VideoFrameDecoder): Promise<Result<{ info: VideoInfo }, VideoFailure>> {
    return this.videos.videoInfo(episodeIndex, cameraKey, decoder);
  }

  /** Frames per second (Hz). */
  get fps(): number {
    return this.info.fps;
  }

  /** Per-dimension names of state and action (`null` when absent). */
  get names(): { state: string[] | null; action: string[] | null } {
    return { state: this.info.features[this.keys.state]?.names ?? null, action: this.info.features[this.keys.action]?.names ?? null };
  }

  /**
   * The dataset's own 1st/99th percentiles for `"state"` or `"action"` from `meta/stats.json`
   * (LeRobot v3 writes q01/q99; v2.x datasets have none → `null`). Note LeRobot's global q01/q99 is
   * the count-weighted mean of per-episode quantiles, not the quantile of the pooled frames.
   */
  datasetQuantiles(which: "state" | "action"): { q01: Float64Array; q99: Float64Array } | null {
    const s = this.stats[which === "state" ? this.keys.state : this.keys.action];
    return s?.q01 && s.q99 ? { q01: s.q01, q99: s.q99 } : null;
  }

  /**
   * Yield episodes in file order. `episodes` restricts to the given episode indices (v2 reads only
   * their files). An episode whose rows continue into the next file is joined before it is yielded.
   * `onFile(done, total)` is called after each data file is parsed (for progress bars).
   */
  async *episodes(opts: { episodes?: readonly number[]; onFile?: (done: number, total: number) => void } = {}): AsyncGenerator<LeRobotEpisode> {
    const wanted = opts.episodes ? new Set(opts.episodes) : null;
    let files = this.dataFiles;
    if (wanted && files.every((f) => EPISODE_FILE.test(f))) {
      files = files.filter((f) => wanted.has(Number(EPISODE_FILE.exec(f)![1])));
    }
    const seen = new Set<number>();
    const out = (ep: LeRobotEpisode): boolean => {
      seen.add(ep.episodeIndex);
      return !wanted || wanted.has(ep.episodeIndex);
    };
    let pending: LeRobotEpisode | null = null;
    for (const [k, file] of files.entries()) {
      const parts = await this.readFile(file);
      opts.onFile?.(k + 1, files.length);
      for (let i = 0; i < parts.length; i++) {
        const ep = parts[i];
        if (pending && ep.episodeIndex === pending.episodeIndex && i === 0) {
          pending = joinEpisodes(pending, ep);
          continue;
        }
        if (pending && out(pending)) yield pending;
        pending = ep;
      }
    }
    if (pending && out(pending)) yield pending;
    const missing = wanted ? [...wanted].filter((e) => !seen.has(e)) : [];
    if (missing.length) {
      const have = [...seen].sort((a, b) => a - b);
      fail("LeRobotDataset.episodes", "episodes", `${missing.join(", ")} ${missing.length === 1 ? "is" : "are"} not in the data files of ${this.source.name} (they hold episodes ${compactList(have)})`);
    }
    if (!wanted && this.info.major === 3 && this.info.totalEpisodes !== null && seen.size < this.info.totalEpisodes) {
      this.warn(`meta/info.json says ${this.info.totalEpisodes} episodes, but the data files hold ${seen.size} (episodes ${compactList([...seen].sort((a, b) => a - b))})`);
    }
  }

  /** All (or the selected) episodes as an array; see {@link episodes}. */
  async loadEpisodes(opts: { episodes?: readonly number[]; onFile?: (done: number, total: number) => void } = {}): Promise<LeRobotEpisode[]> {
    const out: LeRobotEpisode[] = [];
    for await (const ep of this.episodes(opts)) out.push(ep);
    return out;
  }

  private async readFile(file: string): Promise<LeRobotEpisode[]> {
    const buf = await this.source.readBytes(file);
    if (buf === undefined) fail("LeRobotDataset.episodes", "file", `${this.source.name}/${file} could not be read`);
    const where = `${this.source.name}/${file}`;
    const t = await readParquetTable(buf, [this.keys.state, this.keys.action], ["timestamp", "frame_index", "episode_index"], where);
    return splitEpisodes(t.numRows, t.scalars, t.vectors[this.keys.state], t.vectors[this.keys.action], {
      fps: this.fps,
      names: this.names,
      keys: this.keys,
      fileEpisode: EPISODE_FILE.test(file) ? Number(EPISODE_FILE.exec(file)![1]) : 0,
      file: where,
    });
  }
}
