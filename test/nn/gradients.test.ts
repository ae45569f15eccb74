import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, it } from "vitest";
import { Rng } from "../../src/core/index.js";
import { applyRope, applyRopeRows, attention, registerTrainingGradients, rmsNorm, ropeRowTables, ropeTables, silu, swiglu } from "../../src/nn/index.js";
import { read, setBackend } from "./backends.js";

/** Central finite differences of a scalar function of one tensor, in float32 (so step 1e-2 and loose tolerance). */
async function numericGrad(f: (x: tf.Tensor) => tf.Scalar, x0: Float32Array, shape: number[], h = 1e-2): Promise<Float64Array> {
  const g = new Float64Array(x0.length);
  for (let i = 0; i < x0.length; i++) {
    const p = Float32Array.from(x0), m = Float32Array.from(x0);
    p[i] += h;
    m[i] -= h;
    const fp = tf.tidy(() => f(tf.tensor(p, shape)));
    const fm = tf.tidy(() => f(tf.tensor(m, shape)));
    g[i] = ((await fp.data())[0] - (await fm.data())[0]) / (2 * h);
    tf.dispose([fp, fm]);
  }
  return g;
}

describe("registered training gradients (tfjs-core has none by itself)", () => {
  beforeAll(async () => {
    await setBackend("cpu");
    registerTrainingGradients();
  });

  const cases: [string, number[], (x: tf.Tensor) => tf.Scalar][] = [
    ["add/sub/mul/div/neg with broadcasting, mean, sum", [3, 4], (x) => tf.mean(tf.div(tf.sub(tf.mul(x, tf.tensor1d([1, 2, 3, 4])), tf.neg(tf.sum(x, 0, true))), tf.add(tf.square(x), 2)))],
    ["sqrt/rsqrt/exp/sin/cos/tanh/sigmoid", [2, 3], (x) => tf.sum(tf.add(tf.add(tf.sqrt(tf.add(tf.square(x), 1)), tf.rsqrt(tf.add(tf.square(x), 1))), tf.add(tf.mul(tf.exp(tf.mul(x, 0.3)), tf.sin(x)), tf.add(tf.cos(x), tf.add(tf.tanh(x), tf.sigmoid(x))))))],
    ["matMul (all transpose flags, batched), transpose, reshape", [2, 3, 4], (x) => {
      const w = tf.tensor2d(Array.from({ length: 12 }, (_, i) => Math.sin(i)), [4, 3]);
      const x2 = tf.reshape(x, [6, 4]);
      const a = tf.matMul(x2, w);
      const b = tf.matMul(x2, tf.transpose(w), false, true);
      const c = tf.matMul(tf.transpose(x2), w, true, false);
      const d = tf.matMul(tf.transpose(x2), tf.transpose(w), true, true);
      const e = tf.matMul(x, tf.transpose(x, [0, 2, 1]));
      return tf.add(tf.add(tf.sum(tf.square(a)), tf.sum(tf.mul(b, a))), tf.add(tf.add(tf.sum(c), tf.sum(tf.square(d))), tf.mean(e)));
    }],
    ["concat/split/slice/pad/tile/stack/unstack/softmax", [3, 4], (x) => {
      const [p, q] = tf.split(x, [1, 3], 1);
      const c = tf.concat([tf.concat([q, p], 1), tf.slice(x, [1, 0], [2, 4])], 0);
      const t = tf.tile(c, [2, 1]);
      const s = tf.stack(tf.unstack(tf.pad(t, [[1, 0], [0, 2]])), 1);
      return tf.sum(tf.mul(tf.softmax(tf.mul(s, 1.5)), tf.reshape(tf.range(0, s.size), s.shape)));
    }],
    ["nn layers: rmsNorm, rope, attention (GQA, per-head path), swiglu, silu", [6, 4, 4], (x) => {
      const { cos, sin } = ropeTables([0, 1, 2, 3, 4, 5], 4, 10000);
      const q = applyRope(rmsNorm(x) as tf.Tensor3D, cos, sin);
      const kv = tf.tile(tf.slice(x, [0, 0, 0], [6, 2, 4]), [2, 1, 1]) as tf.Tensor3D;
      const a = tf.add(attention(q, kv, kv, { causal: true, causalOffset: 6, path: "perHead" }), attention(q, kv, kv, { path: "batched" }));
      const w = tf.tensor2d(Array.from({ length: 16 * 8 }, (_, i) => Math.cos(i) * 0.2), [16, 8]);
      const w2 = tf.tensor2d(Array.from({ length: 8 * 16 }, (_, i) => Math.sin(i) * 0.2), [8, 16]);
      const m = swiglu(a as tf.Tensor2D, w, w, w2, tf.ones([8]) as tf.Tensor1D, undefined, tf.zeros([16]) as tf.Tensor1D);
      return tf.sum(tf.mul(silu(m), tf.reshape(tf.range(0, 6 * 16), [6, 16])));
    }],
    ["rope on rows (the action expert's joint q/k form)", [6, 4], (x) => {
      const t = ropeRowTables([0, 0, 1, 1, 2, 2], 4, 10000, [0.5, 1, 0.5, 1, 0.5, 1]);
      return tf.sum(tf.mul(applyRopeRows(x as tf.Tensor2D, t), tf.reshape(tf.range(0, 24), [6, 4])));
    }],
  ];

  for (const [name, shape, f] of cases) {
    it(`${name}: analytic = finite differences`, async () => {
      const n = shape.reduce((a, b) => a * b, 1);
      const x0 = Float32Array.from(new Rng(n).normals(n), (v) => v * 0.7);
      const g = tf.grad(f);
      const ga = g(tf.tensor(x0, shape));
      const an = await read(ga);
      ga.dispose();
      const nu = await numericGrad(f, x0, shape);
      // float32 central differences with h = 1e-2: truncation O(h²) and rounding O(ε·|f|/h) ⇒ ~1e-3 relative
      let scale = 1;
      for (const v of nu) scale = Math.max(scale, Math.abs(v));
      for (let i = 0; i < n; i++) expect(Math.abs(an[i] - nu[i])).toBeLessThan(5e-3 * scale);
    });
  }
});
