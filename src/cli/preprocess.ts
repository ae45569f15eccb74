import type { Chunk } from "../core/index.js";
import { normalize, padDims, type NormStats } from "../normalize/index.js";
import { UsageError } from "./cli-io.js";

/** How chunks are prepared before tokenization; saved as `preprocess.json` next to a fitted tokenizer. */
export interface Preprocess {
  /** Which trajectory: `"action"` (default) or `"state"`. */
  which: "state" | "action";
  /** Chunk length in seconds (horizon = round(seconds·fps)). */
  seconds: number;
  /** Frames between chunk starts (null = horizon, non-overlapping). */
  stride: number | null;
  /**
   * `"q01_q99"` (default, MolmoAct2): `2·(x − q01)/(q99 − q01) − 1` clipped to [-1, 1]; `"openpi"`: the
   * same without clipping (+1e-6 in the denominator); `"none"`: raw values. Via the normalize module.
   */
  norm: "q01_q99" | "openpi" | "none";
  /** Dimensions copied without normalization (e.g. grippers already in [0, 1]). */
  keepDims: number[];
  /** Zero-pad every row to this width after normalization (the paper pads to 32); null = no padding. */
  padTo: number | null;
  /** Per-dimension q01/q99 used by the normalization (float64 as plain arrays). */
  q01: number[] | null;
  q99: number[] | null;
}

/** Normalize (normalize module) and zero-pad one chunk; returns a new row-major float64 chunk. */
export function preprocessChunk(c: Chunk, p: Preprocess): Chunk {
  let data = c.data;
  if (p.norm !== "none") {
    if (!p.q01 || !p.q99) throw new UsageError(`normalization "${p.norm}" needs q01/q99`);
    const stats: NormStats = { q01: p.q01, q99: p.q99 };
    const keep = new Set(p.keepDims);
    const mask = p.q01.map((_, d) => !keep.has(d));
    data = normalize(c.data, stats, { mode: p.norm, mask });
  }
  if (p.padTo === null || p.padTo === c.dim) return { data: Float64Array.from(data), horizon: c.horizon, dim: c.dim };
  if (p.padTo < c.dim) throw new UsageError(`--pad-to ${p.padTo} is smaller than the data's ${c.dim} dimensions`);
  const rows: number[][] = [];
  for (let t = 0; t < c.horizon; t++) rows.push(Array.from(data.subarray(t * c.dim, (t + 1) * c.dim)));
  const padded = padDims(rows, p.padTo).values as number[][];
  return { data: Float64Array.from(padded.flat()), horizon: c.horizon, dim: p.padTo };
}

/** Parse `--keep-dims 5,11`. */
export function parseDimList(command: string, v: unknown): number[] {
  if (v === undefined) return [];
  const parts = String(v).split(",").map((s) => s.trim());
  const out = parts.map(Number);
  if (parts.some((s) => s === "") || out.some((n) => !Number.isInteger(n) || n < 0)) {
    throw new UsageError(`${command}: --keep-dims must be a comma-separated list of dimension indices; got ${JSON.stringify(v)}`);
  }
  return out;
}
