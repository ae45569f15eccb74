import * as tf from "@tensorflow/tfjs-core";

/**
 * `@tensorflow/tfjs-core` on its own registers no gradient functions (the `@tensorflow/tfjs` union package does, and its
 * ESM `register_all_gradients` file cannot be imported in Node). This registers gradients — written here from the
 * calculus, one per kernel — for every kernel the library's layers and the flow loss use, so `tf.variableGrads` /
 * `optimizer.minimize` work with tfjs-core alone. Kernels that already have a gradient are left alone, so it is safe
 * next to `@tensorflow/tfjs`. Idempotent; `flowMatchingLoss` (from `vla-primitives/flow`) calls it for you.
 *
 * Covered: Add, Sub, Multiply, RealDiv, Neg, Square, Sqrt, Rsqrt, Exp, Sin, Cos, Tanh, Sigmoid, Mean, Sum,
 * BatchMatMul (rank ≥ 2, equal batch shapes), Concat, Reshape, Tile, Slice, SplitV, Transpose, Softmax, Pack, Unpack,
 * PadV2, Cast, Identity. (`fused.matMul` carries its own gradient.)
 */
export function registerTrainingGradients(): void {
  if (registered) return;
  registered = true;
  for (const g of GRADS) if (!tf.getGradient(g.kernelName)) tf.registerGradient(g);
}

let registered = false;

type T = tf.Tensor;
type Attr = Record<string, unknown>;

/** Sum a broadcast gradient back to `shape`. */
function unbroadcast(dx: T, shape: number[]): T {
  const axes = tf.backend_util.getReductionAxes(shape, dx.shape);
  const r = axes.length > 0 ? tf.sum(dx, axes) : dx;
  return tf.reshape(r, shape);
}

function normAxes(axis: unknown, rank: number): number[] {
  if (axis === null || axis === undefined) return Array.from({ length: rank }, (_, i) => i);
  const arr = Array.isArray(axis) ? (axis as number[]) : [axis as number];
  return arr.map((a) => (a < 0 ? a + rank : a));
}

const binary = (name: string, f: (dy: T, a: T, b: T) => [T, T]): tf.GradConfig => ({
  kernelName: name,
  inputsToSave: ["a", "b"],
  gradFunc: (dy, saved) => {
    const [a, b] = saved;
    const d = dy as T;
    return {
      a: () => unbroadcast(f(d, a, b)[0], a.shape),
      b: () => unbroadcast(f(d, a, b)[1], b.shape),
    };
  },
});

const unary = (name: string, f: (dy: T, x: T) => T): tf.GradConfig => ({
  kernelName: name,
  inputsToSave: ["x"],
  gradFunc: (dy, saved) => ({ x: () => f(dy as T, saved[0]) }),
});

const reduceGrad = (name: string, mean: boolean): tf.GradConfig => ({
  kernelName: name,
  inputsToSave: ["x"],
  gradFunc: (dy, saved, attrs) => {
    const x = saved[0];
    const axes = normAxes((attrs as Attr).axis, x.rank);
    return {
      x: () => {
        const kept = x.shape.map((d, i) => (axes.includes(i) ? 1 : d));
        let g = tf.mul(tf.reshape(dy as T, kept), tf.ones(x.shape));
        if (mean) g = tf.div(g, axes.reduce((p, i) => p * x.shape[i], 1));
        return g;
      },
    };
  },
});

