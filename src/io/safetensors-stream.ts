import { describe, fail } from "../core/index.js";
import type { ByteSource } from "./byte-source.js";
import { decodeTensorBytes } from "./safetensors-decode.js";
import { checkHeaderLength, parseSafetensorsHeader, SafetensorsTable, type ParsedHeader } from "./safetensors-header.js";
import type { SafeTensor } from "./safetensors.js";

/**
 * One safetensors file opened over a {@link ByteSource}: the header is read and validated up front
 * (two small reads), each tensor's bytes only when asked for. Same checks and dtype mapping as
 * {@link readSafetensors}.
 */
export class SafetensorsHandle extends SafetensorsTable {
  /** The source's name (path / URL), used in every message. */
  readonly name: string;
  /** Total file size in bytes. */
  readonly size: number;
  /** Byte position where the data section starts (8 + header length). */
  readonly dataStart: number;
  private readonly source: ByteSource;

  /** Use {@link openSafetensors}. */
  constructor(source: ByteSource, size: number, dataStart: number, header: ParsedHeader) {
    super(header);
    this.source = source;
    this.name = source.name;
    this.size = size;
    this.dataStart = dataStart;
  }

  /** Byte length of one tensor's data, without reading it (0 for an unknown name). */
  byteLength(name: string): number {
    const e = this.entries.get(name);
    return e ? e.dataOffsets[1] - e.dataOffsets[0] : 0;
  }

  /** The raw little-endian bytes of one tensor (only that range is read). */
  async readBytes(name: string): Promise<Uint8Array> {
    const e = this.entries.get(name);
    if (!e) fail("SafetensorsHandle.read", "name", `must name a tensor in ${JSON.stringify(this.name)}; got ${JSON.stringify(name)} (${this.entries.size} tensors)`);
    const [b, end] = e.dataOffsets;
    const raw = await this.source.read(this.dataStart + b, end - b);
    if (raw.length !== end - b) fail("SafetensorsHandle.read", name, `got ${raw.length} bytes from ${JSON.stringify(this.name)}; expected ${end - b}`);
    return raw;
  }

  /** Read and decode one tensor (`F32`/`F16`/`BF16` → `Float32Array`, see {@link readSafetensors}). */
  async read(name: string): Promise<SafeTensor> {
    const raw = await this.readBytes(name);
    const e = this.entries.get(name)!;
    return { dtype: e.dtype, shape: [...e.shape], data: decodeTensorBytes("SafetensorsHandle.read", name, e.dtype, raw) };
  }

  /** Close the underlying source (a file handle), when it has one. */
  async close(): Promise<void> {
    await this.source.close?.();
  }
}

/**
 * Open a safetensors file without reading its tensors: reads the 8-byte length and the JSON header
 * and validates every entry (known dtype, non-negative integer shape, offsets inside the file — a
 * truncated file names the first tensor that does not fit —, byte length = count × dtype size, no
 * overlapping tensors). Errors are `VlaError`s naming the source and the tensor.
 */
export async function openSafetensors(source: ByteSource): Promise<SafetensorsHandle> {
  const fn = "openSafetensors";
  if (source === null || typeof source !== "object" || typeof source.read !== "function" || typeof source.size !== "function") {
    fail(fn, "source", `must be a ByteSource { name, size(), read(offset, length) }; got ${describe(source)}`);
  }
  const size = await source.size();
  const label = JSON.stringify(source.name);
  if (size < 8) fail(fn, label, `must hold at least the 8-byte header length; got ${size} bytes`);
  const head = await source.read(0, 8);
  const n = checkHeaderLength(fn, source.name, new DataView(head.buffer, head.byteOffset, 8).getBigUint64(0, true), size);
  const json = await source.read(8, n);
  const header = parseSafetensorsHeader(fn, source.name, json, size - 8 - n);
  return new SafetensorsHandle(source, size, 8 + n, header);
}
