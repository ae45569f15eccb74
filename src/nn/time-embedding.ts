import * as tf from "@tensorflow/tfjs-core";
import { checkInt, checkNumber, fail } from "../core/index.js";

function times(fn: string, t: number | ArrayLike<number>): number[] {
  const arr = typeof t === "number" ? [t] : Array.from(t);
  if (arr.length === 0) fail(fn, "t", "must hold at least one time; got an empty array");
  arr.forEach((v, i) => {
    if (!Number.isFinite(v)) fail(fn, "t", `must be finite numbers; got ${v} at [${i}]`);
  });
  return arr;
}

/**
 * MolmoAct2 `SinusoidalTimeEmbedding` in float64: `half = ⌊dim/2⌋`, `freq_j = exp(−ln(10000)·j/max(half−1, 1))`,
 * row = `[sin(t·freq_0..), cos(t·freq_0..)]` (sines first; one zero pad column when `dim` is odd).
 * Returns a row-major `Float64Array` of `[N, dim]` for N times. `t` is the raw flow time (no ×1000).
 */
export function sinusoidalTimeEmbeddingArray(t: number | ArrayLike<number>, dim: number): Float64Array {
  const ts = times("sinusoidalTimeEmbedding", t);
  checkInt("sinusoidalTimeEmbedding", "dim", dim, 2);
  const half = Math.floor(dim / 2);
  const out = new Float64Array(ts.length * dim);
  const k = -Math.log(10000) / Math.max(half - 1, 1);
  ts.forEach((tv, r) => {
    for (let j = 0; j < half; j++) {
      const a = tv * Math.exp(k * j);
      out[r * dim + j] = Math.sin(a);
      out[r * dim + half + j] = Math.cos(a);
    }
  });
  return out;
}

/** {@link sinusoidalTimeEmbeddingArray} as a float32 tensor `[N, dim]` (computed in float64, rounded once). */
export function sinusoidalTimeEmbedding(t: number | ArrayLike<number>, dim: number): tf.Tensor2D {
  const a = sinusoidalTimeEmbeddingArray(t, dim);
  return tf.tensor2d(Float32Array.from(a), [a.length / dim, dim]);
}

/**
 * openpi `posemb_sincos` in float64: `fraction = linspace(0, 1, dim/2)`, `period = minPeriod·(maxPeriod/minPeriod)^fraction`,
 * `angle = t·2π/period`, row = `[sin(angle), cos(angle)]`. `dim` must be even. Returns `[N, dim]` row-major Float64Array.
 */
export function posembSinCosArray(t: number | ArrayLike<number>, dim: number, minPeriod = 4e-3, maxPeriod = 4): Float64Array {
  const ts = times("posembSinCos", t);
  checkInt("posembSinCos", "dim", dim, 2);
  if (dim % 2 !== 0) fail("posembSinCos", "dim", `must be even; got ${dim}`);
  checkNumber("posembSinCos", "minPeriod", minPeriod, Number.MIN_VALUE);
  checkNumber("posembSinCos", "maxPeriod", maxPeriod, Number.MIN_VALUE);
  const half = dim / 2;
  const out = new Float64Array(ts.length * dim);
  ts.forEach((tv, r) => {
    for (let j = 0; j < half; j++) {
      const fraction = half === 1 ? 0 : j / (half - 1);
      const period = minPeriod * Math.pow(maxPeriod / minPeriod, fraction);
      const a = (tv * 2 * Math.PI) / period;
      out[r * dim + j] = Math.sin(a);
      out[r * dim + half + j] = Math.cos(a);
    }
  });
  return out;
}

/** {@link posembSinCosArray} as a float32 tensor `[N, dim]` (computed in float64, rounded once). */
export function posembSinCos(t: number | ArrayLike<number>, dim: number, minPeriod = 4e-3, maxPeriod = 4): tf.Tensor2D {
  const a = posembSinCosArray(t, dim, minPeriod, maxPeriod);
  return tf.tensor2d(Float32Array.from(a), [a.length / dim, dim]);
}
