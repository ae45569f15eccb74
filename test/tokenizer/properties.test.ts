import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Rng } from "../../src/core/index.js";
import { fastPlus } from "./helpers.js";

/** Random smooth chunk in about [-1, 1]: a few low-frequency sines per dim plus small noise. */
function smoothChunk(rng: Rng, T: number, D: number): Float64Array {
  const x = new Float64Array(T * D);
  for (let d = 0; d < D; d++) {
    const a = rng.normals(3);
    for (let t = 0; t < T; t++) {
      const u = t / T;
      x[t * D + d] = Math.tanh(0.5 * a[0] * Math.sin(Math.PI * u) + 0.3 * a[1] * Math.cos(2 * Math.PI * u) + 0.2 * a[2] * u);
    }
  }
  return x;
}

describe("FAST+ properties (fast-check)", () => {
  const tok = fastPlus();

  it("decode(encode(x)) is within the quantization bound: per dim ‖x − x̂‖₂ ≤ √T · 0.5/scale", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 60 }), fc.integer({ min: 1, max: 32 }), fc.nat(), (T, D, seed) => {
        const x = smoothChunk(new Rng(seed), T, D);
        const ids = tok.encode(x, { horizon: T, dim: D });
        const r = tok.decode(ids, { horizon: T, dim: D });
        expect(r.ok).toBe(true);
        if (!r.ok) return;
        // orthonormal DCT: the time-domain L2 error of a dim equals its coefficient rounding error, each ≤ 0.5/scale
        const bound = Math.sqrt(T) * (0.5 / tok.scale) + 1e-9;
        for (let d = 0; d < D; d++) {
          let e = 0;
          for (let t = 0; t < T; t++) e += (r.actions.get(t, d) - x[t * D + d]) ** 2;
          expect(Math.sqrt(e)).toBeLessThanOrEqual(bound);
        }
      }),
      { numRuns: 300 },
    );
  });

  it("random id sequences never throw or hang (10,000 runs, strict/reference/relaxed)", () => {
    let ok = 0;
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.integer({ min: 0, max: 2047 }), fc.integer({ min: -3, max: 2100 }), fc.constantFrom(95, 256, 2048, -1, 0.5)), { maxLength: 40 }),
        fc.integer({ min: 1, max: 50 }),
        fc.integer({ min: 1, max: 32 }),
        fc.constantFrom("strict", "reference"),
        fc.boolean(),
        (ids, horizon, dim, compat, relaxed) => {
          const r = tok.decode(ids, { horizon, dim, compat: compat as "strict" | "reference", relaxed });
          if (r.ok) {
            ok++;
            expect(r.actions.data.length).toBe(horizon * dim);
            // strict successes never contain U+FFFD-sized garbage coefficients (plain loops: expect() per value is slow)
            if (compat === "strict" && r.coefficients.data.some((c) => c >= 0xfffd - 354)) throw new Error("U+FFFD coefficient in a strict success");
            if (!r.actions.data.every(Number.isFinite)) throw new Error("non-finite decoded action");
          } else {
            expect(typeof r.reason).toBe("string");
            expect(r.actions === undefined).toBe(compat === "strict");
          }
        },
      ),
      { numRuns: 10_000 },
    );
    expect(ok).toBeGreaterThan(0);
  });
});
