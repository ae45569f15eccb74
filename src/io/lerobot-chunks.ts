import { checkInt, checkNumber, fail, ndView, type Chunk } from "../core/index.js";
import type { LeRobotEpisode } from "./lerobot.js";

/** Options for {@link episodeChunks}. */
export interface ChunkOptions {
  /** Which trajectory to cut; default `"action"`. */
  which?: "state" | "action";
  /** Chunk length in seconds; horizon = `round(seconds * fps)`. Default 1 (the paper's one-second chunks). */
  seconds?: number;
  /** Frames between chunk starts. Default = horizon (non-overlapping); 1 = a sliding window at every frame. */
  stride?: number;
  /**
   * What to do with the tail shorter than a horizon: `"drop"` (default) or `"edge"` (repeat the last
   * frame, as LeRobot does when it pads action chunks past the episode end).
   */
  tail?: "drop" | "edge";
}

/**
 * Cut an episode into fixed-length chunks at the dataset frame rate: `horizon = round(seconds·fps)`
 * rows each, starting at frames `0, stride, 2·stride, …`. Each chunk is a packed float64 ndarray
 * `[horizon, dim]` (a copy). An episode shorter than one horizon gives no chunk with `tail: "drop"`.
 */
export function episodeChunks(episode: LeRobotEpisode, opts: ChunkOptions = {}): Chunk[] {
  const fn = "episodeChunks";
  const which = opts.which ?? "action";
  if (which !== "state" && which !== "action") fail(fn, "which", `must be "state" or "action"; got ${JSON.stringify(which)}`);
  const seconds = checkNumber(fn, "seconds", opts.seconds ?? 1, 1e-9);
  const horizon = Math.max(1, Math.round(seconds * episode.fps));
  const stride = checkInt(fn, "stride", opts.stride ?? horizon, 1);
  const tail = opts.tail ?? "drop";
  if (tail !== "drop" && tail !== "edge") fail(fn, "tail", `must be "drop" or "edge"; got ${JSON.stringify(tail)}`);
  const { data } = episode[which];
  const dim = episode[which].shape[1];
  const n = episode.length;
  const out: Chunk[] = [];
  for (let s = 0; s < n; s += stride) {
    if (s + horizon > n && tail === "drop") break;
    const c = new Float64Array(horizon * dim);
    const inside = Math.min(horizon, n - s); // rows s .. s+inside-1 are contiguous in the episode: one copy
    c.set(data.subarray(s * dim, (s + inside) * dim));
    for (let t = inside; t < horizon; t++) c.set(data.subarray((n - 1) * dim, n * dim), t * dim); // "edge": repeat the last row
    out.push(ndView(c, [horizon, dim]));
    if (s + horizon >= n) break;
  }
  return out;
}

/** {@link episodeChunks} over many episodes, concatenated in order. */
export function datasetChunks(episodes: Iterable<LeRobotEpisode>, opts: ChunkOptions = {}): Chunk[] {
  const out: Chunk[] = [];
  for (const ep of episodes) for (const c of episodeChunks(ep, opts)) out.push(c);
  return out;
}
