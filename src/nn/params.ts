import * as tf from "@tensorflow/tfjs-core";
import { fail } from "../core/index.js";

/**
 * A parameter map keyed by checkpoint tensor names (a model's own naming, e.g. `blocks.0.attn.qkv.weight`).
 * Linear weights are stored `[in, out]` (the transpose of PyTorch's `[out, in]`), biases `[out]`, float32.
 */
export type ParamMap = Record<string, tf.Tensor>;

/** Look up `name` in `params` and check its shape; throws a VlaError naming `fn` when missing or mis-shaped. */
export function getParam(fn: string, params: ParamMap, name: string, shape: readonly number[]): tf.Tensor {
  const p = params[name];
  if (!p) fail(fn, "params", `must contain ${JSON.stringify(name)} with shape [${shape.join(", ")}]; it is missing`);
  if (p.shape.length !== shape.length || p.shape.some((d, i) => d !== shape[i])) {
    fail(fn, "params", `${JSON.stringify(name)} must have shape [${shape.join(", ")}]; got [${p.shape.join(", ")}]`);
  }
  if (p.dtype !== "float32") fail(fn, "params", `${JSON.stringify(name)} must be float32; got ${p.dtype}`);
  return p;
}

/** Dispose every tensor of a parameter map (use for maps made by an `init` function). */
export function disposeParams(params: ParamMap): void {
  for (const k of Object.keys(params)) params[k].dispose();
}

/** Total number of scalars in a parameter map. */
export function countParams(params: ParamMap): number {
  let n = 0;
  for (const k of Object.keys(params)) n += params[k].size;
  return n;
}
