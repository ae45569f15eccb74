import * as tf from "@tensorflow/tfjs-core";
import { checkInt, checkOneOf, fail, isNdArray, rowMajor, Rng, type NdArray } from "../core/index.js";
import { registerTrainingGradients } from "../nn/index.js";
import { dimMaskArray, horizonMaskArray, maskValues } from "./masks.js";
import { sampleFlowTimes, type TimeSamplerOptions } from "./time.js";

/**
 * A trainable velocity model for the loss: `xt: [N·H, A]` noisy trajectories of N = K·B samples (sample-major: the
 * K flow samples of chunk 0 first, …), `t` their N times (MolmoAct2 convention), `tRows: [N·H, 1]` the time of every
 * row. Must be synchronous (it runs inside `tf.variableGrads` / `optimizer.minimize`).
 */
export type TrainVelocityFn = (xt: tf.Tensor2D, t: Float64Array, tRows: tf.Tensor2D) => tf.Tensor;

/** Options of {@link flowMatchingLoss}. */
export interface FlowLossOptions {
  /** Steps H per chunk (rows of `actions` = B·H). */
  horizon: number;
  /** Flow samples per chunk K (MolmoAct2: 4 post-training, 8 fine-tuning); default 1. */
  numFlowSamples?: number;
  /** Randomness for noise and times (fresh draws every call). Default `new Rng(0)`. */
  rng?: Rng;
  /** Time distribution; default MolmoAct2's 0.001 + 0.999·Beta(1, 1.5). Times are used in the MolmoAct2 convention. */
  time?: TimeSamplerOptions;
  /** Injected times (length K·B) instead of sampling. */
  times?: ArrayLike<number>;
  /** Injected noise (K·B·H·A values, sample-major; an array or any ndarray of that many values) instead of sampling. */
  noise?: ArrayLike<number> | NdArray;
  /** Real dims D ≤ A (or a 0/1 mask of length A): MSE is averaged over real dims only; noise is zeroed on padding. */
  validDims?: number | ArrayLike<number | boolean>;
  /** Per-chunk step validity: length H (all chunks) or B·H (an array or 1-D ndarray); padded steps contribute 0. */
  horizonMask?: ArrayLike<number | boolean> | NdArray;
  /** `mean` (default, reference): mean over all N·H rows after zeroing padded rows; `validMean`: over real rows only. */
  reduction?: "mean" | "validMean";
}

/**
 * Flow-matching training loss (MolmoAct2 convention, molmoact2.md §3.5): for each chunk `a` (B chunks of H rows in
 * `actions: [B·H, A]`) draw K pairs (ε ~ N(0, I), t), form `x_t = (1−t)·ε + t·a` and target `u = a − ε`, and
 * return `mean_rows( mean_{real dims}((v(x_t, t) − u)²) · rowValid )` as a scalar. Differentiable w.r.t. the
 * variables `velocity` uses; call it inside `tf.variableGrads` / `optimizer.minimize`.
 */
