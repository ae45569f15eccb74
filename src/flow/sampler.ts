import * as tf from "@tensorflow/tfjs-core";
import { checkInt, checkOneOf, fail, isNdArray, rowMajor, Rng, type NdArray } from "../core/index.js";
import { trajectoryMask, type TrajectoryMaskOptions } from "./masks.js";
import { eulerGrid, type OpenpiGridStyle, type TimeConvention } from "./time.js";

/**
 * A velocity field `v(x, t)`. `x` is the current trajectory, `[B·H, A]` (layout `rows`, default) or `[B, H, A]`
 * (layout `batched`); `t` the flow time in the sampler's convention. Return a NEW tensor of x's shape (the sampler
 * disposes it after use), synchronously or as a Promise (e.g. after `await data()` on webgpu).
 */
export type VelocityFn = (x: tf.Tensor, t: number) => tf.Tensor | Promise<tf.Tensor>;

/** ODE integrator. `euler` matches the references; `midpoint` and `heun` are 2nd order (2 evaluations per step). */
export type FlowMethod = "euler" | "midpoint" | "heun";

/** Options of {@link sample}. */
export interface SampleOptions extends TrajectoryMaskOptions {
  /** Steps H of one trajectory. */
  horizon: number;
  /** Width A of one action row (MolmoAct2: 32, the padded width; use `validDims` for the robot's D). */
  actionDim: number;
  /** Trajectories sampled together (rows = B·H); default 1. */
  batch?: number;
  /** Integration steps N; default 10. */
  numSteps?: number;
  /** Default `euler`. */
  method?: FlowMethod;
  /**
   * `molmoact2` (default): t from 0 (noise) to 1 (data), times k/N, dt = +1/N. `openpi`: the velocity field is in
   * openpi's convention (t = 1 noise); times 1 + k·(−1/N) (LeRobot) or float32-accumulated (`openpiGrid`), dt = −1/N.
   */
  convention?: TimeConvention;
  openpiGrid?: OpenpiGridStyle;
  /** Initial noise `[B·H, A]` (tensor, not disposed; an ndarray of B·H·A values; or a row-major array). Overrides `rng`/`seed`. */
  noise?: tf.Tensor | NdArray | ArrayLike<number>;
  /** Noise source (standard normals, row-major); used when `noise` is not given. */
  rng?: Rng;
  /** Seed for a fresh `Rng` when neither `noise` nor `rng` is given; default 0. */
  seed?: number;
  /** Shape passed to `velocity` and returned: `rows` = `[B·H, A]` (default), `batched` = `[B, H, A]`. */
  layout?: "rows" | "batched";
}

/**
 * Integrate a flow-matching ODE from noise to data (flow-matching paper eq. 1, 2, 8 in the MolmoAct2 convention:
 * `x_t = (1−t)·ε + t·a`, `dx/dt = v ≈ a − ε`). With `euler` and N steps: `x ← x + (1/N)·v(x, k/N)` for k = 0..N−1.
 * Padded dims / horizon steps (`validDims`, `horizonMask`) are zeroed in the noise, in every velocity and in the
 * trajectory after every step. Returns the final trajectory (`[B·H, A]` or `[B, H, A]`); every intermediate is freed.
 */
