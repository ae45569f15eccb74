import { describe, fail } from "../core/index.js";

/**
 * The safetensors header: parsing the JSON and validating every entry against the size of the data
 * section. Shared by the in-memory reader ({@link readSafetensors}) and the streaming one
 * ({@link openSafetensors}) so both accept and reject exactly the same files.
 */
export type SafetensorsDtype = "F64" | "F32" | "F16" | "BF16" | "I64" | "I32" | "I16" | "I8" | "U16" | "U8" | "BOOL";

/** Header entry of one tensor. */
export interface SafetensorsEntry {
  dtype: SafetensorsDtype;
  shape: number[];
  /** Byte range inside the data section (relative to the end of the header). */
  dataOffsets: [number, number];
}

/** Bytes per element of each dtype. */
export const SAFETENSORS_DTYPE_BYTES: Readonly<Record<SafetensorsDtype, number>> = { F64: 8, F32: 4, F16: 2, BF16: 2, I64: 8, I32: 4, I16: 2, I8: 1, U16: 2, U8: 1, BOOL: 1 };

/** The floating-point dtypes (they decode to `Float32Array`, or `Float64Array` for `F64`). */
export const FLOAT_DTYPES: readonly SafetensorsDtype[] = ["F64", "F32", "F16", "BF16"];

/** The Rust reference refuses headers above 100 MB; so do we (a corrupt length would otherwise allocate gigabytes). */
export const MAX_HEADER_BYTES = 100_000_000;

export interface ParsedHeader {
  metadata: Record<string, string>;
  entries: Map<string, SafetensorsEntry>;
}

function where(file: string | undefined): string {
  return file === undefined ? "" : ` of ${JSON.stringify(file)}`;
}

/**
 * Check the 8-byte header length `n` against the file size. `fn` names the calling function in the error.
 */
export function checkHeaderLength(fn: string, file: string | undefined, n: bigint, fileSize: number): number {
  const arg = file === undefined ? "bytes" : JSON.stringify(file);
  if (n > BigInt(MAX_HEADER_BYTES)) fail(fn, arg, `has a header length of ${n} bytes, above the ${MAX_HEADER_BYTES}-byte limit (not a safetensors file, or a corrupt one)`);
  const len = Number(n);
  if (len > fileSize - 8) fail(fn, arg, `has a header length of ${len} bytes, which exceeds the ${fileSize}-byte file size (after the 8-byte length): the file is truncated or not safetensors`);
  return len;
}

/**
 * Parse the JSON header bytes and validate every entry: a known dtype, a shape of non-negative integers,
 * `data_offsets` `[begin, end]` inside the `dataLen`-byte data section (the first tensor, in file order,
 * that does not fit is named: the file is truncated), `end - begin = count × dtype size`, and no two
 * tensors sharing bytes (both are named, whatever their order in the header).
 */
export function parseSafetensorsHeader(fn: string, file: string | undefined, raw: Uint8Array, dataLen: number): ParsedHeader {
  const arg = file === undefined ? "bytes" : JSON.stringify(file);
  let h: unknown;
  try {
    h = JSON.parse(new TextDecoder().decode(raw));
  } catch (e) {
    fail(fn, arg, `must start with a JSON header; ${(e as Error).message}`);
  }
  if (h === null || typeof h !== "object" || Array.isArray(h)) fail(fn, arg, `header must be a JSON object; got ${describe(h)}`);
  const header = h as Record<string, unknown>;
  const meta = header.__metadata__;
  if (meta !== undefined && (meta === null || typeof meta !== "object" || Array.isArray(meta) || !Object.values(meta).every((v) => typeof v === "string"))) {
    fail(fn, arg, `header __metadata__ must be an object of strings; got ${JSON.stringify(meta)}`);
  }
  const entries = new Map<string, SafetensorsEntry>();
  for (const [name, value] of Object.entries(header)) {
    if (name === "__metadata__") continue;
    entries.set(name, parseEntry(fn, file, name, value));
  }
  checkLayout(fn, file, entries, dataLen);
  return { metadata: { ...((meta as Record<string, string> | undefined) ?? {}) }, entries };
}

