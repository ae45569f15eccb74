// The speed-ups must not change a single output: each fast path is checked against a plain reference
// implementation of the same arithmetic, bit for bit (exact equality, tolerance 0), since quantized ids depend
// on exact float results at rounding ties.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Rng } from "../../src/core/index.js";
import { BpeModel } from "../../src/tokenizer/bpe.js";
import { dctMatrix, dctOrtho, idctOrtho } from "../../src/tokenizer/dct.js";
import { decodeUtf8Lossy } from "../../src/tokenizer/byte-level.js";
import { fastPlus } from "./helpers.js";

/** Per-column folded DCT-II exactly as the original loop summed it (n ascending, middle sample last). */
function dctReference(x: Float64Array, T: number, D: number): Float64Array {
  const B = dctMatrix(T);
  const out = new Float64Array(T * D);
  const half = T >> 1;
  for (let d = 0; d < D; d++) {
    for (let k = 0; k < T; k++) {
      let s = 0;
      for (let n = 0; n < half; n++) {
        const a = x[n * D + d];
        const b = x[(T - 1 - n) * D + d];
        s += B[k * T + n] * ((k & 1) === 0 ? a + b : a - b);
      }
      if (T & 1 && (k & 1) === 0) s += B[k * T + half] * x[half * D + d];
      out[k * D + d] = s;
    }
  }
  return out;
}

/** Dense inverse: every res[n][d] sums over k ascending, zeros included. */
function idctReference(c: Float64Array, T: number, D: number): Float64Array {
  const B = dctMatrix(T);
  const out = new Float64Array(T * D);
  for (let k = 0; k < T; k++) for (let d = 0; d < D; d++) for (let n = 0; n < T; n++) out[n * D + d] += B[k * T + n] * c[k * D + d];
  return out;
}

function sameBits(a: Float64Array, b: Float64Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return false;
  return true;
}

describe("fast paths are bit-identical to the plain loops", () => {
  it("property: dctOrtho / idctOrtho (matrix path) equal the per-column reference bit for bit", () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 40 }), fc.integer({ min: 1, max: 9 }), fc.integer({ min: 0, max: 1e6 }), fc.double({ min: 0, max: 0.9, noNaN: true }), (T, D, seed, sparsity) => {
        const rng = new Rng(seed);
        const x = Float64Array.from({ length: T * D }, () => rng.normal());
        expect(sameBits(dctOrtho(x, T, D, undefined, "matrix"), dctReference(x, T, D))).toBe(true);
        // sparse integer-valued coefficients like FAST's, with some negative zeros
        const c = Float64Array.from({ length: T * D }, () => (rng.uniform() < sparsity ? (rng.uniform() < 0.5 ? -0 : 0) : Math.round(rng.normal() * 5) / 10));
        expect(sameBits(idctOrtho(c, T, D, undefined, "matrix"), idctReference(c, T, D))).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it("property: direct code-point decode equals bytes + lossy UTF-8 whenever it applies", () => {
    const model = fastPlus().model;
    const ids = fc.array(fc.integer({ min: 0, max: model.size - 1 }), { maxLength: 60 });
    let applied = 0;
    fc.assert(
      fc.property(fc.oneof(ids, fc.array(fc.integer({ min: 256, max: model.size - 1 }), { maxLength: 60 })), (list) => {
        const dec = model.decodeBytes(list, new Uint8Array(16));
        const want = new Int32Array(dec.length);
        const n = decodeUtf8Lossy(dec.bytes, dec.length, want);
        const direct = model.decodeCodePointsDirect(list, new Int32Array(4));
        if (direct === undefined) return;
        applied++;
        expect(Array.from(direct.cps.subarray(0, direct.length))).toEqual(Array.from(want.subarray(0, n)));
      }),
      { numRuns: 500 },
    );
    expect(applied).toBeGreaterThan(50);
  });

  it("decodeInto writes exactly decode().actions.data and returns the same failures", () => {
    const tok = fastPlus();
    const rng = new Rng(5);
    const out = new Float64Array(30 * 14);
    for (let c = 0; c < 50; c++) {
      const x = Float64Array.from({ length: 30 * 14 }, () => Math.tanh(rng.normal()));
      const ids = tok.encode(x, { horizon: 30, dim: 14 });
      const r = tok.decode(ids, { horizon: 30, dim: 14 });
      expect(tok.decodeInto(ids, { horizon: 30, dim: 14 }, out)).toEqual({ ok: true, horizon: 30, dim: 14 });
      expect(r.ok && sameBits(out, r.actions.data)).toBe(true);
    }
    const before = Float64Array.from(out);
    for (let k = 0; k < 300; k++) {
      const ids = Array.from({ length: 1 + Math.floor(rng.uniform() * 40) }, () => Math.floor(rng.uniform() * 2110) - 5);
      for (const opts of [{ horizon: 30, dim: 14 }, { horizon: 30, dim: 14, compat: "reference" as const }, { horizon: 2, dim: 3, relaxed: true }]) {
        const want = tok.decode(ids, opts);
        const o = new Float64Array(opts.horizon * opts.dim).fill(7);
        const got = tok.decodeInto(ids, opts, o);
        if (want.ok) expect(sameBits(o, want.actions.data)).toBe(true);
        else {
          expect(got).toEqual(want);
          expect(o.every((v) => v === 7)).toBe(true);
        }
      }
    }
    expect(sameBits(out, before)).toBe(true);
    expect(() => tok.decodeInto([1], { horizon: 30, dim: 14 }, new Float32Array(420) as never)).toThrow(/decodeInto: out must be a Float64Array/);
    const ids = tok.encode(before, { horizon: 30, dim: 14 });
    expect(() => tok.decodeInto(ids, { horizon: 30, dim: 14 }, new Float64Array(10))).toThrow(/decodeInto: out must have horizon\*dim = 30\*14 = 420 elements; got 10/);
  });

  it("property: rank-bucket BPE equals the heap on random small merge lists, including repeated pairs and merges sharing a token", () => {
    // merges built from tokens that already exist; the same token may be produced by several merges (HF then
    // still applies an entry whose pair changed but yields the same token), a pair may repeat (last rank wins)
    let monotoneLists = 0;
    let sharedLists = 0;
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(), fc.nat()), { minLength: 1, maxLength: 14 }), fc.array(fc.array(fc.constantFrom(97, 98, 99), { minLength: 1, maxLength: 48 }), { minLength: 1, maxLength: 8 }), (picks, words) => {
        const tokens = ["a", "b", "c"];
        const merges: [string, string][] = [];
        for (const [i, j] of picks) {
          const l = tokens[i % tokens.length];
          const r = tokens[j % tokens.length];
          merges.push([l, r]);
          if (!tokens.includes(l + r)) tokens.push(l + r);
        }
        const model = new BpeModel(new Map(tokens.map((t, id) => [t, id] as [string, number])), merges);
        if (!model.monotone) return;
        monotoneLists++;
        if (new Set(merges.map(([l, r]) => l + r)).size < new Set(merges.map(([l, r]) => l + " " + r)).size) sharedLists++;
        for (const w of words) {
          const bytes = Uint8Array.from(w);
          const a: number[] = [];
          const b: number[] = [];
          model.encodeWordBytesWith("heap", bytes, 0, bytes.length, a);
          model.encodeWordBytesWith("bucket", bytes, 0, bytes.length, b);
          expect(b).toEqual(a);
        }
      }),
      { numRuns: 1500 },
    );
    expect(monotoneLists).toBeGreaterThan(100);
    expect(sharedLists).toBeGreaterThan(10);
  });
});
