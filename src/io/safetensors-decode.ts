import { fail } from "../core/index.js";
import { SAFETENSORS_DTYPE_BYTES, type SafetensorsDtype } from "./safetensors-header.js";

/**
 * Raw little-endian safetensors bytes → typed arrays. `F32`, `F16`, `BF16` → `Float32Array`;
 * `F64` → `Float64Array`; `I64`, `I32`, `I16`, `I8`, `U16` → `Int32Array` (an `I64` value outside the
 * int32 range is an error naming the tensor); `U8`, `BOOL` → `Uint8Array`. The result never shares
 * memory with `raw`.
 */
export type TensorData = Float32Array | Float64Array | Int32Array | Uint8Array;

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

let f16Table: Float32Array | undefined;

/** IEEE half → float. */
export function f16ToF32(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const m = h & 0x3ff;
  if (e === 0) return s * m * 2 ** -24;
  if (e === 31) return m ? NaN : s * Infinity;
  return s * (1 + m / 1024) * 2 ** (e - 15);
}

function halfTable(): Float32Array {
  if (!f16Table) {
    f16Table = new Float32Array(65536);
    for (let i = 0; i < 65536; i++) f16Table[i] = f16ToF32(i);
  }
  return f16Table;
}

/** A copy of `raw` in a fresh, aligned buffer. */
function copyBuffer(raw: Uint8Array): ArrayBuffer {
  const out = new ArrayBuffer(raw.byteLength);
  new Uint8Array(out).set(raw);
  return out;
}

/** Decode one tensor's bytes; `fn` and `name` label the error for an out-of-range `I64`. */
export function decodeTensorBytes(fn: string, name: string, dtype: SafetensorsDtype, raw: Uint8Array): TensorData {
  const n = raw.length / SAFETENSORS_DTYPE_BYTES[dtype];
  const v = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  switch (dtype) {
    case "F32": {
      if (LITTLE_ENDIAN) return new Float32Array(copyBuffer(raw));
      const out = new Float32Array(n);
      for (let i = 0; i < n; i++) out[i] = v.getFloat32(4 * i, true);
      return out;
    }
    case "F64": {
      if (LITTLE_ENDIAN) return new Float64Array(copyBuffer(raw));
      const out = new Float64Array(n);
      for (let i = 0; i < n; i++) out[i] = v.getFloat64(8 * i, true);
      return out;
    }
    case "F16": {
      const t = halfTable();
      const out = new Float32Array(n);
      for (let i = 0; i < n; i++) out[i] = t[v.getUint16(2 * i, true)];
      return out;
    }
    case "BF16": {
      const out = new Float32Array(n);
      const u = new Uint32Array(out.buffer);
      // The Uint32 view writes in platform order, which is what Float32Array reads back.
      for (let i = 0; i < n; i++) u[i] = v.getUint16(2 * i, true) << 16;
      return out;
    }
    case "I64": {
      const out = new Int32Array(n);
      for (let i = 0; i < n; i++) {
        const x = v.getBigInt64(8 * i, true);
        if (x > 2147483647n || x < -2147483648n) fail(fn, name, `holds I64 value ${x} at [${i}] outside the int32 range this reader returns`);
        out[i] = Number(x);
      }
      return out;
    }
    case "I32": {
      if (LITTLE_ENDIAN) return new Int32Array(copyBuffer(raw));
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
