import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { f16ToF32, f32ToBf16, f32ToF16, readSafetensors, writeSafetensors } from "../../src/io/safetensors.js";

// Written by Python (struct + numpy, header JSON as json.dumps writes it) — an independent encoder.
const PY_BLOB =
  "JAEAAAAAAAB7Il9fbWV0YWRhdGFfXyI6IHsiZm9ybWF0IjogInB0In0sICJhIjogeyJkdHlwZSI6ICJGMTYiLCAic2hhcGUiOiBbMiwgM10sICJkYXRhX29mZnNldHMiOiBbMCwgMTJdfSwgImIiOiB7ImR0eXBlIjogIkJGMTYiLCAic2hhcGUiOiBbNF0sICJkYXRhX29mZnNldHMiOiBbMTIsIDIwXX0sICJjIjogeyJkdHlwZSI6ICJJNjQiLCAic2hhcGUiOiBbM10sICJkYXRhX29mZnNldHMiOiBbMjAsIDQ0XX0sICJkIjogeyJkdHlwZSI6ICJGMzIiLCAic2hhcGUiOiBbMywgMl0sICJkYXRhX29mZnNldHMiOiBbNDQsIDY4XX19ADwAwf97AQBmLgCAgD9JwElxmT4HAAAAAAAAAPf/////////////fwAAAAAAAAAAAACAPgAAAD8AAEA/AACAPwAAoD8=";

describe("safetensors", () => {
  it("reads a file written by Python: F16, BF16, I64, F32 and metadata (exact values)", () => {
    const f = readSafetensors(new Uint8Array(Buffer.from(PY_BLOB, "base64")));
    expect(f.names()).toEqual(["a", "b", "c", "d"]);
    expect(f.metadata).toEqual({ format: "pt" });
    const a = f.get("a");
    expect(a.shape).toEqual([2, 3]);
    expect(Array.from(a.data)).toEqual([1, -2.5, 65504, 5.960464477539063e-8, 0.0999755859375, -0]);
    expect(Array.from(f.get("b").data)).toEqual([1, -3.140625, Math.fround(9.953037915854457e29), 0.298828125]);
    const c = f.get("c");
    expect(c.data).toBeInstanceOf(Int32Array);
    expect(Array.from(c.data)).toEqual([7, -9, 2147483647]);
    expect(Array.from(f.get("d").data)).toEqual([0, 0.25, 0.5, 0.75, 1, 1.25]);
  });

  it("round-trips F32 exactly and F16/BF16 to their rounding", () => {
    fc.assert(
      fc.property(fc.array(fc.float({ noNaN: true, min: -6e4, max: 6e4 }), { minLength: 1, maxLength: 40 }), (xs) => {
        const bytes = writeSafetensors({
          x: { shape: [xs.length], data: xs },
          h: { shape: [xs.length], data: xs, dtype: "F16" },
          b: { shape: [1, xs.length], data: xs, dtype: "BF16" },
        });
        const f = readSafetensors(bytes);
        expect(Array.from(f.get("x").data)).toEqual(xs.map((v) => Math.fround(v)));
        const h = f.get("h").data;
        const b = f.get("b").data;
        for (let i = 0; i < xs.length; i++) {
          expect(h[i]).toBe(f16ToF32(f32ToF16(xs[i])));
          // half has 11 significant bits: relative error <= 2^-11 (or the subnormal step 2^-24)
          expect(Math.abs(h[i] - xs[i])).toBeLessThanOrEqual(Math.max(Math.abs(xs[i]) * 2 ** -11, 2 ** -25));
          expect(Math.abs(b[i] - xs[i])).toBeLessThanOrEqual(Math.abs(xs[i]) * 2 ** -8 + 1e-38);
        }
      }),
    );
  });

  it("rounds half to even on F16 and BF16 encode", () => {
    expect(f32ToF16(1 + 2 ** -11)).toBe(0x3c00); // tie -> even (1.0)
    expect(f32ToF16(1 + 3 * 2 ** -11)).toBe(0x3c02); // tie -> even (upwards)
    expect(f32ToF16(70000)).toBe(0x7c00); // overflow -> +inf
    expect(f32ToBf16(1 + 2 ** -8)).toBe(0x3f80);
    expect(f32ToBf16(1 + 3 * 2 ** -8)).toBe(0x3f82);
  });

  it("header is 8-byte aligned and entries carry dtype/shape/offsets", () => {
    const bytes = writeSafetensors({ w: { shape: [2, 2], data: [1, 2, 3, 4] } }, { note: "x" });
    const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    expect((8 + n) % 8).toBe(0);
    const f = readSafetensors(bytes);
    expect(f.entry("w")).toEqual({ dtype: "F32", shape: [2, 2], dataOffsets: [0, 16] });
    expect(f.metadata).toEqual({ note: "x" });
  });

  it("names the tensor and the problem on bad input", () => {
    expect(() => readSafetensors(new Uint8Array(3))).toThrow(/readSafetensors: bytes must hold at least the 8-byte header/);
    const good = writeSafetensors({ w: { shape: [2], data: [1, 2] } });
    expect(() => readSafetensors(good).get("v")).toThrow(/SafetensorsFile.get: name must name a tensor in the file; got "v"/);
    const bad = writeSafetensors({ w: { shape: [2], data: [1, 2] } });
    expect(() => readSafetensors(bad.subarray(0, bad.length - 4))).toThrow(/readSafetensors: w must have data_offsets/);
    expect(() => writeSafetensors({ w: { shape: [3], data: [1, 2] } })).toThrow(/writeSafetensors: w must have 3 values for shape \[3\]; got 2/);
    const big = writeSafetensors({ i: { shape: [1], data: [2 ** 40], dtype: "I64" } });
    expect(() => readSafetensors(big).get("i")).toThrow(/outside the int32 range/);
  });
});