const GRADS: tf.GradConfig[] = [
  binary(tf.Add, (dy) => [dy, dy]),
  binary(tf.Sub, (dy) => [dy, tf.neg(dy)]),
  binary(tf.Multiply, (dy, a, b) => [tf.mul(dy, b), tf.mul(dy, a)]),
  binary(tf.RealDiv, (dy, a, b) => [tf.div(dy, b), tf.neg(tf.div(tf.mul(dy, a), tf.square(b)))]),
  unary(tf.Neg, (dy) => tf.neg(dy)),
  unary(tf.Square, (dy, x) => tf.mul(dy, tf.mul(x, 2))),
  unary(tf.Sqrt, (dy, x) => tf.div(dy, tf.mul(tf.sqrt(x), 2))),
  unary(tf.Rsqrt, (dy, x) => tf.mul(dy, tf.mul(tf.pow(tf.rsqrt(x), 3), -0.5))),
  unary(tf.Exp, (dy, x) => tf.mul(dy, tf.exp(x))),
  unary(tf.Sin, (dy, x) => tf.mul(dy, tf.cos(x))),
  unary(tf.Cos, (dy, x) => tf.neg(tf.mul(dy, tf.sin(x)))),
  unary(tf.Tanh, (dy, x) => tf.mul(dy, tf.sub(1, tf.square(tf.tanh(x))))),
  unary(tf.Sigmoid, (dy, x) => {
    const y = tf.sigmoid(x);
    return tf.mul(dy, tf.mul(y, tf.sub(1, y)));
  }),
  reduceGrad(tf.Mean, true),
  reduceGrad(tf.Sum, false),
  {
    kernelName: tf.BatchMatMul,
    inputsToSave: ["a", "b"],
    gradFunc: (dy, saved, attrs) => {
      const [a, b] = saved;
      const d = dy as T;
      const tA = Boolean((attrs as Attr).transposeA);
      const tB = Boolean((attrs as Attr).transposeB);
      const mm = (x: T, y: T, tx: boolean, ty: boolean) => tf.matMul(x as tf.Tensor2D, y as tf.Tensor2D, tx, ty);
      if (!tA && !tB) return { a: () => mm(d, b, false, true), b: () => mm(a, d, true, false) };
      if (!tA && tB) return { a: () => mm(d, b, false, false), b: () => mm(d, a, true, false) };
      if (tA && !tB) return { a: () => mm(b, d, false, true), b: () => mm(a, d, false, false) };
      return { a: () => mm(b, d, true, true), b: () => mm(d, a, true, true) };
    },
  },
  {
    kernelName: tf.Concat,
    saveAllInputs: true,
    gradFunc: (dy, saved, attrs) => {
      const d = dy as T;
      const axis = normAxes((attrs as Attr).axis, d.rank)[0];
      const sizes = saved.map((t) => t.shape[axis]);
      const parts = tf.split(d, sizes, axis);
      return parts.map((p) => () => p) as unknown as ReturnType<tf.GradConfig["gradFunc"]>;
    },
  },
  {
    kernelName: tf.Reshape,
    inputsToSave: ["x"],
    gradFunc: (dy, saved) => ({ x: () => tf.reshape(dy as T, saved[0].shape) }),
  },
  {
    kernelName: tf.Tile,
    inputsToSave: ["x"],
    gradFunc: (dy, saved, attrs) => {
      const x = saved[0];
      const reps = (attrs as Attr).reps as number[];
      return {
        x: () => {
          const inter: number[] = [];
          reps.forEach((r, i) => inter.push(r, x.shape[i]));
          const axes = reps.map((_, i) => 2 * i);
          return tf.reshape(tf.sum(tf.reshape(dy as T, inter), axes), x.shape);
        },
      };
    },
  },
  {
    kernelName: tf.Slice,
    inputsToSave: ["x"],
    gradFunc: (dy, saved, attrs) => {
      const x = saved[0];
      const d = dy as T;
      const b = (attrs as Attr).begin;
      const begin = Array.isArray(b) ? (b as number[]) : [b as number];
      return {
        x: () => tf.pad(d, x.shape.map((n, i) => [begin[i] ?? 0, n - (begin[i] ?? 0) - d.shape[i]] as [number, number])),
      };
    },
  },
  {
    kernelName: tf.SplitV,
    gradFunc: (dy, _saved, attrs) => {
      const dys = Array.isArray(dy) ? dy : [dy];
      const axis = normAxes((attrs as Attr).axis, dys[0].rank)[0];
      return { x: () => tf.concat(dys, axis) };
    },
  },
  {
    kernelName: tf.Transpose,
    gradFunc: (dy, _saved, attrs) => {
      const perm = (attrs as Attr).perm as number[];
      const inv = new Array<number>(perm.length);
      perm.forEach((p, i) => (inv[p] = i));
      return { x: () => tf.transpose(dy as T, inv) };
    },
  },
  {
    kernelName: tf.Softmax,
    outputsToSave: [true],
    gradFunc: (dy, saved, attrs) => {
      const y = saved[0];
      const d = dy as T;
      const dim = normAxes((attrs as Attr).dim ?? -1, y.rank);
      return { logits: () => tf.mul(y, tf.sub(d, tf.sum(tf.mul(d, y), dim, true))) };
    },
  },
  {
    kernelName: tf.Pack,
    gradFunc: (dy, _saved, attrs) => {
      const d = dy as T;
      const axis = normAxes((attrs as Attr).axis, d.rank)[0];
      return tf.unstack(d, axis).map((t) => () => t) as unknown as ReturnType<tf.GradConfig["gradFunc"]>;
    },
  },
  {
    kernelName: tf.Unpack,
    gradFunc: (dy, _saved, attrs) => {
      const dys = Array.isArray(dy) ? dy : [dy];
      const axis = normAxes((attrs as Attr).axis, dys[0].rank + 1)[0];
      return { value: () => tf.stack(dys, axis) };
    },
  },
  {
    kernelName: tf.PadV2,
    inputsToSave: ["x"],
    gradFunc: (dy, saved, attrs) => {
      const x = saved[0];
      const p = (attrs as Attr).paddings as [number, number][];
      return { x: () => tf.slice(dy as T, p.map((q) => q[0]), x.shape) };
    },
  },
  { kernelName: tf.Cast, gradFunc: (dy) => ({ x: () => tf.clone(dy as T) }) },
  { kernelName: tf.Identity, gradFunc: (dy) => ({ x: () => tf.clone(dy as T) }) },
];
