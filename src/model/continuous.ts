import * as tf from "@tensorflow/tfjs-core";
import { checkFinite, checkInt, fail, Rng } from "../core/index.js";
import { eulerGrid, sample } from "../flow/index.js";
import type { ActionExpert } from "../nn/index.js";
import type { TokenTable } from "../vocab/index.js";
import type { MolmoAct2Config } from "./config.js";
import type { DecodeSession } from "./session.js";
import type { PredictOptions } from "./types.js";

/**
 * Continuous actions (molmoact2.md §3.3–3.4): project the session's per-layer KV once (EOS and action
 * spans hidden, depth gate), then N Euler steps of the expert from noise (t = 0) to data (t = 1) with
 * `flow/`'s `sample`; padded dims are zeroed in noise, velocity and trajectory. Returns `[H][D]`
 * normalised actions.
 */
export async function runContinuous(
  expert: ActionExpert,
  cfg: MolmoAct2Config,
  table: TokenTable,
  session: DecodeSession,
  H: number,
  D: number,
  opts: PredictOptions,
): Promise<number[][]> {
  const fn = "MolmoAct2.predictActions";
  const A = cfg.expert.maxActionDim;
  const steps = checkInt(fn, "opts.numSteps", opts.numSteps ?? cfg.flowSteps, 1, 1000);
  const noise = new Float32Array(H * A);
  if (opts.noise) {
    if (opts.noise.length !== H) fail(fn, "opts.noise", `must have H = ${H} rows; got ${opts.noise.length}`);
    opts.noise.forEach((row, i) => {
      if (row.length !== A && row.length !== D) fail(fn, "opts.noise", `rows must have ${A} or ${D} values; row ${i} has ${row.length}`);
      checkFinite(fn, `opts.noise[${i}]`, row);
      for (let j = 0; j < row.length; j++) noise[i * A + j] = row[j];
    });
  } else {
    const rng = new Rng(opts.seed ?? 0);
    noise.set(rng.normals(H * A));
  }
  const layers = Array.from({ length: cfg.llm.layers }, (_, l) => session.cache.layer(l));
  const times = Array.from(eulerGrid(steps, "molmoact2").times);
  const ctx = expert.prepareContext(layers, session.cache.tokenIds, {
    tokens: table,
    hideActionAndEos: cfg.maskActionSpans,
    times,
  });
  try {
    const x = await sample((xt, tt) => expert.velocity(xt as tf.Tensor2D, tt, ctx), {
      horizon: H,
      actionDim: A,
      numSteps: steps,
      noise,
      ...(cfg.maskActionDimPadding && D < A ? { validDims: D } : {}),
    });
    const data = await x.data();
    x.dispose();
    const out: number[][] = [];
    for (let h = 0; h < H; h++) {
      const row = new Array<number>(D);
      for (let d = 0; d < D; d++) row[d] = data[h * A + d];
      out.push(row);
    }
    checkFinite(fn, "expert output", out.flat());
    return out;
  } finally {
    ctx.dispose();
  }
}
