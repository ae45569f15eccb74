import { describe, fail } from "../core/index.js";
import type { FileProvider } from "./file-provider.js";
import { compareCheckpoint, formatCheckpointReport, type CheckOptions, type CheckpointEntry, type CheckpointReport } from "./safetensors-check.js";
import { FLOAT_DTYPES } from "./safetensors-header.js";
import { parseSafetensorsIndex, type SafetensorsIndex } from "./safetensors-index.js";
import { openSafetensors, type SafetensorsHandle } from "./safetensors-stream.js";
import type { SafeTensor } from "./safetensors.js";

/** Reported after each tensor is read: bytes of distinct tensors read so far, out of the whole checkpoint. */
export interface CheckpointProgress {
  loadedBytes: number;
  totalBytes: number;
  /** The shard (or single file) the tensor came from. */
  file: string;
  tensor: string;
}

export interface OpenCheckpointOptions {
  /** Called after each tensor read (by `read`, `readFloat` or `readAll`). */
  onProgress?: (p: CheckpointProgress) => void;
  /**
   * The file to open instead of the default (`model.safetensors.index.json`, else `model.safetensors`):
   * an index when it ends in `.index.json`, else one safetensors file.
   */
  file?: string;
}

const INDEX = "model.safetensors.index.json";
const SINGLE = "model.safetensors";

function list(names: readonly string[], limit = 10): string {
  const shown = names.slice(0, limit).map((n) => JSON.stringify(n)).join(", ");
  return names.length > limit ? `${shown}, … and ${names.length - limit} more` : shown;
}

/**
 * A Hugging Face checkpoint (one `model.safetensors`, or an index and its shards) opened through a
 * {@link FileProvider}: every header is read and validated, no tensor data until asked for.
 */
export class CheckpointReader {
  /** Provider and entry file, for messages: `folder "/m": model.safetensors.index.json (3 shards)`. */
  readonly describe: string;
  /** The safetensors files, relative to the snapshot root. */
  readonly files: string[];
  /** Bytes of tensor data over all files (what the progress callback counts to). */
  readonly totalBytes: number;
  /** The parsed index of a sharded checkpoint (undefined for a single file). */
  readonly index: SafetensorsIndex | undefined;
  private readonly where: Map<string, { handle: SafetensorsHandle; file: string }>;
  private readonly onProgress: ((p: CheckpointProgress) => void) | undefined;
  private readonly loaded = new Set<string>();
  private loadedBytes = 0;

  /** Use {@link openCheckpoint}. */
  constructor(describe: string, files: string[], where: Map<string, { handle: SafetensorsHandle; file: string }>, index: SafetensorsIndex | undefined, onProgress?: (p: CheckpointProgress) => void) {
    this.describe = describe;
    this.files = files;
    this.where = where;
    this.index = index;
    this.onProgress = onProgress;
    let total = 0;
    for (const [name, w] of where) total += w.handle.byteLength(name);
    this.totalBytes = total;
  }

  /** Tensor names (index order for a sharded checkpoint, header order for one file). */
  names(): string[] {
    return [...this.where.keys()];
  }

  has(name: string): boolean {
    return this.where.has(name);
  }

  /** dtype, shape, file and byte length of one tensor, or `undefined` when absent. */
  entry(name: string): CheckpointEntry | undefined {
    const w = this.where.get(name);
    const e = w?.handle.entry(name);
    return w && e && { dtype: e.dtype, shape: e.shape, file: w.file, byteLength: e.dataOffsets[1] - e.dataOffsets[0] };
  }

  /** Read and decode one tensor (only its bytes are fetched). Throws naming the tensor when absent. */
  async read(name: string): Promise<SafeTensor> {
    const w = this.where.get(name);
    if (!w) fail("CheckpointReader.read", "name", `must name a tensor of ${this.describe}; got ${JSON.stringify(name)} (${this.where.size} tensors)`);
    const t = await w.handle.read(name);
    if (!this.loaded.has(name)) {
      this.loaded.add(name);
      this.loadedBytes += w.handle.byteLength(name);
    }
    this.onProgress?.({ loadedBytes: this.loadedBytes, totalBytes: this.totalBytes, file: w.file, tensor: name });
    return t;
  }

  /**
   * Read a tensor a model uses as floats: `F32`/`F16`/`BF16` → `Float32Array`, `F64` → `Float64Array`.
   * Another dtype (e.g. `I64`) throws a `VlaError` naming the tensor, its dtype and its file.
   */
  async readFloat(name: string): Promise<SafeTensor & { data: Float32Array | Float64Array }> {
    const e = this.entry(name);
    if (e && !FLOAT_DTYPES.includes(e.dtype)) fail("CheckpointReader.readFloat", name, `must be a float tensor (${FLOAT_DTYPES.join(", ")}); got ${e.dtype} in ${e.file}`);
    return (await this.read(name)) as SafeTensor & { data: Float32Array | Float64Array };
  }

