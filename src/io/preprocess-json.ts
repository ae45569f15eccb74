import { describe, fail, parseJson } from "../core/index.js";

/**
 * `preprocess.json`: how action chunks were prepared before a tokenizer was fitted on them (written next to the
 * Hugging Face files by the CLI's `fit-tokenizer`, read back by `tokenize`). Plain data in, plain data out.
 */

/** How chunks are prepared before tokenization. */
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

/** The dataset a tokenizer was fitted on (`preprocess.json` → `dataset`). */
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

/** `preprocess.json` as a whole. */
export interface PreprocessFile extends Preprocess {
  dataset: FittedOn | null;
  /** Chunk length in frames the tokenizer was fitted on, when known. */
  horizon: number | null;
}

function isNumList(v: unknown): v is number[] {
  return Array.isArray(v) && v.every((x) => typeof x === "number" && Number.isFinite(x));
}

const isInt = (v: unknown, min: number): v is number => Number.isInteger(v) && (v as number) >= min;

/**
 * Parse and check a `preprocess.json` (text or parsed object). Absent optional fields take the defaults
 * fit-tokenizer writes (`which: "action"`, `seconds: 1`, no stride, no kept dims, no padding); a field of the
 * wrong kind throws a `VlaError` whose `arg` is the field, never a silent fallback. q01/q99 are required unless
 * `norm` is `"none"`.
 */
export function parsePreprocessJson(input: string | object): PreprocessFile {
  const fn = "parsePreprocessJson";
  const j = parseJson(fn, "input", input);
  const bad = (field: string, want: string, got: unknown): never => fail(fn, field, `must be ${want}; got ${JSON.stringify(got)?.slice(0, 60) ?? describe(got)}`);
  if (typeof j !== "object" || j === null || Array.isArray(j)) return bad("input", "a JSON object", j);
  const o = j as Record<string, unknown>;
  const which = o.which ?? "action";
  if (which !== "action" && which !== "state") bad("which", '"action" or "state"', which);
  const seconds = o.seconds ?? 1;
  if (typeof seconds !== "number" || !(seconds > 0) || !Number.isFinite(seconds)) bad("seconds", "a number > 0", seconds);
  const stride = o.stride ?? null;
  if (stride !== null && !isInt(stride, 1)) bad("stride", "null or an integer >= 1", stride);
  const norm = o.norm;
  if (norm !== "q01_q99" && norm !== "openpi" && norm !== "none") bad("norm", '"q01_q99", "openpi" or "none"', norm);
  const keepDims = o.keepDims ?? [];
  if (!Array.isArray(keepDims) || !keepDims.every((d) => isInt(d, 0))) bad("keepDims", "a list of dimension indices", keepDims);
  const padTo = o.padTo ?? null;
  if (padTo !== null && !isInt(padTo, 1)) bad("padTo", "null or an integer >= 1", padTo);
  const q01 = o.q01 ?? null;
  const q99 = o.q99 ?? null;
  if (norm !== "none") {
    if (!isNumList(q01) || q01.length === 0) bad("q01", `a list of finite numbers (norm is ${norm})`, q01);
    if (!isNumList(q99) || q99.length !== (q01 as number[]).length) bad("q99", `a list of ${(q01 as number[]).length} finite numbers like q01`, q99);
  }
  const horizon = o.horizon ?? null;
  if (horizon !== null && !isInt(horizon, 1)) bad("horizon", "an integer >= 1", horizon);
  const ds = o.dataset ?? null;
  if (ds !== null) {
    const d = ds as Record<string, unknown>;
    if (typeof d !== "object" || typeof d.path !== "string" || typeof d.fps !== "number") bad("dataset", "{ path, fps, keys, episodes }", ds);
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
    dataset: ds as FittedOn | null,
    horizon: horizon as number | null,
  };
}

/** `preprocess.json` text (2-space indent, trailing newline), as fit-tokenizer writes it. */
export function serializePreprocessJson(file: PreprocessFile): string {
  return JSON.stringify(file, null, 2) + "\n";
}
