import * as tf from "@tensorflow/tfjs-core";
import { fail } from "../core/index.js";
import type { VelocityFn } from "./sampler.js";

/**
 * The exact (optimal) flow-matching velocity when data is Gaussian, per dim: ε ~ N(0, 1), a ~ N(μ, σ²),
 * `x_t = (1−t)ε + t·a` (MolmoAct2 convention). Then `E[a − ε | x_t = x] = μ + (t·σ² − (1−t)) / s_t² · (x − t·μ)` with
 * `s_t² = (1−t)² + t²σ²`, and the ODE maps noise ε to `μ + σ·ε` exactly (the flow is `x_t = tμ + s_t ε`).
 * Useful to test samplers: the result's mean/std must approach μ/σ as the step count grows.
 *
 * @param mu per-dim means (length A)
 * @param sigma per-dim standard deviations (length A, > 0)
 * @returns a velocity for `[rows, A]` (or any shape whose last axis is A)
 */
export function gaussianVelocity(mu: ArrayLike<number>, sigma: ArrayLike<number>): VelocityFn {
  if (mu.length !== sigma.length || mu.length === 0) fail("gaussianVelocity", "sigma", `must have the length of mu (${mu.length}); got ${sigma.length}`);
  for (let i = 0; i < sigma.length; i++) {
    if (!(sigma[i] > 0) || !Number.isFinite(sigma[i])) fail("gaussianVelocity", "sigma", `must be finite and > 0; got ${sigma[i]} at [${i}]`);
    if (!Number.isFinite(mu[i])) fail("gaussianVelocity", "mu", `must be finite; got ${mu[i]} at [${i}]`);
  }
  const A = mu.length;
  const m = Float32Array.from(mu);
  const s2 = Float64Array.from(sigma, (s) => s * s);
  return (x: tf.Tensor, t: number) => {
    if (x.shape[x.rank - 1] !== A) fail("gaussianVelocity", "x", `last dim must be ${A}; got [${x.shape.join(", ")}]`);
    const k = new Float32Array(A);
    for (let i = 0; i < A; i++) k[i] = (t * s2[i] - (1 - t)) / ((1 - t) ** 2 + t * t * s2[i]);
    return tf.tidy(() => {
      const mu_ = tf.tensor1d(m);
      return tf.add(mu_, tf.mul(tf.tensor1d(k), tf.sub(x, tf.mul(t, mu_))));
    });
  };
}