export async function sample(velocity: VelocityFn, opts: SampleOptions): Promise<tf.Tensor> {
  const fn = "sample";
  if (typeof velocity !== "function") fail(fn, "velocity", `must be a function (x, t) => tensor; got ${typeof velocity}`);
  const H = checkInt(fn, "opts.horizon", opts.horizon, 1);
  const A = checkInt(fn, "opts.actionDim", opts.actionDim, 1);
  const B = checkInt(fn, "opts.batch", opts.batch ?? 1, 1);
  const N = checkInt(fn, "opts.numSteps", opts.numSteps ?? 10, 1, 100_000);
  const method = checkOneOf(fn, "opts.method", opts.method ?? "euler", ["euler", "midpoint", "heun"] as const);
  const convention = checkOneOf(fn, "opts.convention", opts.convention ?? "molmoact2", ["molmoact2", "openpi"] as const);
  const layout = checkOneOf(fn, "opts.layout", opts.layout ?? "rows", ["rows", "batched"] as const);
  const shape = layout === "rows" ? [B * H, A] : [B, H, A];
  const { times, dt } = eulerGrid(N, convention, opts.openpiGrid ?? "lerobot");
  const mask = trajectoryMask(fn, B, H, A, opts);
  const maskT = mask ? tf.reshape(mask, shape) : null;
  let x = makeNoise(fn, opts, B * H * A, shape);
  if (maskT) x = swap(x, tf.mul(x, maskT));

  const evalV = async (xx: tf.Tensor, t: number): Promise<tf.Tensor> => {
    let v = await velocity(xx, t);
    if (!(v instanceof tf.Tensor)) fail(fn, "velocity", `must return a tf.Tensor; got ${typeof v}`);
    if (v.shape.length !== shape.length || v.shape.some((d, i) => d !== shape[i])) {
      fail(fn, "velocity", `must return shape [${shape.join(", ")}]; got [${v.shape.join(", ")}]`);
    }
    if (v === xx) v = v.clone();
    if (maskT) v = swap(v, tf.mul(v, maskT));
    return v;
  };
  try {
    for (let k = 0; k < N; k++) {
      const t = times[k];
      const v1 = await evalV(x, t);
      let next: tf.Tensor;
      if (method === "euler") {
        next = tf.tidy(() => tf.add(x, tf.mul(v1, dt)));
      } else if (method === "midpoint") {
        const xm = tf.tidy(() => tf.add(x, tf.mul(v1, dt / 2)));
        const v2 = await evalV(xm, t + dt / 2).finally(() => xm.dispose());
        next = tf.tidy(() => tf.add(x, tf.mul(v2, dt)));
        v2.dispose();
      } else {
        const xe = tf.tidy(() => tf.add(x, tf.mul(v1, dt)));
        const v2 = await evalV(xe, t + dt).finally(() => xe.dispose());
        next = tf.tidy(() => tf.add(x, tf.mul(tf.add(v1, v2), dt / 2)));
        v2.dispose();
      }
      v1.dispose();
      if (maskT) next = swap(next, tf.mul(next, maskT));
      x = swap(x, next);
    }
  } catch (e) {
    x.dispose();
    throw e;
  } finally {
    mask?.dispose();
    maskT?.dispose();
  }
  return x;
}

/** Dispose `old` and return `next` (a one-liner for rebinding). */
function swap(old: tf.Tensor, next: tf.Tensor): tf.Tensor {
  if (old !== next) old.dispose();
  return next;
}

function makeNoise(fn: string, opts: SampleOptions, n: number, shape: number[]): tf.Tensor {
  const given = opts.noise;
  if (given !== undefined) {
    if (given instanceof tf.Tensor) {
      if (given.size !== n) fail(fn, "opts.noise", `must hold ${n} values (shape [${shape.join(", ")}]); got shape [${given.shape.join(", ")}]`);
      return tf.tidy(() => tf.reshape(tf.cast(given, "float32"), shape));
    }
    // an ndarray's values go straight into the tensor's float32 data (no nested arrays on the way)
    const values = isNdArray(given) ? rowMajor(given) : given;
    if (values.length !== n) fail(fn, "opts.noise", `must hold ${n} values (shape [${shape.join(", ")}]); got ${isNdArray(given) ? `shape [${given.shape.join(", ")}]` : values.length}`);
    const d = Float32Array.from(values);
    for (let i = 0; i < n; i++) if (!Number.isFinite(d[i])) fail(fn, "opts.noise", `must be finite; got ${d[i]} at [${i}]`);
    return tf.tensor(d, shape, "float32");
  }
  const rng = opts.rng ?? new Rng(opts.seed ?? 0);
  return tf.tensor(rng.normals(n), shape, "float32");
}