function parseEntry(fn: string, file: string | undefined, name: string, value: unknown): SafetensorsEntry {
  if (value === null || typeof value !== "object" || Array.isArray(value)) fail(fn, name, `must be a header entry { dtype, shape, data_offsets }${where(file)}; got ${describe(value)}`);
  const e = value as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
  if (typeof e.dtype !== "string" || !(e.dtype in SAFETENSORS_DTYPE_BYTES)) {
    fail(fn, name, `has an unsupported dtype ${describe(e.dtype)}${where(file)}; supported: ${Object.keys(SAFETENSORS_DTYPE_BYTES).join(", ")}`);
  }
  const dtype = e.dtype as SafetensorsDtype;
  if (!Array.isArray(e.shape) || !e.shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
    fail(fn, name, `must have a shape of non-negative integers${where(file)}; got ${JSON.stringify(e.shape)}`);
  }
  const off = e.data_offsets;
  if (!Array.isArray(off) || off.length !== 2 || !Number.isSafeInteger(off[0]) || !Number.isSafeInteger(off[1]) || off[0] < 0 || off[1] < off[0]) {
    fail(fn, name, `must have data_offsets [begin, end] with 0 <= begin <= end${where(file)}; got ${JSON.stringify(off)}`);
  }
  const shape = [...(e.shape as number[])];
  const count = shape.reduce((a, b) => a * b, 1);
  const size = count * SAFETENSORS_DTYPE_BYTES[dtype];
  if (off[1] - off[0] !== size) {
    fail(fn, name, `must hold ${count} x ${SAFETENSORS_DTYPE_BYTES[dtype]} bytes for shape [${shape.join(", ")}] ${dtype}${where(file)}; got data_offsets ${JSON.stringify(off)} (${off[1] - off[0]} bytes)`);
  }
  return { dtype, shape, dataOffsets: [off[0], off[1]] };
}

function checkLayout(fn: string, file: string | undefined, entries: Map<string, SafetensorsEntry>, dataLen: number): void {
  const sorted = [...entries].sort((a, b) => a[1].dataOffsets[0] - b[1].dataOffsets[0] || a[1].dataOffsets[1] - b[1].dataOffsets[1]);
  const past = sorted.filter(([, e]) => e.dataOffsets[1] > dataLen);
  if (past.length > 0) {
    const [name, e] = past[0];
    const more = past.length > 1 ? ` (${past.length - 1} more tensor${past.length > 2 ? "s" : ""} after it do not fit either)` : "";
    fail(fn, name, `must have data_offsets inside the ${dataLen}-byte data section${where(file)}; got ${JSON.stringify(e.dataOffsets)}, ending ${e.dataOffsets[1] - dataLen} bytes past the end of the file: the file is truncated${more}`);
  }
  // Half-open ranges: an empty tensor shares no bytes with anything.
  let prev: [string, SafetensorsEntry] | undefined;
  for (const cur of sorted) {
    if (cur[1].dataOffsets[0] === cur[1].dataOffsets[1]) continue;
    if (prev && cur[1].dataOffsets[0] < prev[1].dataOffsets[1]) {
      fail(fn, prev[0], `must not overlap ${JSON.stringify(cur[0])}${where(file)}: data_offsets ${JSON.stringify(prev[1].dataOffsets)} and ${JSON.stringify(cur[1].dataOffsets)} share bytes`);
    }
    if (!prev || cur[1].dataOffsets[1] > prev[1].dataOffsets[1]) prev = cur;
  }
}

/** What both safetensors readers (in memory and streaming) answer from the header alone. */
export class SafetensorsTable {
  /** The `__metadata__` string map (empty when absent). */
  readonly metadata: Record<string, string>;
  protected readonly entries: Map<string, SafetensorsEntry>;

  constructor(header: ParsedHeader) {
    this.metadata = header.metadata;
    this.entries = header.entries;
  }

  /** Tensor names in header order. */
  names(): string[] {
    return [...this.entries.keys()];
  }

  has(name: string): boolean {
    return this.entries.has(name);
  }

  /** Header entry (dtype, shape, offsets in the data section) without reading data, or `undefined` (a copy). */
  entry(name: string): SafetensorsEntry | undefined {
    const e = this.entries.get(name);
    return e && { dtype: e.dtype, shape: [...e.shape], dataOffsets: [e.dataOffsets[0], e.dataOffsets[1]] };
  }
}
