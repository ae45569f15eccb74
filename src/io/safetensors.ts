import { describe, fail } from "../core/index.js";

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
export type SafetensorsDtype = "F64" | "F32" | "F16" | "BF16" | "I64" | "I32" | "I16" | "I8" | "U16" | "U8" | "BOOL";

/** One decoded tensor: row-major data, its shape, and the dtype it was stored with. */
export interface SafeTensor {
  dtype: SafetensorsDtype;
  shape: number[];
  data: Float32Array | Float64Array | Int32Array | Uint8Array;
}

/** Header entry of one tensor. */
export interface SafetensorsEntry {
  dtype: SafetensorsDtype;
  shape: number[];
  /** Byte range inside the data section. */
  dataOffsets: [number, number];
}

const BYTES: Record<SafetensorsDtype, number> = { F64: 8, F32: 4, F16: 2, BF16: 2, I64: 8, I32: 4, I16: 2, I8: 1, U16: 2, U8: 1, BOOL: 1 };

/** A parsed safetensors file; tensors are decoded lazily by {@link SafetensorsFile.get}. */
export class SafetensorsFile {
  /** The `__metadata__` string map (empty when absent). */
  readonly metadata: Record<string, string>;
  private readonly entries: Map<string, SafetensorsEntry>;
  private readonly bytes: Uint8Array;
  private readonly dataStart: number;

  constructor(bytes: Uint8Array) {
    const fn = "readSafetensors";
    if (!(bytes instanceof Uint8Array)) fail(fn, "bytes", `must be a Uint8Array; got ${describe(bytes)}`);
    if (bytes.length < 8) fail(fn, "bytes", `must hold at least the 8-byte header length; got ${bytes.length} bytes`);
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const n = Number(view.getBigUint64(0, true));
    if (n > bytes.length - 8) fail(fn, "bytes", `header length ${n} exceeds the file size ${bytes.length}`);
    const header = parseHeader(fn, bytes.subarray(8, 8 + n));
    this.bytes = bytes;
    this.dataStart = 8 + n;
    this.metadata = (header.__metadata__ as Record<string, string> | undefined) ?? {};
    this.entries = new Map();
    const dataLen = bytes.length - this.dataStart;
    for (const [name, raw] of Object.entries(header)) {
      if (name === "__metadata__") continue;
      const e = raw as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
      if (typeof e.dtype !== "string" || !(e.dtype in BYTES)) fail(fn, name, `has an unsupported dtype ${describe(e.dtype)}; supported: ${Object.keys(BYTES).join(", ")}`);
      const dtype = e.dtype as SafetensorsDtype;
      if (!Array.isArray(e.shape) || !e.shape.every((d) => Number.isInteger(d) && d >= 0)) fail(fn, name, `must have a shape of non-negative integers; got ${JSON.stringify(e.shape)}`);
      const off = e.data_offsets;
      if (!Array.isArray(off) || off.length !== 2 || !Number.isInteger(off[0]) || !Number.isInteger(off[1]) || off[0] < 0 || off[1] < off[0] || off[1] > dataLen) {
        fail(fn, name, `must have data_offsets [begin, end] inside the ${dataLen}-byte data section; got ${JSON.stringify(off)}`);
      }
      const shape = e.shape as number[];
      const count = shape.reduce((a, b) => a * b, 1);
      if ((off[1] - off[0]) !== count * BYTES[dtype]) {
        fail(fn, name, `must hold ${count} x ${BYTES[dtype]} bytes for shape [${shape.join(", ")}] ${dtype}; got ${off[1] - off[0]} bytes`);
      }
      this.entries.set(name, { dtype, shape, dataOffsets: [off[0], off[1]] });
    }
  }

  /** Tensor names in header order. */
  names(): string[] {
    return [...this.entries.keys()];
  }

  has(name: string): boolean {
    return this.entries.has(name);
  }

  /** Header entry (dtype, shape, offsets) without decoding, or `undefined`. */
  entry(name: string): SafetensorsEntry | undefined {
    return this.entries.get(name);
  }