  /** Read several tensors (default: all), a few at a time, into a map by name. */
  async readAll(names: readonly string[] = this.names(), concurrency = 4): Promise<Map<string, SafeTensor>> {
    if (!Number.isSafeInteger(concurrency) || concurrency < 1) fail("CheckpointReader.readAll", "concurrency", `must be a positive integer; got ${describe(concurrency)}`);
    const absent = names.filter((n) => !this.where.has(n));
    if (absent.length > 0) fail("CheckpointReader.readAll", "names", `must name tensors of ${this.describe}; ${absent.length} are absent: ${list(absent)}`);
    const out = new Map<string, SafeTensor>();
    let next = 0;
    const worker = async () => {
      while (next < names.length) {
        const name = names[next++];
        out.set(name, await this.read(name));
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, names.length) }, worker));
    return new Map(names.map((n) => [n, out.get(n)!]));
  }

  /** Compare with the tensors a model expects (name → shape) without throwing; see {@link CheckpointReport}. */
  compare(expected: Readonly<Record<string, readonly number[]>>, options?: CheckOptions): CheckpointReport {
    return compareCheckpoint("CheckpointReader.compare", this.names(), (n) => this.entry(n), expected, options);
  }

  /**
   * Like {@link CheckpointReader.compare}, but throws ONE `VlaError` listing the missing, unexpected,
   * mis-shaped (and, with `options.dtypes`, wrongly typed) tensors with their files, ten of each at most.
   */
  check(expected: Readonly<Record<string, readonly number[]>>, options?: CheckOptions): void {
    const report = compareCheckpoint("CheckpointReader.check", this.names(), (n) => this.entry(n), expected, options);
    if (!report.ok) fail("CheckpointReader.check", this.describe, formatCheckpointReport(report));
  }

  /** Close every file (file handles on Node). */
  async close(): Promise<void> {
    const handles = new Set([...this.where.values()].map((w) => w.handle));
    await Promise.all([...handles].map((h) => h.close()));
  }
}

async function closeAll(handles: Iterable<SafetensorsHandle>): Promise<void> {
  await Promise.all([...handles].map((h) => h.close().catch(() => undefined)));
}

/**
 * Open the checkpoint of a snapshot: `model.safetensors.index.json` and every shard it names, else a
 * single `model.safetensors` (or `options.file`). Throws a `VlaError` when neither exists, when a shard is
 * missing (naming it and the tensors the index puts in it), or when a shard lacks a tensor the index
 * places there.
 */
export async function openCheckpoint(files: FileProvider, options: OpenCheckpointOptions = {}): Promise<CheckpointReader> {
  const fn = "openCheckpoint";
  if (files === null || typeof files !== "object" || typeof files.open !== "function" || typeof files.has !== "function") {
    fail(fn, "files", `must be a FileProvider { describe, has, open, readText } (nodeFolder(dir) or fileMap(...)); got ${describe(files)}`);
  }
  if (options.onProgress !== undefined && typeof options.onProgress !== "function") fail(fn, "options.onProgress", `must be a function; got ${describe(options.onProgress)}`);
  let entry = options.file;
  if (entry === undefined) {
    if (await files.has(INDEX)) entry = INDEX;
    else if (await files.has(SINGLE)) entry = SINGLE;
    else fail(fn, "files", `must hold ${INDEX} or ${SINGLE}; ${files.describe} has neither`);
  }
  if (!entry.endsWith(".index.json")) {
    const handle = await openSafetensors(await files.open(entry));
    const where = new Map(handle.names().map((n) => [n, { handle, file: entry }]));
    return new CheckpointReader(`${files.describe}: ${entry}`, [entry], where, undefined, options.onProgress);
  }
  const index = parseSafetensorsIndex(await files.readText(entry), entry);
  const byShard = new Map<string, string[]>(index.shards.map((s) => [s, []]));
  for (const [name, shard] of index.weightMap) byShard.get(shard)!.push(name);
  const absent: string[] = [];
  for (const shard of index.shards) if (!(await files.has(shard))) absent.push(shard);
  if (absent.length > 0) {
    const lines = absent.map((s) => `${JSON.stringify(s)} (${entry} puts ${byShard.get(s)!.length} tensors in it: ${list(byShard.get(s)!)})`);
    fail(fn, "files", `must hold every shard named by ${entry}; ${files.describe} lacks ${absent.length === 1 ? "" : `${absent.length} shards: `}${lines.join("; ")}`);
  }
  const handles = new Map<string, SafetensorsHandle>();
  try {
    for (const shard of index.shards) handles.set(shard, await openSafetensors(await files.open(shard)));
    const where = new Map<string, { handle: SafetensorsHandle; file: string }>();
    for (const [name, shard] of index.weightMap) {
      const handle = handles.get(shard)!;
      where.set(name, { handle, file: shard });
    }
    for (const shard of index.shards) {
      const lacking = byShard.get(shard)!.filter((n) => !handles.get(shard)!.has(n));
      if (lacking.length > 0) fail(fn, JSON.stringify(shard), `must hold the ${lacking.length} tensor${lacking.length === 1 ? "" : "s"} ${entry} puts in it but does not: ${list(lacking)}`);
    }
    const desc = `${files.describe}: ${entry} (${index.shards.length} shard${index.shards.length === 1 ? "" : "s"})`;
    return new CheckpointReader(desc, [...index.shards], where, index, options.onProgress);
  } catch (e) {
    await closeAll(handles.values());
    throw e;
  }
}
