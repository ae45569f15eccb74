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

/** What fit-tokenizer records about the dataset it was fitted on (`preprocess.json` → `dataset`). */
export interface FittedOn {
  /** The path as given on the command line. */
  path: string;
  /** Absolute path (written since 0.1: older files have only `path`). */
  absolutePath?: string;
  fps: number;
  keys: { state: string; action: string };
  episodes: number;
  robotType?: string | null;
}

/** `preprocess.json` as written by fit-tokenizer. */
export interface PreprocessFile extends Preprocess {
  dataset: FittedOn | null;
  horizon: number | null;
}

function isNumList(v: unknown): v is number[] {
  return Array.isArray(v) && v.every((x) => typeof x === "number" && Number.isFinite(x));
}

/**
 * Read and check `DIR/preprocess.json`. Missing → `null` (a tokenizer not written by fit-tokenizer, e.g. a
 * Hugging Face download); unreadable JSON or a field of the wrong kind → a {@link UsageError} naming the file
 * and the field, never a silent fallback to defaults.
 */
export async function readPreprocess(command: string, dir: string): Promise<PreprocessFile | null> {
  const fs = await import("node:fs/promises");
  const path = await import("node:path");
  const file = path.join(dir, "preprocess.json");
  let text: string;
  try {
    text = await fs.readFile(file, "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw new UsageError(`${command}: ${JSON.stringify(file)} cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  let j: unknown;
  try {
    j = JSON.parse(text);
  } catch (e) {
    throw new UsageError(`${command}: ${JSON.stringify(file)} is not valid JSON (${(e as Error).message}); rewrite it with fit-tokenizer or delete it`);
  }
  const bad = (field: string, want: string, got: unknown): never => {
    throw new UsageError(`${command}: ${JSON.stringify(file)}: "${field}" must be ${want}; got ${JSON.stringify(got)?.slice(0, 60)}`);
  };
  if (typeof j !== "object" || j === null || Array.isArray(j)) bad("(top level)", "a JSON object", j);
  const o = j as Record<string, unknown>;
  const which = o.which ?? "action";
  if (which !== "action" && which !== "state") bad("which", '"action" or "state"', which);
  const seconds = o.seconds ?? 1;
  if (typeof seconds !== "number" || !(seconds > 0) || !Number.isFinite(seconds)) bad("seconds", "a number > 0", seconds);
  const stride = o.stride ?? null;
  if (stride !== null && !(Number.isInteger(stride) && (stride as number) >= 1)) bad("stride", "null or an integer >= 1", stride);
  const norm = o.norm;
  if (norm !== "q01_q99" && norm !== "openpi" && norm !== "none") bad("norm", '"q01_q99", "openpi" or "none"', norm);
  const keepDims = o.keepDims ?? [];
  if (!Array.isArray(keepDims) || !keepDims.every((d) => Number.isInteger(d) && d >= 0)) bad("keepDims", "a list of dimension indices", keepDims);
  const padTo = o.padTo ?? null;
  if (padTo !== null && !(Number.isInteger(padTo) && (padTo as number) >= 1)) bad("padTo", "null or an integer >= 1", padTo);
  const q01 = o.q01 ?? null;
  const q99 = o.q99 ?? null;
  if (norm !== "none") {
    if (!isNumList(q01) || q01.length === 0) bad("q01", `a list of finite numbers (norm is ${norm})`, q01);
    if (!isNumList(q99) || q99.length !== (q01 as number[]).length) bad("q99", `a list of ${(q01 as number[]).length} finite numbers like q01`, q99);
  }
  const horizon = o.horizon ?? null;
  if (horizon !== null && !(Number.isInteger(horizon) && (horizon as number) >= 1)) bad("horizon", "an integer >= 1", horizon);
  const ds = o.dataset;
  let dataset: FittedOn | null = null;
  if (ds !== undefined && ds !== null) {
    const d = ds as Record<string, unknown>;
    if (typeof d !== "object" || typeof d.path !== "string" || typeof d.fps !== "number") bad("dataset", "{ path, fps, keys, episodes }", ds);
    dataset = d as unknown as FittedOn;
  }
  return {
    which: which as Preprocess["which"],
    seconds: seconds as number,
    stride: stride as number | null,
    norm: norm as Preprocess["norm"],
    keepDims: keepDims as number[],
    padTo: padTo as number | null,
    q01: q01 as number[] | null,
    q99: q99 as number[] | null,
    dataset,
    horizon: horizon as number | null,
  };
}

/**
 * Why a tokenizer fitted on `fitted` may not suit the dataset at hand (different folder, fps or columns), or
 * null when it is the same dataset. The caller prints it as a warning: its q01/q99 and horizon still apply.
 */
export async function fittedElsewhere(fitted: FittedOn | null, here: { path: string; fps: number; keys: { state: string; action: string } }): Promise<string | null> {
  if (!fitted) return "its preprocess.json does not say which dataset it was fitted on";
  const path = await import("node:path");
  const diffs: string[] = [];
  const was = fitted.absolutePath ?? path.resolve(fitted.path);
  if (was !== path.resolve(here.path)) diffs.push(`folder ${JSON.stringify(fitted.path)}`);
  if (fitted.fps !== here.fps) diffs.push(`fps ${fitted.fps} (this dataset: ${here.fps})`);
  const k = fitted.keys;
  if (k && (k.state !== here.keys.state || k.action !== here.keys.action)) diffs.push(`columns ${k.state}/${k.action} (this dataset: ${here.keys.state}/${here.keys.action})`);
  return diffs.length ? `it was fitted on another dataset: ${diffs.join(", ")}` : null;
}
