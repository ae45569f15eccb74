import { describe, fail } from "../core/index.js";
import type { SafetensorsDtype } from "./safetensors-header.js";

/** Where one tensor of a checkpoint lives and what it holds (no data read). */
export interface CheckpointEntry {
  dtype: SafetensorsDtype;
  shape: number[];
  /** The file holding it, relative to the snapshot root (`model-00001-of-00002.safetensors`). */
  file: string;
  /** Bytes of its data. */
  byteLength: number;
}

export interface CheckOptions {
  /** Names to leave out of the comparison entirely (not reported as missing, unexpected or mismatched). */
  ignore?: (name: string) => boolean;
  /** Dtypes the caller can use for every expected tensor (e.g. {@link FLOAT_DTYPES}); default: any. */
  dtypes?: readonly SafetensorsDtype[];
}

/** The outcome of comparing a checkpoint with the tensors a model expects. */
export interface CheckpointReport {
  /** True when all four lists are empty. */
  ok: boolean;
  /** Expected, but in no file of the checkpoint. */
  missing: { name: string; expected: number[] }[];
  /** In the checkpoint, but not expected. */
  unexpected: { name: string; file: string; shape: number[]; dtype: SafetensorsDtype }[];
  wrongShape: { name: string; file: string; expected: number[]; actual: number[] }[];
  /** Expected tensors stored in a dtype outside `options.dtypes` (e.g. `I64` where a float is needed). */
  wrongDtype: { name: string; file: string; dtype: SafetensorsDtype; expected: readonly SafetensorsDtype[] }[];
}

const shapeStr = (s: readonly number[]) => `[${s.join(", ")}]`;

/** Compare checkpoint entries with `expected` (name → shape). `fn` labels errors in the arguments. */
export function compareCheckpoint(
  fn: string,
  names: readonly string[],
  entry: (name: string) => CheckpointEntry | undefined,
  expected: Readonly<Record<string, readonly number[]>>,
  options: CheckOptions = {},
): CheckpointReport {
  if (expected === null || typeof expected !== "object" || Array.isArray(expected)) fail(fn, "expected", `must be an object { tensor name: shape }; got ${describe(expected)}`);
  const ignore = options.ignore ?? (() => false);
  if (typeof ignore !== "function") fail(fn, "options.ignore", `must be a function (name) => boolean; got ${describe(ignore)}`);
  const dtypes = options.dtypes;
  if (dtypes !== undefined && !Array.isArray(dtypes)) fail(fn, "options.dtypes", `must be an array of dtypes; got ${describe(dtypes)}`);
  const report: CheckpointReport = { ok: true, missing: [], unexpected: [], wrongShape: [], wrongDtype: [] };
  for (const [name, shape] of Object.entries(expected)) {
    if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) fail(fn, `expected[${JSON.stringify(name)}]`, `must be a shape of non-negative integers; got ${JSON.stringify(shape)}`);
    if (ignore(name)) continue;
    const e = entry(name);
    if (!e) {
      report.missing.push({ name, expected: [...shape] });
      continue;
    }
    if (e.shape.length !== shape.length || e.shape.some((d, i) => d !== shape[i])) report.wrongShape.push({ name, file: e.file, expected: [...shape], actual: [...e.shape] });
    if (dtypes && !dtypes.includes(e.dtype)) report.wrongDtype.push({ name, file: e.file, dtype: e.dtype, expected: dtypes });
  }
  for (const name of names) {
    if (Object.prototype.hasOwnProperty.call(expected, name) || ignore(name)) continue;
    const e = entry(name)!;
    report.unexpected.push({ name, file: e.file, shape: [...e.shape], dtype: e.dtype });
  }
  report.ok = report.missing.length + report.unexpected.length + report.wrongShape.length + report.wrongDtype.length === 0;
  return report;
}

/** At most `limit` lines, then "… and N more". */
function section(title: string, lines: string[], limit: number): string[] {
  if (lines.length === 0) return [];
  const shown = lines.slice(0, limit).map((l) => `    ${l}`);
  if (lines.length > limit) shown.push(`    … and ${lines.length - limit} more`);
  return [`  ${title} (${lines.length}):`, ...shown];
}

/** The report as one multi-line message (empty string when `ok`). */
export function formatCheckpointReport(report: CheckpointReport, limit = 10): string {
  if (report.ok) return "";
  const counts = [
    `${report.missing.length} missing`,
    `${report.unexpected.length} unexpected`,
    `${report.wrongShape.length} with the wrong shape`,
    `${report.wrongDtype.length} with an unusable dtype`,
  ].join(", ");
  return [
    `does not match the expected tensors (${counts}):`,
    ...section("missing", report.missing.map((m) => `${m.name}: expected ${shapeStr(m.expected)}, in no file`), limit),
    ...section("unexpected", report.unexpected.map((u) => `${u.name}: ${shapeStr(u.shape)} ${u.dtype} in ${u.file}`), limit),
    ...section("wrong shape", report.wrongShape.map((w) => `${w.name}: expected ${shapeStr(w.expected)}, got ${shapeStr(w.actual)} in ${w.file}`), limit),
    ...section("unusable dtype", report.wrongDtype.map((w) => `${w.name}: ${w.dtype} in ${w.file}, expected one of ${w.expected.join(", ")}`), limit),
  ].join("\n");
}
