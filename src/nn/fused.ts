import * as tf from "@tensorflow/tfjs-core";

/**
 * Fused elementwise chains (inference): one kernel where the plain tfjs composition runs 2–7, registered for the wasm
 * backend (reads and writes the wasm heap in place) and the cpu backend (plain JS). On small operands — the action
 * expert's ~10 rows — tfjs's per-kernel dispatch (~14 µs on wasm) costs more than the arithmetic, so fewer kernels is
 * the speed-up. Each op falls back to the plain composition on other backends (webgpu), for non-float32 inputs, and
 * while a gradient tape records (the kernels have no gradients: training differentiates the plain ops). Every
 * intermediate is rounded to float32 as the plain ops round it (`Math.fround`); only the row sums of RMSNorm are
 * accumulated in float64 (more exact than the backends' float32 sums, within a float32 ulp or two of them).
 */

const RMS_AFFINE = "VlaRmsNormAffine";
const RESIDUAL_GATE = "VlaResidualGate";
const SILU_MUL = "VlaSiluMul";
const ROPE_ROWS = "VlaRopeRows";

/** What the kernels need from a backend: the wasm backend's heap views, or the cpu backend's value store. */
type WasmLike = { typedArrayFromHeap(t: tf.TensorInfo): Float32Array; makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo };
type CpuLike = { data: { get(id: tf.DataId): { values: unknown } }; makeTensorInfo(shape: number[], dtype: tf.DataType, values: Float32Array): tf.TensorInfo };

/** `out = f(inputs)` over float32 arrays; `inputs` in the order of `names`. */
type Compute = (ins: (Float32Array | undefined)[], out: Float32Array, attrs: tf.NamedAttrMap) => void;

function wasmKernel(names: readonly string[], compute: Compute): tf.KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const b = backend as unknown as WasmLike;
    const ts = names.map((n) => inputs[n] as tf.TensorInfo | undefined);
    const out = b.makeOutput(ts[0]!.shape, "float32");
    // views after makeOutput: a heap growth detaches older ones
    compute(ts.map((t) => t && b.typedArrayFromHeap(t)), b.typedArrayFromHeap(out), attrs ?? {});
    return out;
  };
}

function cpuKernel(names: readonly string[], compute: Compute): tf.KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const b = backend as unknown as CpuLike;
    const ts = names.map((n) => inputs[n] as tf.TensorInfo | undefined);
    const out = new Float32Array(tf.util.sizeFromShape(ts[0]!.shape));
    compute(ts.map((t) => t && (b.data.get(t.dataId).values as Float32Array)), out, attrs ?? {});
    return b.makeTensorInfo(ts[0]!.shape, "float32", out);
  };
}

let registered = false;

/** Register the kernels once (idempotent; a backend that is never used never runs them). */
function register(): void {
  if (registered) return;
  registered = true;
  const kernels: [string, readonly string[], Compute][] = [
    [RMS_AFFINE, ["x", "scale", "shift"], rmsAffine],
    [RESIDUAL_GATE, ["x", "gate", "y"], residualGateRows],
    [SILU_MUL, ["g", "u"], siluMulRows],
    [ROPE_ROWS, ["x", "cos", "sin"], ropeRows],
  ];
  for (const [kernelName, names, compute] of kernels) {
    if (!tf.getKernel(kernelName, "wasm")) tf.registerKernel({ kernelName, backendName: "wasm", kernelFunc: wasmKernel(names, compute) });
    if (!tf.getKernel(kernelName, "cpu")) tf.registerKernel({ kernelName, backendName: "cpu", kernelFunc: cpuKernel(names, compute) });
  }
}

/** Whether the fused kernel can run: a backend with it, float32 inputs, no gradient being recorded. */
function fusable(kernelName: string, ts: readonly tf.Tensor[]): boolean {
  register();
  if (tf.engine().state.gradientDepth > 0) return false;
  if (!tf.getKernel(kernelName, tf.getBackend())) return false;
  return ts.every((t) => t.dtype === "float32");
}

/** A `[n]`, `[1, n]` or `[rows, n]` operand broadcast to x's rows: its row stride (0 = one row for all). */
function rowStride(size: number, n: number): number {
  return size === n ? 0 : n;
}

/** Whether `p` broadcasts against x's rows of width n (one row, or one per row of x). */
function rowsMatch(p: tf.Tensor, x: tf.Tensor, n: number): boolean {
  return p.shape[p.rank - 1] === n && (p.size === n || (p.size === x.size && p.rank === x.rank));
}

const rmsAffine: Compute = (ins, out, attrs) => {
  const [x, scale, shift] = ins as [Float32Array, Float32Array | undefined, Float32Array | undefined];
  const eps = Math.fround(attrs.eps as number);
  const n = attrs.n as number;
  const rows = x.length / n;
  const ss = scale ? rowStride(scale.length, n) : 0;
  const hs = shift ? rowStride(shift.length, n) : 0;
  for (let r = 0; r < rows; r++) {
    const o = r * n;
    let sum = 0;
    for (let j = 0; j < n; j++) {
      const v = x[o + j];
      sum += Math.fround(v * v);
    }
    const inv = Math.fround(1 / Math.sqrt(Math.fround(Math.fround(sum / n) + eps)));
    const so = r * ss;
    const ho = r * hs;
    if (scale && shift) for (let j = 0; j < n; j++) out[o + j] = Math.fround(Math.fround(x[o + j] * inv) * scale[so + j]) + shift[ho + j];
    else if (scale) for (let j = 0; j < n; j++) out[o + j] = Math.fround(x[o + j] * inv) * scale[so + j];
    else for (let j = 0; j < n; j++) out[o + j] = x[o + j] * inv;
  }
};

