import * as tf from "@tensorflow/tfjs-core";
import { checkFinite, checkInt, fail, isNdArray, rowMajor, Rng, toChunk } from "../core/index.js";
import { eulerGrid, sample } from "../flow/index.js";
import type { TokenTable } from "../vocab/index.js";
import type { ActionExpert } from "./action-expert.js";
import type { MolmoAct2Config } from "./config.js";
import type { DecodeSession } from "./session.js";
import type { PredictOptions } from "./types.js";

/** The flow output `[H, A]` (float32, row-major) and the noise it started from. */
export interface FlowResult {
  flowOut: Float32Array;
  noise: Float32Array;
}

/**
 * The initial trajectory `[H, A]` as the float32 data of the sampler's input tensor: `opts.noise` (an ndarray or
 * `number[][]`, `[H, A]` or `[H, D]`; an ndarray is copied straight in, in its own dtype) or seeded standard normals.
 */
export function initialNoise(H: number, A: number, D: number, opts: PredictOptions): Float32Array {
  const fn = "MolmoAct2.predictActions";
  const noise = new Float32Array(H * A);
  const given = opts.noise;
  if (given) {
    const [rows, cols] = isNdArray(given) ? given.shape : [given.length, Array.isArray(given[0]) ? given[0].length : -1];
    if (isNdArray(given) && given.shape.length !== 2) fail(fn, "opts.noise", `must be [H, ${A}] or [H, ${D}]; got shape [${given.shape.join(", ")}]`);
    if (rows !== H) fail(fn, "opts.noise", `must have H = ${H} rows; got ${rows}`);
    if (cols !== A && cols !== D) fail(fn, "opts.noise", `rows must have ${A} or ${D} values; row 0 has ${cols}`);
    // an ndarray keeps its dtype (float32 noise stays bit-exact); number[][] goes through the one nested conversion
    const flat = isNdArray(given) ? rowMajor(given) : toChunk(fn, "opts.noise", given, { horizon: H }, { allowNonFinite: true }).data;
    checkFinite(fn, "opts.noise", flat, [H, cols]);
    if (cols === A) noise.set(flat);
    else for (let i = 0; i < H; i++) noise.set(flat.subarray(i * cols, (i + 1) * cols), i * A);
  } else noise.set(new Rng(opts.seed ?? 0).normals(H * A));
  return noise;
}

/**
 * Continuous actions (the reference's `generate_actions_from_inputs`): project the session's per-layer KV
 * once (EOS and action spans hidden when `actionMode` is "both", the depth gate on the depth rows), then N
 * Euler steps of the expert from noise (t = 0) to data (t = 1) with times `i/N`; padded action dims are
 * zeroed in the noise, every velocity and the trajectory. Returns the whole `[H, A]` flow output.
 */
export async function runContinuous(expert: ActionExpert, cfg: MolmoAct2Config, table: TokenTable, session: DecodeSession, H: number, D: number, opts: PredictOptions): Promise<FlowResult> {
  const fn = "MolmoAct2.predictActions";
  const A = cfg.maxActionDim;
  const steps = checkInt(fn, "opts.numSteps", opts.numSteps ?? cfg.flowMatchingNumSteps, 1, 1000);
  const noise = initialNoise(H, A, D, opts);
  const masked = cfg.maskActionDimPadding && D < A;
  if (masked) for (let h = 0; h < H; h++) noise.fill(0, h * A + D, (h + 1) * A);
  const layers = Array.from({ length: cfg.text.numHiddenLayers }, (_, l) => session.cache.layer(l));
  const ctx = expert.prepareContext(layers, session.cache.tokenIds, {
    tokens: table,
    hideActionAndEos: cfg.actionMode === "both",
    times: Array.from(eulerGrid(steps, "molmoact2").times),
  });
  try {
    const x = await sample((xt, tt) => expert.velocity(xt as tf.Tensor2D, tt, ctx), {
      horizon: H,
      actionDim: A,
      numSteps: steps,
      noise,
      ...(masked ? { validDims: D } : {}),
    });
    const flowOut = Float32Array.from(await x.data());
    x.dispose();
    checkFinite(fn, "expert output", flowOut, [H, A]);
    return { flowOut, noise };
  } finally {
    ctx.dispose();
  }
}
