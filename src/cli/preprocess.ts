import { ndView, VlaError, type Chunk } from "../core/index.js";
import { parsePreprocessJson, type FittedOn, type Preprocess, type PreprocessFile } from "../io/index.js";
import { normalize, padDims, type NormStats } from "../normalize/index.js";
import { UsageError } from "./cli-io.js";

/** Normalize (normalize module) and zero-pad one chunk `[H, D]`; returns a new packed float64 chunk. */
export function preprocessChunk(c: Chunk, p: Preprocess): Chunk {
  const dim = c.shape[1];
  let out: Chunk = c;
  if (p.norm !== "none") {
    if (!p.q01 || !p.q99) throw new UsageError(`normalization "${p.norm}" needs q01/q99`);
    const stats: NormStats = { q01: p.q01, q99: p.q99 };
    const keep = new Set(p.keepDims);
    const mask = p.q01.map((_, d) => !keep.has(d));
    out = normalize(c, stats, { mode: p.norm, mask });
  }
  if (p.padTo === null || p.padTo === dim) return out === c ? ndView(Float64Array.from(c.data), c.shape) : out;
  if (p.padTo < dim) throw new UsageError(`--pad-to ${p.padTo} is smaller than the data's ${dim} dimensions`);
  return padDims(out, p.padTo).values;
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

/**
 * Read and check `DIR/preprocess.json` (parsed by io's `parsePreprocessJson`). Missing → `null` (a tokenizer not
 * written by fit-tokenizer, e.g. a Hugging Face download); unreadable JSON or a field of the wrong kind → a
 * {@link UsageError} naming the file and the field, never a silent fallback to defaults.
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
  try {
    return parsePreprocessJson(text);
  } catch (e) {
    if (!(e instanceof VlaError)) throw e;
    const detail = e.message.slice(`${e.fn}: ${e.arg} `.length);
    const syntax = /^must be valid JSON; got a parse error: (.*)$/s.exec(detail);
    if (syntax) throw new UsageError(`${command}: ${JSON.stringify(file)} is not valid JSON (${syntax[1]}); rewrite it with fit-tokenizer or delete it`);
    throw new UsageError(`${command}: ${JSON.stringify(file)}: "${e.arg === "input" ? "(top level)" : e.arg}" ${detail}`);
  }
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
