import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Rng } from "../../src/core/index.js";
import { dctMatrix, dctOrtho, idctOrtho } from "../../src/tokenizer/dct.js";

function naiveDct(x: Float64Array, T: number, D: number): Float64Array {
  const out = new Float64Array(T * D);
  for (let k = 0; k < T; k++)
    for (let d = 0; d < D; d++) {
      let s = 0;
      for (let n = 0; n < T; n++) s += x[n * D + d] * Math.cos((Math.PI * (2 * n + 1) * k) / (2 * T));
      out[k * D + d] = s * (k === 0 ? Math.sqrt(1 / T) : Math.sqrt(2 / T));
    }
  return out;
}

function maxDiff(a: Float64Array, b: Float64Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

describe("orthonormal DCT-II / DCT-III", () => {
  it("matrix and Bluestein-FFT paths agree within 1e-12 for any length (also non powers of two)", () => {
    const rng = new Rng(1);
    for (const T of [1, 2, 3, 5, 7, 16, 30, 50, 64, 100, 129, 257]) {
      const D = 3;
      const x = Float64Array.from(rng.normals(T * D));
      const m = dctOrtho(x, T, D, undefined, "matrix");
      const f = dctOrtho(x, T, D, undefined, "fft");
      // tolerance 1e-12: both are float64 evaluations of the same sums, differing only in rounding order
      expect(maxDiff(m, f), `T=${T}`).toBeLessThan(1e-12);
      expect(maxDiff(idctOrtho(m, T, D, undefined, "matrix"), idctOrtho(m, T, D, undefined, "fft")), `T=${T}`).toBeLessThan(1e-12);
      expect(maxDiff(m, naiveDct(x, T, D)), `T=${T}`).toBeLessThan(1e-12);
    }
  });

  it("is orthonormal: the basis matrix times its transpose is the identity", () => {
    for (const T of [2, 10, 30]) {
      const B = dctMatrix(T);
      for (let i = 0; i < T; i++)
        for (let j = 0; j < T; j++) {
          let s = 0;
          for (let n = 0; n < T; n++) s += B[i * T + n] * B[j * T + n];
          expect(Math.abs(s - (i === j ? 1 : 0))).toBeLessThan(1e-13);
        }
    }
  });

  it("property: idct(dct(x)) = x and energy is preserved (both paths)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 160 }), fc.integer({ min: 1, max: 4 }), fc.nat(), (T, D, seed) => {
        const x = Float64Array.from(new Rng(seed).normals(T * D));
        const c = dctOrtho(x, T, D);
        const back = idctOrtho(c, T, D);
        let ex = 0;
        let ec = 0;
        for (let i = 0; i < x.length; i++) {
          ex += x[i] * x[i];
          ec += c[i] * c[i];
        }
        return maxDiff(back, x) < 1e-12 && Math.abs(ex - ec) < 1e-9 * Math.max(1, ex);
      }),
      { numRuns: 200 },
    );
  });

  it("length 1 reproduces scipy's float rounding (x·1.0000000000000002), which decides half-even ties", () => {
    const c = dctOrtho(Float64Array.from([0.05, 0.25, -0.25]), 1, 3);
    expect(Array.from(c)).toEqual([0.05000000000000001, 0.25000000000000006, -0.25000000000000006]);
  });
});