  /** Decode one tensor (see the module comment for the dtype mapping). Throws naming the tensor if absent. */
  get(name: string): SafeTensor {
    const e = this.entries.get(name);
    if (!e) return fail("SafetensorsFile.get", "name", `must name a tensor in the file; got ${JSON.stringify(name)} (${this.entries.size} tensors)`);
    const [b, end] = e.dataOffsets;
    const raw = this.bytes.subarray(this.dataStart + b, this.dataStart + end);
    return { dtype: e.dtype, shape: [...e.shape], data: decode(name, e.dtype, raw) };
  }
}

function parseHeader(fn: string, raw: Uint8Array): Record<string, unknown> {
  let h: unknown;
  try {
    h = JSON.parse(new TextDecoder().decode(raw));
  } catch (e) {
    fail(fn, "bytes", `must start with a JSON header; ${(e as Error).message}`);
  }
  if (h === null || typeof h !== "object" || Array.isArray(h)) fail(fn, "bytes", `header must be a JSON object; got ${describe(h)}`);
  return h as Record<string, unknown>;
}

/** Parse safetensors bytes (e.g. `fs.readFileSync(path)`); tensors decode lazily. */
export function readSafetensors(bytes: Uint8Array): SafetensorsFile {
  return new SafetensorsFile(bytes);
}

function decode(name: string, dtype: SafetensorsDtype, raw: Uint8Array): SafeTensor["data"] {
  const n = raw.length / BYTES[dtype];
  const v = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  switch (dtype) {
    case "F32": {
      const out = new Float32Array(n);
      for (let i = 0; i < n; i++) out[i] = v.getFloat32(4 * i, true);
      return out;
    }
    case "F64": {
      const out = new Float64Array(n);
      for (let i = 0; i < n; i++) out[i] = v.getFloat64(8 * i, true);
      return out;
    }
    case "F16": {
      const out = new Float32Array(n);
      for (let i = 0; i < n; i++) out[i] = f16ToF32(v.getUint16(2 * i, true));
      return out;
    }
    case "BF16": {
      const out = new Float32Array(n);
      const u = new Uint32Array(out.buffer);
      for (let i = 0; i < n; i++) u[i] = v.getUint16(2 * i, true) << 16;
      return out;
    }
    case "I64": {
      const out = new Int32Array(n);
      for (let i = 0; i < n; i++) {
        const x = v.getBigInt64(8 * i, true);
        if (x > 2147483647n || x < -2147483648n) fail("SafetensorsFile.get", name, `holds I64 value ${x} at [${i}] outside the int32 range this reader returns`);
        out[i] = Number(x);
      }
      return out;
    }
    case "I32": {
      const out = new Int32Array(n);
      for (let i = 0; i < n; i++) out[i] = v.getInt32(4 * i, true);
      return out;
    }
    case "I16": {
      const out = new Int32Array(n);
      for (let i = 0; i < n; i++) out[i] = v.getInt16(2 * i, true);
      return out;
    }
    case "U16": {
      const out = new Int32Array(n);
      for (let i = 0; i < n; i++) out[i] = v.getUint16(2 * i, true);
      return out;
    }
    case "I8": {
      const out = new Int32Array(n);
      for (let i = 0; i < n; i++) out[i] = v.getInt8(i);
      return out;
    }
    case "U8":
    case "BOOL":
      return Uint8Array.from(raw);
  }
}

/** IEEE half → float. */
export function f16ToF32(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const m = h & 0x3ff;
  if (e === 0) return s * m * 2 ** -24;
  if (e === 31) return m ? NaN : s * Infinity;
  return s * (1 + m / 1024) * 2 ** (e - 15);
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

/**
 * Serialise tensors into safetensors bytes (header padded with spaces to a multiple of 8, tensors
 * in the order given). Used by tests and by tools that export a tiny checkpoint.
 */
export function writeSafetensors(tensors: Record<string, SafeTensorInput>, metadata?: Record<string, string>): Uint8Array {
  const fn = "writeSafetensors";
  const header: Record<string, unknown> = {};
  if (metadata) header.__metadata__ = metadata;
  let offset = 0;
  const plan: { name: string; t: SafeTensorInput; dtype: SafetensorsDtype; begin: number }[] = [];
  for (const [name, t] of Object.entries(tensors)) {
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