const residualGateRows: Compute = (ins, out, attrs) => {
  const [x, gate, y] = ins as Float32Array[];
  const n = attrs.n as number;
  const gs = rowStride(gate.length, n);
  for (let o = 0, r = 0; o < x.length; o += n, r += gs) {
    for (let j = 0; j < n; j++) out[o + j] = x[o + j] + Math.fround(gate[r + j] * y[o + j]);
  }
};

const siluMulRows: Compute = (ins, out) => {
  const [g, u] = ins as Float32Array[];
  for (let i = 0; i < g.length; i++) {
    const v = g[i];
    out[i] = Math.fround(v * Math.fround(1 / (1 + Math.exp(-v)))) * u[i];
  }
};

/** Rotate-half RoPE on rows `[n, hd]`: `x·cos + rotate_half(x)·sin`, rotate_half(x) = `[−x2, x1]`. */
const ropeRows: Compute = (ins, out, attrs) => {
  const [x, cos, sin] = ins as Float32Array[];
  const hd = attrs.hd as number;
  const half = hd / 2;
  for (let o = 0; o < x.length; o += hd) {
    for (let j = 0; j < half; j++) out[o + j] = Math.fround(x[o + j] * cos[o + j]) + Math.fround(-x[o + half + j] * sin[o + j]);
    for (let j = half; j < hd; j++) out[o + j] = Math.fround(x[o + j] * cos[o + j]) + Math.fround(x[o + j - half] * sin[o + j]);
  }
};

/**
 * `RMSNorm(x)·scale + shift` over the last axis (weightless RMSNorm, eps as {@link rmsNorm}): the AdaRMS / adaLN
 * modulation of a DiT block with `scale` = 1 + the modulation's scale. `scale` and `shift` are `[n]`, `[1, n]` or one
 * row per row of `x` (same shape). One kernel on wasm and cpu; returns x's shape.
 */
export function rmsNormModulate(x: tf.Tensor, shift: tf.Tensor, scale: tf.Tensor, eps = 1e-6): tf.Tensor {
  const n = x.shape[x.rank - 1];
  if (x.rank >= 1 && rowsMatch(scale, x, n) && rowsMatch(shift, x, n) && fusable(RMS_AFFINE, [x, scale, shift])) {
    return tf.engine().runKernel(RMS_AFFINE, { x, scale, shift }, { eps, n }) as tf.Tensor;
  }
  return tf.tidy(() => {
    const ms = tf.mean(tf.square(x), -1, true);
    return tf.add(tf.mul(tf.mul(x, tf.rsqrt(tf.add(ms, eps))), scale), shift);
  });
}

/** RMSNorm (times `weight` when given) in one kernel where it can run, else null (the caller runs the plain ops). */
export function rmsNormFused(x: tf.Tensor, eps: number, weight?: tf.Tensor1D): tf.Tensor | null {
  const n = x.shape[x.rank - 1];
  if (x.rank < 1 || !fusable(RMS_AFFINE, weight ? [x, weight] : [x])) return null;
  return tf.engine().runKernel(RMS_AFFINE, weight ? { x, scale: weight } : { x }, { eps, n }) as tf.Tensor;
}

/**
 * Gated residual `x + gate·y` (a DiT block's `x + gate_msa·SelfAttn(…)`); `gate` `[n]`, `[1, n]` or x's shape, `y`
 * x's shape. One kernel on wasm and cpu.
 */
export function residualGate(x: tf.Tensor, gate: tf.Tensor, y: tf.Tensor): tf.Tensor {
  const n = x.shape[x.rank - 1];
  if (x.rank >= 1 && tf.util.arraysEqual(x.shape, y.shape) && rowsMatch(gate, x, n) && fusable(RESIDUAL_GATE, [x, gate, y])) {
    return tf.engine().runKernel(RESIDUAL_GATE, { x, gate, y }, { n }) as tf.Tensor;
  }
  return tf.tidy(() => tf.add(x, tf.mul(gate, y)));
}

/** `silu(g)·u` (the SwiGLU gate) in one kernel where it can run, else null. */
export function siluMulFused(g: tf.Tensor, u: tf.Tensor): tf.Tensor | null {
  if (!tf.util.arraysEqual(g.shape, u.shape) || !fusable(SILU_MUL, [g, u])) return null;
  return tf.engine().runKernel(SILU_MUL, { g, u }, {}) as tf.Tensor;
}

/**
 * Rotate-half RoPE on rows (`applyRopeRows`) in one kernel where it can run (the same float32 products and sum:
 * `x·P` only moves and negates entries), else null.
 */
export function ropeRowsFused(x: tf.Tensor2D, cos: tf.Tensor2D, sin: tf.Tensor2D): tf.Tensor2D | null {
  const ok = x.rank === 2 && tf.util.arraysEqual(x.shape, cos.shape) && tf.util.arraysEqual(x.shape, sin.shape) && x.shape[1] % 2 === 0;
  if (!ok || !fusable(ROPE_ROWS, [x, cos, sin])) return null;
  return tf.engine().runKernel(ROPE_ROWS, { x, cos, sin }, { hd: x.shape[1] }) as tf.Tensor2D;
}
