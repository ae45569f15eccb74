/**
 * Train a tiny flow-matching velocity MLP on a 2-D toy distribution (two Gaussian blobs) with the library's
 * `flowMatchingLoss`, then sample it with `sample` and compare statistics with the data.
 *
 *   npx tsx examples/train-toy-flow.ts            # wasm backend, ~10 s on 2 cores
 *   npx tsx examples/train-toy-flow.ts cpu
 */
import * as tf from "@tensorflow/tfjs-core";
import { Rng } from "../src/core/index.js";
import { flowMatchingLoss, sample } from "../src/flow/index.js";
import { initLinear, linear, silu, useBackend, type BackendName } from "../src/nn/index.js";

/** Statistics of 2-D points. */
export interface Stats2D {
  mean: [number, number];
  std: [number, number];
  corr: number;
  /** Fraction of points in the upper-right half (x + y > 0): the blob balance. */
  upperFraction: number;
  /** Fraction of points within 0.75 of a blob centre. */
  nearCentre: number;
}

export function stats2D(xy: ArrayLike<number>): Stats2D {
  const n = xy.length / 2;
  let mx = 0, my = 0;
  for (let i = 0; i < n; i++) (mx += xy[2 * i]), (my += xy[2 * i + 1]);
  mx /= n;
  my /= n;
  let vx = 0, vy = 0, cxy = 0, up = 0, near = 0;
  for (let i = 0; i < n; i++) {
    const a = xy[2 * i], b = xy[2 * i + 1];
    vx += (a - mx) ** 2;
    vy += (b - my) ** 2;
    cxy += (a - mx) * (b - my);
    if (a + b > 0) up++;
    if (Math.min(Math.hypot(a - 1, b - 1), Math.hypot(a + 1, b + 1)) < 0.75) near++;
  }
  return { mean: [mx, my], std: [Math.sqrt(vx / n), Math.sqrt(vy / n)], corr: cxy / Math.sqrt(vx * vy), upperFraction: up / n, nearCentre: near / n };
}

/** Draw n points from the toy distribution: blobs at (1, 1) and (−1, −1), std 0.25, equal weight. */
export function toyData(rng: Rng, n: number): Float32Array {
  const out = new Float32Array(2 * n);
  for (let i = 0; i < n; i++) {
    const s = rng.uniform() < 0.5 ? 1 : -1;
    out[2 * i] = s + 0.25 * rng.normal();
    out[2 * i + 1] = s + 0.25 * rng.normal();
  }
  return out;
}

export interface ToyResult {
  data: Stats2D;
  samples: Stats2D;
  firstLoss: number;
  lastLoss: number;
  seconds: number;
}

/** Train the toy flow and sample it. Everything is seeded; all tensors are freed on return. */
export async function trainToyFlow(opts: { steps?: number; batch?: number; hidden?: number; seed?: number; numSamples?: number; backend?: BackendName } = {}): Promise<ToyResult> {
  const { steps = 600, batch = 256, hidden = 64, seed = 0, numSamples = 2000 } = opts;
  if (opts.backend) await useBackend(opts.backend);
  const t0 = performance.now();
  const rng = new Rng(seed);
  const T_DIM = 16;
  // velocity MLP: [x (2) | sinusoid(t) (16)] → hidden → hidden → 2, SiLU
  const mk = (i: number, o: number) => {
    const { w, b } = initLinear(rng, i, o);
    return { w: tf.variable(w), b: tf.variable(b!) };
  };
  const l1 = mk(2 + T_DIM, hidden), l2 = mk(hidden, hidden), l3 = mk(hidden, 2);
  const net = (x: tf.Tensor2D, tRows: tf.Tensor2D): tf.Tensor2D =>
    tf.tidy(() => {
      const emb = embedTimes(tRows, T_DIM);
      const h1 = silu(linear(tf.concat([x, emb], 1) as tf.Tensor2D, l1.w as tf.Tensor2D, l1.b as tf.Tensor1D)) as tf.Tensor2D;
      const h2 = silu(linear(h1, l2.w as tf.Tensor2D, l2.b as tf.Tensor1D)) as tf.Tensor2D;
      return linear(h2, l3.w as tf.Tensor2D, l3.b as tf.Tensor1D);
    });
  const opt = tf.train.adam(3e-3);
  let firstLoss = NaN, lastLoss = NaN;
  for (let s = 0; s < steps; s++) {
    const a = tf.tensor2d(toyData(rng, batch), [batch, 2]);
    const loss = opt.minimize(() => flowMatchingLoss((xt, _t, tRows) => net(xt, tRows), a, { horizon: 1, rng }), true) as tf.Scalar;
    if (s === 0 || s === steps - 1 || s % 50 === 0) {
      const v = (await loss.data())[0];
      if (s === 0) firstLoss = v;
      lastLoss = v;
    }
    tf.dispose([a, loss]);
  }
  // sample: the MLP is a VelocityFn over rows [n, 2]; every row is its own "trajectory" of horizon 1
  const x = await sample(
    (xx, t) => tf.tidy(() => net(xx as tf.Tensor2D, tf.fill([xx.shape[0], 1], t) as tf.Tensor2D)),
    { horizon: numSamples, actionDim: 2, numSteps: 20, method: "heun", rng },
  );
  const samples = stats2D(await x.data());
  x.dispose();
  opt.dispose();
  for (const l of [l1, l2, l3]) tf.dispose([l.w, l.b]);
  return { data: stats2D(toyData(new Rng(seed + 1), numSamples)), samples, firstLoss, lastLoss, seconds: (performance.now() - t0) / 1000 };
}

/** Sinusoidal features of per-row times `[rows, 1]` → `[rows, dim]` (MolmoAct2's frequencies, done in tf so it is per row). */
function embedTimes(tRows: tf.Tensor2D, dim: number): tf.Tensor2D {
  const half = dim / 2;
  const freqs = Float32Array.from({ length: half }, (_, j) => Math.exp((-Math.log(10000) * j) / (half - 1)));
  const arg = tf.mul(tRows, tf.tensor2d(freqs, [1, half]));
  return tf.concat([tf.sin(arg), tf.cos(arg)], 1) as tf.Tensor2D;
}

const isMain = process.argv[1] && import.meta.url.endsWith(process.argv[1].split("/").pop() ?? "");
if (isMain) {
  const backend = (process.argv[2] as BackendName | undefined) ?? "wasm";
  const r = await trainToyFlow({ backend });
  const f = (s: Stats2D) =>
    `mean (${s.mean.map((v) => v.toFixed(3)).join(", ")}) std (${s.std.map((v) => v.toFixed(3)).join(", ")}) corr ${s.corr.toFixed(3)} upper ${s.upperFraction.toFixed(3)} nearCentre ${s.nearCentre.toFixed(3)}`;
  console.log(`backend ${backend}: trained in ${r.seconds.toFixed(1)} s, loss ${r.firstLoss.toFixed(3)} → ${r.lastLoss.toFixed(3)}`);
  console.log(`data    ${f(r.data)}`);
  console.log(`samples ${f(r.samples)}`);
}
