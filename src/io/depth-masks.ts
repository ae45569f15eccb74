import { fail } from "../core/index.js";
import { DepthCache, DepthChangeDetector, type DepthGridOptions } from "../depth/index.js";
import type { FrameOptions } from "./lerobot-video.js";
import type { LeRobotDataset, LeRobotEpisode } from "./lerobot.js";

/** Fresh depth codes for a frame (grid² integers in [0, 128)), or undefined when there are none. */
export type DepthCodeSource = (episodeIndex: number, frameIndex: number) => ArrayLike<number> | undefined | Promise<ArrayLike<number> | undefined>;

/** Options of {@link depthMasks}. */
export interface DepthMaskOptions extends DepthGridOptions {
  /** Camera feature; default the dataset's first video feature. */
  cameraKey?: string;
  /** Only these episodes (default all, in file order). */
  episodes?: readonly number[];
  /** Every `step`-th frame (the model's call rate); masks compare consecutive processed frames. Default 1. */
  step?: number;
  /** How frames are placed in the video (see `FrameOptions.timing`); default `"timestamp"`. */
  timing?: FrameOptions["timing"];
  toleranceS?: number;
  decoder?: FrameOptions["decoder"];
  /** Fresh codes per frame: with them each frame also carries the buffer `buffer[mask] = codes[mask]` (paper eq. 10). */
  codes?: DepthCodeSource;
  /** Called before each episode's frames (for progress). */
  onEpisode?: (episode: LeRobotEpisode) => void;
  /**
   * Episodes whose video file is missing: `"error"` (default) throws naming the file; `"skip"` passes over them
   * and reports each to `onSkip` (a dataset copied without some videos).
   */
  missingVideo?: "error" | "skip";
  onSkip?: (episodeIndex: number, message: string) => void;
}

/** The §5.1 side channels of one frame. */
export interface DepthMaskFrame {
  episodeIndex: number;
  /** Frame index within the episode. */
  frameIndex: number;
  /** The episode's timestamp of the frame (s). */
  timestamp: number;
  /** 1 = the cell changed since the previous processed frame (Uint8, grid², row-major); all ones on the first. */
  mask: Uint8Array;
  changedCount: number;
  /** True on the first processed frame of an episode. */
  first: boolean;
  /** Carried-forward depth codes after this frame (Int32, grid²), when codes were given. */
  buffer?: Int32Array;
}

/**
 * Stream the adaptive-depth update masks of a dataset's main camera, episode after episode: each frame is
 * compared with the previous processed frame of the same episode by the depth module's change detector
 * (Pillow-exact 320 × 320 resize, 10 × 10 cells, cosine < 0.996), the first frame of an episode is all ones.
 * With `codes`, frames also carry the depth buffer. Memory holds one episode's table rows and two frames,
 * whatever the number of episodes. Errors (no camera, missing or undecodable video) throw a `VlaError` naming
 * the dataset file.
 */
export async function* depthMasks(ds: LeRobotDataset, opts: DepthMaskOptions = {}): AsyncGenerator<DepthMaskFrame> {
  const fn = "depthMasks";
  const key = opts.cameraKey ?? ds.cameraKeys[0];
  if (key === undefined) fail(fn, "dataset", `${ds.source.name} has no video features in meta/info.json, so there are no frames to compare`);
  // the depth module checks the grid options (naming the detector or cache) before any frame is read
  const grid: DepthGridOptions = { grid: opts.grid, cellSize: opts.cellSize, threshold: opts.threshold };
  const frameOpts: FrameOptions = { step: opts.step ?? 1, timing: opts.timing, toleranceS: opts.toleranceS, decoder: opts.decoder };
  const detector = opts.codes ? null : new DepthChangeDetector(grid);
  const cache = opts.codes ? new DepthCache(grid) : null;
  for await (const ep of ds.episodes(opts.episodes ? { episodes: opts.episodes } : {})) {
    if (opts.missingVideo === "skip") {
      const info = await ds.videoInfo(ep.episodeIndex, key, opts.decoder);
      if (!info.ok && info.reason === "missing") {
        opts.onSkip?.(ep.episodeIndex, info.message);
        continue;
      }
    }
    opts.onEpisode?.(ep);
    detector?.reset();
    cache?.reset();
    for await (const f of ds.frames(ep, key, frameOpts)) {
      const base = { episodeIndex: ep.episodeIndex, frameIndex: f.frameIndex, timestamp: f.timestamp };
      if (cache) {
        const codes = await opts.codes!(ep.episodeIndex, f.frameIndex);
        if (codes === undefined) fail(fn, "codes", `has no depth codes for episode ${ep.episodeIndex} frame ${f.frameIndex}`);
        const u = cache.update(f.image, codes);
        yield { ...base, mask: u.mask, changedCount: u.changedCount, first: u.first, buffer: u.buffer };
      } else {
        const d = detector!.push(f.image);
        yield { ...base, mask: d.mask, changedCount: d.changedCount, first: d.first };
      }
    }
  }
}

/** What a pass of {@link depthMasks} implies, from {@link DepthMaskSummary.result}. */
export interface DepthMaskSummaryResult {
  episodes: number;
  frames: number;
  numCells: number;
  /** Mean changed cells per frame, over frames after the first of each episode (null when there are none). */
  meanChangedCells: number | null;
  /** Share of frames (after the first of each episode) with no changed cell. */
  shareUnchanged: number | null;
  /**
   * MolmoAct2-Think depth decoding per frame after the first: single-cell decode steps (= changed cells) and
   * forwards (decode steps + one replay forward per run of unchanged cells), against `numCells` of a full decode.
   */
  meanDecodeSteps: number | null;
  meanForwards: number | null;
  /** `numCells / meanForwards`: how many times fewer forwards than decoding every cell. */
  forwardSpeedup: number | null;
  /** `histogram[c]` = frames (after the first of each episode) with `c` changed cells, c = 0..numCells. */
  histogram: number[];
}

/** Running totals of a depth-mask pass; constant memory (one histogram). */
export class DepthMaskSummary {
  private readonly hist: number[];
  private episodesSeen = new Set<number>();
  private frames = 0;
  private later = 0;
  private changed = 0;
  private forwards = 0;

  constructor(readonly numCells = 100) {
    this.hist = new Array<number>(numCells + 1).fill(0);
  }

  add(f: DepthMaskFrame): void {
    this.frames++;
    this.episodesSeen.add(f.episodeIndex);
    if (f.first) return;
    this.later++;
    this.changed += f.changedCount;
    this.hist[f.changedCount]++;
    let runs = 0;
    for (let k = 0; k < f.mask.length; k++) if (!f.mask[k] && (k === 0 || f.mask[k - 1])) runs++;
    this.forwards += f.changedCount + runs;
  }

  result(): DepthMaskSummaryResult {
    const n = this.later;
    const mean = (x: number) => (n ? x / n : null);
    const meanForwards = mean(this.forwards);
    return {
      episodes: this.episodesSeen.size,
      frames: this.frames,
      numCells: this.numCells,
      meanChangedCells: mean(this.changed),
      shareUnchanged: mean(this.hist[0]),
      meanDecodeSteps: mean(this.changed),
      meanForwards,
      forwardSpeedup: meanForwards ? this.numCells / meanForwards : null,
      histogram: this.hist.slice(),
    };
  }
}
