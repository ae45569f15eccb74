import { describe, fail, isNdArray, rowMajor, type NdArray } from "../core/index.js";
import { decodeTensorBytes } from "./safetensors-decode.js";
import { checkHeaderLength, parseSafetensorsHeader, SAFETENSORS_DTYPE_BYTES, SafetensorsTable, type SafetensorsDtype, type SafetensorsEntry } from "./safetensors-header.js";

/**
 * safetensors (Hugging Face) read/write on plain bytes, no tfjs.
 *
 * Layout: an 8-byte little-endian header length `N`, then `N` bytes of JSON
 * `{ name: { dtype, shape, data_offsets: [begin, end] }, "__metadata__"?: { string: string } }`,
 * then the raw little-endian tensor bytes (offsets are relative to the end of the header).
 *
 * Decoding: `F32`, `F16`, `BF16` → `Float32Array`; `F64` → `Float64Array`; `I64`, `I32`, `I16`, `I8`,
 * `U16` → `Int32Array` (an `I64` value outside the int32 range is an error naming the tensor);
 * `U8`, `BOOL` → `Uint8Array`.
 */
export type { SafetensorsDtype, SafetensorsEntry } from "./safetensors-header.js";
export { f16ToF32 } from "./safetensors-decode.js";

/** One decoded tensor: row-major data, its shape, and the dtype it was stored with. */
export interface SafeTensor {
  dtype: SafetensorsDtype;
  shape: number[];
  data: Float32Array | Float64Array | Int32Array | Uint8Array;
}

const BYTES = SAFETENSORS_DTYPE_BYTES;

/** A parsed safetensors file; tensors are decoded lazily by {@link SafetensorsFile.get}. */
export class SafetensorsFile extends SafetensorsTable {
  /** The file name given to {@link readSafetensors} (for messages), if any. */
  readonly name: string | undefined;
  private readonly bytes: Uint8Array;
  private readonly dataStart: number;

  /**
   * Validates the whole header (see {@link parseSafetensorsHeader}): unknown dtypes, bad shapes,
   * offsets past the end (a truncated file) and overlapping tensors throw a `VlaError` naming the tensor.
   */
  constructor(bytes: Uint8Array, name?: string) {
    const fn = "readSafetensors";
    if (!(bytes instanceof Uint8Array)) fail(fn, "bytes", `must be a Uint8Array; got ${describe(bytes)}`);
    if (name !== undefined && typeof name !== "string") fail(fn, "name", `must be a string when given; got ${describe(name)}`);
    if (bytes.length < 8) fail(fn, name === undefined ? "bytes" : JSON.stringify(name), `must hold at least the 8-byte header length; got ${bytes.length} bytes`);
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const n = checkHeaderLength(fn, name, view.getBigUint64(0, true), bytes.length);
    super(parseSafetensorsHeader(fn, name, bytes.subarray(8, 8 + n), bytes.length - 8 - n));
    this.bytes = bytes;
    this.name = name;
    this.dataStart = 8 + n;
  }

  /** Decode one tensor (see the module comment for the dtype mapping). Throws naming the tensor if absent. */
  get(name: string): SafeTensor {
    const e = this.entries.get(name);
    if (!e) return fail("SafetensorsFile.get", "name", `must name a tensor in the file; got ${JSON.stringify(name)} (${this.entries.size} tensors)`);
    const [b, end] = e.dataOffsets;
    const raw = this.bytes.subarray(this.dataStart + b, this.dataStart + end);
    return { dtype: e.dtype, shape: [...e.shape], data: decodeTensorBytes("SafetensorsFile.get", name, e.dtype, raw) };
  }
}

/**
 * Parse safetensors bytes (e.g. `fs.readFileSync(path)`); tensors decode lazily. `name` (a file name)
 * only labels error messages. To read a large file without loading it, use {@link openSafetensors}.
 */
export function readSafetensors(bytes: Uint8Array, name?: string): SafetensorsFile {
  return new SafetensorsFile(bytes, name);
}

/** float → IEEE half, round to nearest even (overflow → ±Infinity). */
export function f32ToF16(x: number): number {
  const f = new Float32Array([x]);
  const u = new Uint32Array(f.buffer)[0];
  const sign = (u >>> 16) & 0x8000;
  const exp = (u >>> 23) & 0xff;
  let mant = u & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  const e = exp - 127 + 15;
  if (e >= 31) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    let half = mant >> shift;
    const rem = mant & ((1 << shift) - 1);
    const mid = 1 << (shift - 1);
    if (rem > mid || (rem === mid && half & 1)) half++;
    return sign | half;
  }
  let half = (e << 10) | (mant >> 13);
  const rem = mant & 0x1fff;
  if (rem > 0x1000 || (rem === 0x1000 && half & 1)) half++;
  return sign | half;
}

