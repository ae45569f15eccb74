/**
 * Plain-JS float64 reference implementations (independent of tfjs) of the nn blocks, used by the nn/kv/flow/model tests.
 * Matrices are row-major Float64Array with explicit sizes.
 */
export type F64 = Float64Array<ArrayBufferLike>;

export function matmul(a: ArrayLike<number>, m: number, k: number, b: ArrayLike<number>, n: number): F64 {
  const out = new Float64Array(m * n);
  for (let i = 0; i < m; i++)
    for (let p = 0; p < k; p++) {
      const av = a[i * k + p];
      for (let j = 0; j < n; j++) out[i * n + j] += av * b[p * n + j];
    }
  return out;
}

export function addBias(x: F64, rows: number, b: ArrayLike<number> | undefined): F64 {
  if (!b) return x;
  const n = b.length;
  for (let i = 0; i < rows; i++) for (let j = 0; j < n; j++) x[i * n + j] += b[j];
  return x;
}

export function linearRef(x: ArrayLike<number>, rows: number, w: ArrayLike<number>, inD: number, outD: number, b?: ArrayLike<number>): F64 {
  return addBias(matmul(x, rows, inD, w, outD), rows, b);
}

/** RMSNorm over groups of `d` consecutive values. */
export function rmsRef(x: ArrayLike<number>, d: number, eps = 1e-6, w?: ArrayLike<number>): F64 {
  const out = new Float64Array(x.length);
  for (let r = 0; r < x.length / d; r++) {
    let s = 0;
    for (let j = 0; j < d; j++) s += x[r * d + j] ** 2;
    const inv = 1 / Math.sqrt(s / d + eps);
    for (let j = 0; j < d; j++) out[r * d + j] = x[r * d + j] * inv * (w ? w[j] : 1);
  }
  return out;
}

export const siluRef = (v: number) => v / (1 + Math.exp(-v));
export const geluRef = (v: number) => 0.5 * v * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (v + 0.044715 * v ** 3)));

/** Rotate-half RoPE on x [T, H, hd] at positions pos. */
export function ropeRef(x: ArrayLike<number>, T: number, H: number, hd: number, pos: ArrayLike<number>, base: number): F64 {
  const out = new Float64Array(T * H * hd);
  const half = hd / 2;
  for (let t = 0; t < T; t++)
    for (let h = 0; h < H; h++)
      for (let j = 0; j < half; j++) {
        const a = pos[t] * Math.pow(base, -j / half);
        const o = (t * H + h) * hd;
        const x1 = x[o + j];
        const x2 = x[o + half + j];
        out[o + j] = x1 * Math.cos(a) - x2 * Math.sin(a);
        out[o + half + j] = x1 * Math.sin(a) + x2 * Math.cos(a);
      }
  return out;
}

/** Attention q [Tq,Hq,hd], k/v [Tk,Hkv,hd], additive mask [Tq,Tk] (or [1,Tk]) → [Tq, Hq*hd]. */
export function attentionRef(
  q: ArrayLike<number>, k: ArrayLike<number>, v: ArrayLike<number>,
  Tq: number, Hq: number, Tk: number, Hkv: number, hd: number,
  opts: { mask?: ArrayLike<number>; maskRows?: number; causal?: boolean; causalOffset?: number; scale?: number } = {},
): F64 {
  const g = Hq / Hkv;
  const scale = opts.scale ?? 1 / Math.sqrt(hd);
  const out = new Float64Array(Tq * Hq * hd);
  const s = new Float64Array(Tk);
  for (let h = 0; h < Hq; h++) {
    const kh = Math.floor(h / g);
    for (let i = 0; i < Tq; i++) {
      let mx = -Infinity;
      for (let j = 0; j < Tk; j++) {
        let d = 0;
        for (let c = 0; c < hd; c++) d += q[(i * Hq + h) * hd + c] * k[(j * Hkv + kh) * hd + c];
        d *= scale;
        // masks are added in float32 (as tfjs and PyTorch do): a −1e9 mask swallows the score, so a fully masked row is uniform
        if (opts.mask) d = Math.fround(d + opts.mask[(opts.maskRows === 1 ? 0 : i) * Tk + j]);
        if (opts.causal && j > i + (opts.causalOffset ?? 0)) d += -1e9;
        s[j] = d;
        if (d > mx) mx = d;
      }
      let z = 0;
      for (let j = 0; j < Tk; j++) z += s[j] = Math.exp(s[j] - mx);
      for (let j = 0; j < Tk; j++) {
        const p = s[j] / z;
        for (let c = 0; c < hd; c++) out[(i * Hq + h) * hd + c] += p * v[(j * Hkv + kh) * hd + c];
      }
    }
  }
  return out;
}

export function swigluRef(x: ArrayLike<number>, rows: number, d: number, inner: number, dOut: number, p: { wg: ArrayLike<number>; wu: ArrayLike<number>; wd: ArrayLike<number>; bg?: ArrayLike<number>; bu?: ArrayLike<number>; bd?: ArrayLike<number> }): F64 {
  const g = linearRef(x, rows, p.wg, d, inner, p.bg);
  const u = linearRef(x, rows, p.wu, d, inner, p.bu);
  for (let i = 0; i < g.length; i++) g[i] = siluRef(g[i]) * u[i];
  return linearRef(g, rows, p.wd, inner, dOut, p.bd);
}

export function sinusoidRef(t: number, dim: number): F64 {
  const half = Math.floor(dim / 2);
  const out = new Float64Array(dim);
  for (let j = 0; j < half; j++) {
    const a = t * Math.exp((-Math.log(10000) * j) / Math.max(half - 1, 1));
    out[j] = Math.sin(a);
    out[half + j] = Math.cos(a);
  }
  return out;
}
