import * as tf from "@tensorflow/tfjs-core";
import { checkInt, fail, isNdArray, rowMajor, type NdArray } from "../core/index.js";

/** Which entries of a `[rows = B·H, A]` trajectory are real: padded dims and padded horizon steps are 0. */
export interface TrajectoryMaskOptions {
  /** Number of real dims D ≤ A (dims D..A−1 are padding), or a per-dim 0/1 mask of length A (array or 1-D ndarray). Default all real. */
  validDims?: number | ArrayLike<number | boolean> | NdArray;
  /** Per-step 0/1 mask of length H (same for every batch element; array or 1-D ndarray). Default all real. */
  horizonMask?: ArrayLike<number | boolean> | NdArray;
}

/** A mask given as an array or a 1-D ndarray, as something indexable (an ndarray's values in order, no copy when packed). */
export function maskValues(fn: string, arg: string, m: ArrayLike<number | boolean> | NdArray): ArrayLike<number | boolean> {
  if (!isNdArray(m)) return m;
  if (m.shape.length !== 1) fail(fn, arg, `must be a 1-D mask; got an ndarray of shape [${m.shape.join(", ")}]`);
  return rowMajor(m);
}

/** Resolve the per-dim mask (length A) or null when every dim is real. */
export function dimMaskArray(fn: string, A: number, validDims: TrajectoryMaskOptions["validDims"]): Float32Array | null {
  if (validDims === undefined) return null;
  const m = new Float32Array(A);
  if (typeof validDims === "number") {
    checkInt(fn, "opts.validDims", validDims, 1, A);
    m.fill(1, 0, validDims);
  } else {
    validDims = maskValues(fn, "opts.validDims", validDims);
    if (validDims.length !== A) fail(fn, "opts.validDims", `must have length ${A} (one per action dim); got ${validDims.length}`);
    for (let i = 0; i < A; i++) m[i] = validDims[i] ? 1 : 0;
  }
  return m.every((v) => v === 1) ? null : m;
}

/** Resolve the per-step mask (length H) or null when every step is real. */
export function horizonMaskArray(fn: string, H: number, horizonMask: TrajectoryMaskOptions["horizonMask"]): Float32Array | null {
  if (horizonMask === undefined) return null;
  horizonMask = maskValues(fn, "opts.horizonMask", horizonMask);
  if (horizonMask.length !== H) fail(fn, "opts.horizonMask", `must have length ${H} (one per horizon step); got ${horizonMask.length}`);
  const m = Float32Array.from(Array.from(horizonMask, (v) => (v ? 1 : 0)));
  return m.every((v) => v === 1) ? null : m;
}

/** The `[B·H, A]` 0/1 mask as a float32 tensor, or null when nothing is padded. */
export function trajectoryMask(fn: string, B: number, H: number, A: number, opts: TrajectoryMaskOptions): tf.Tensor2D | null {
  const dm = dimMaskArray(fn, A, opts.validDims);
  const hm = horizonMaskArray(fn, H, opts.horizonMask);
  if (!dm && !hm) return null;
  const d = new Float32Array(B * H * A);
  for (let r = 0; r < B * H; r++) {
    const rv = hm ? hm[r % H] : 1;
    for (let a = 0; a < A; a++) d[r * A + a] = rv * (dm ? dm[a] : 1);
  }
  return tf.tensor2d(d, [B * H, A]);
}