export function flowMatchingLoss(velocity: TrainVelocityFn, actions: tf.Tensor2D, opts: FlowLossOptions): tf.Scalar {
  const fn = "flowMatchingLoss";
  registerTrainingGradients(); // tfjs-core alone has no gradient functions; must happen before the taped ops run
  if (actions.rank !== 2) fail(fn, "actions", `must be [B·H, A]; got [${actions.shape.join(", ")}]`);
  const H = checkInt(fn, "opts.horizon", opts.horizon, 1);
  const [rows, A] = actions.shape;
  if (rows % H !== 0) fail(fn, "opts.horizon", `must divide the ${rows} rows of actions; got ${H}`);
  const B = rows / H;
  const K = checkInt(fn, "opts.numFlowSamples", opts.numFlowSamples ?? 1, 1);
  const N = K * B;
  const reduction = checkOneOf(fn, "opts.reduction", opts.reduction ?? "mean", ["mean", "validMean"] as const);
  const rng = opts.rng ?? new Rng(0);
  let times: Float64Array;
  if (opts.times) {
    if (opts.times.length !== N) fail(fn, "opts.times", `must hold K·B = ${N} times; got ${opts.times.length}`);
    times = Float64Array.from(opts.times);
    times.forEach((t, i) => {
      if (!Number.isFinite(t)) fail(fn, "opts.times", `must be finite; got ${t} at [${i}]`);
    });
  } else times = sampleFlowTimes(rng, N, opts.time ?? {}, "molmoact2");
  let noise: Float32Array;
  if (opts.noise) {
    const given = isNdArray(opts.noise) ? rowMajor(opts.noise) : opts.noise;
    if (given.length !== N * H * A) fail(fn, "opts.noise", `must hold K·B·H·A = ${N * H * A} values; got ${given.length}`);
    noise = Float32Array.from(given);
  } else noise = rng.normals(N * H * A);
  const dm = dimMaskArray(fn, A, opts.validDims);
  let rowValid: Float32Array | null = null;
  if (opts.horizonMask) {
    const given = maskValues(fn, "opts.horizonMask", opts.horizonMask);
    if (given.length === H) {
      const hm = horizonMaskArray(fn, H, given);
      if (hm) rowValid = Float32Array.from({ length: N * H }, (_, r) => hm[r % H]);
    } else if (given.length === B * H) {
      const m = Array.from(given, (v) => (v ? 1 : 0));
      rowValid = Float32Array.from({ length: N * H }, (_, r) => m[(Math.floor(r / H) % B) * H + (r % H)]);
    } else fail(fn, "opts.horizonMask", `must have length H = ${H} or B·H = ${B * H}; got ${given.length}`);
  }
  const tRowsData = Float32Array.from({ length: N * H }, (_, r) => times[Math.floor(r / H)]);
  return tf.tidy(() => {
    const a = K === 1 ? actions : (tf.tile(actions, [K, 1]) as tf.Tensor2D); // sample-major: K copies of all B chunks
    let eps: tf.Tensor2D = tf.tensor2d(noise, [N * H, A]);
    const dmT = dm ? tf.tensor2d(dm, [1, A]) : null;
    if (dmT) eps = tf.mul(eps, dmT) as tf.Tensor2D;
    const tRows = tf.tensor2d(tRowsData, [N * H, 1]);
    const xt = tf.add(tf.mul(tf.sub(1, tRows), eps), tf.mul(tRows, a)) as tf.Tensor2D;
    const u = tf.sub(a, eps);
    const v = velocity(xt, times, tRows);
    if (v.shape.length !== 2 || v.shape[0] !== N * H || v.shape[1] !== A) {
      fail(fn, "velocity", `must return [${N * H}, ${A}]; got [${v.shape.join(", ")}]`);
    }
    let se = tf.square(tf.sub(v, u));
    let perRow: tf.Tensor;
    if (dmT) {
      se = tf.mul(se, dmT);
      perRow = tf.div(tf.sum(se, 1), dm!.reduce((s, x) => s + x, 0));
    } else perRow = tf.mean(se, 1);
    if (rowValid) {
      perRow = tf.mul(perRow, tf.tensor1d(rowValid));
      if (reduction === "validMean") {
        const n = rowValid.reduce((s, x) => s + x, 0);
        return tf.div(tf.sum(perRow), Math.max(1, n)) as tf.Scalar;
      }
    }
    return tf.mean(perRow) as tf.Scalar;
  });
}

/** `x_t = (1−t)·ε + t·a` (MolmoAct2 convention) for one t, as a helper for tests and custom losses. */
export function interpolate(noise: tf.Tensor, actions: tf.Tensor, t: number): tf.Tensor {
  return tf.tidy(() => tf.add(tf.mul(1 - t, noise), tf.mul(t, actions)));
}