/** float → bfloat16 bits, round to nearest even. */
export function f32ToBf16(x: number): number {
  const f = new Float32Array([x]);
  const u = new Uint32Array(f.buffer)[0];
  if ((u & 0x7f800000) === 0x7f800000 && u & 0x7fffff) return (u >>> 16) | 0x40;
  const lsb = (u >>> 16) & 1;
  return ((u + 0x7fff + lsb) >>> 16) & 0xffff;
}

/** A tensor to write: row-major values, its shape, and the dtype to store (default `F32`). */
export interface SafeTensorInput {
  shape: readonly number[];
  data: ArrayLike<number>;
  dtype?: "F32" | "F16" | "BF16" | "F64" | "I64" | "I32" | "U8";
}

const NDARRAY_DTYPES: Partial<Record<string, SafeTensorInput["dtype"]>> = { float32: "F32", float64: "F64", int32: "I32", uint8: "U8" };

/** A tensor given as an ndarray: its shape, its values in row-major order, its dtype (float32/float64/int32/uint8). */
function fromNdArray(fn: string, name: string, a: NdArray): SafeTensorInput {
  const dtype = NDARRAY_DTYPES[a.dtype];
  if (!dtype) fail(fn, name, `must be a float32, float64, int32 or uint8 ndarray; got dtype ${describe(a.dtype)}`);
  return { shape: a.shape, data: rowMajor(a), dtype };
}

/**
 * Serialise tensors into safetensors bytes (header padded with spaces to a multiple of 8, tensors
 * in the order given). A tensor is `{ shape, data, dtype? }` or an ndarray (dtype from its data). Used by tests and by tools that export a tiny checkpoint.
 */
export function writeSafetensors(tensors: Record<string, SafeTensorInput | NdArray>, metadata?: Record<string, string>): Uint8Array {
  const fn = "writeSafetensors";
  const header: Record<string, unknown> = {};
  if (metadata) header.__metadata__ = metadata;
  let offset = 0;
  const plan: { name: string; t: SafeTensorInput; dtype: SafetensorsDtype; begin: number }[] = [];
  for (const [name, given] of Object.entries(tensors)) {
    const t = isNdArray(given) ? fromNdArray(fn, name, given) : given;
    const dtype = t.dtype ?? "F32";
    if (!(dtype in BYTES)) fail(fn, name, `has an unsupported dtype ${describe(dtype)}`);
    if (!t.shape.every((d) => Number.isInteger(d) && d >= 0)) fail(fn, name, `must have a shape of non-negative integers; got ${JSON.stringify(t.shape)}`);
    const count = t.shape.reduce((a, b) => a * b, 1);
    if (t.data.length !== count) fail(fn, name, `must have ${count} values for shape [${t.shape.join(", ")}]; got ${t.data.length}`);
    const size = count * BYTES[dtype];
    header[name] = { dtype, shape: [...t.shape], data_offsets: [offset, offset + size] };
    plan.push({ name, t, dtype, begin: offset });
    offset += size;
  }
  let json = JSON.stringify(header);
  while ((8 + new TextEncoder().encode(json).length) % 8 !== 0) json += " ";
  const hb = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + hb.length + offset);
  const v = new DataView(out.buffer);
  v.setBigUint64(0, BigInt(hb.length), true);
  out.set(hb, 8);
  const base = 8 + hb.length;
  for (const { t, dtype, begin } of plan) {
    const d = t.data;
    const o = base + begin;
    for (let i = 0; i < d.length; i++) {
      const x = d[i];
      switch (dtype) {
        case "F32": v.setFloat32(o + 4 * i, x, true); break;
        case "F64": v.setFloat64(o + 8 * i, x, true); break;
        case "F16": v.setUint16(o + 2 * i, f32ToF16(x), true); break;
        case "BF16": v.setUint16(o + 2 * i, f32ToBf16(x), true); break;
        case "I64": v.setBigInt64(o + 8 * i, BigInt(Math.trunc(x)), true); break;
        case "I32": v.setInt32(o + 4 * i, x, true); break;
        default: v.setUint8(o + i, x);
      }
    }
  }
  return out;
}
