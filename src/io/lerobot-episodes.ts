import { ndView } from "../core/index.js";
import type { LeRobotKeys } from "./lerobot-meta.js";
import type { Trajectory } from "./lerobot-parquet.js";
import type { LeRobotEpisode } from "./lerobot.js";

// Rows of data files into episodes: cut on episode_index, join an episode that continues into the next file.

/** `0-3, 7, 9-12` */
export function compactList(xs: number[]): string {
  if (xs.length === 0) return "none";
  const parts: string[] = [];
  let a = xs[0];
  for (let i = 1; i <= xs.length; i++) {
    if (i < xs.length && xs[i] === xs[i - 1] + 1) continue;
    const b = xs[i - 1];
    parts.push(a === b ? String(a) : `${a}-${b}`);
    a = xs[i];
  }
  return parts.join(", ");
}

/** Rows `[start, end)` as a packed copy (an episode owns its data, not the whole file's). */
function rows(t: Trajectory, start: number, end: number): Trajectory {
  const dim = t.shape[1];
  return ndView(t.data.slice(start * dim, end * dim), [end - start, dim]);
}

export function splitEpisodes(
  n: number,
  scalars: Record<string, Float64Array>,
  state: Trajectory,
  action: Trajectory,
  ctx: { fps: number; names: LeRobotEpisode["names"]; keys: LeRobotKeys; fileEpisode: number; file: string },
): LeRobotEpisode[] {
  const epCol = scalars.episode_index;
  const out: LeRobotEpisode[] = [];
  let start = 0;
  while (start < n) {
    const idx = epCol ? epCol[start] : ctx.fileEpisode;
    let end = start + 1;
    while (end < n && (epCol ? epCol[end] === idx : true)) end++;
    const len = end - start;
    const frameIndex = scalars.frame_index ? scalars.frame_index.slice(start, end) : Float64Array.from({ length: len }, (_, i) => i);
    const timestamps = scalars.timestamp ? scalars.timestamp.slice(start, end) : frameIndex.map((f) => f / ctx.fps);
    out.push({
      episodeIndex: idx,
      fps: ctx.fps,
      length: len,
      timestamps,
      frameIndex,
      state: rows(state, start, end),
      action: rows(action, start, end),
      names: ctx.names,
      keys: ctx.keys,
      file: ctx.file,
    });
    start = end;
  }
  return out;
}

function cat(a: Float64Array, b: Float64Array): Float64Array {
  const out = new Float64Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

export function joinEpisodes(a: LeRobotEpisode, b: LeRobotEpisode): LeRobotEpisode {
  return {
    ...a,
    length: a.length + b.length,
    timestamps: cat(a.timestamps, b.timestamps),
    frameIndex: cat(a.frameIndex, b.frameIndex),
    state: ndView(cat(a.state.data, b.state.data), [a.length + b.length, a.state.shape[1]]),
    action: ndView(cat(a.action.data, b.action.data), [a.length + b.length, a.action.shape[1]]),
  };
}
