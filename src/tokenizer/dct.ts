import FFT from "fft.js";

/**
 * Orthonormal DCT-II along the time axis of a row-major `[horizon][dim]` float64 chunk, and its inverse
 * (orthonormal DCT-III), matching `scipy.fft.dct(x, type=2, norm="ortho", axis=0)` / `idct(...)`:
 *
 *   X[k] = s_k · Σ_n x[n] · cos(π(2n+1)k / (2T)),   s_0 = √(1/T), s_k = √(2/T) (k > 0)
 *   x[n] = Σ_k s_k · X[k] · cos(π(2n+1)k / (2T))
 *
 * Small T use a cached T×T basis matrix (fast, exact to float rounding); large T use a Bluestein
 * chirp-z transform on top of fft.js (power-of-two FFTs), which works for any T. Both agree within 1e-12.
 */

/** Horizons up to this length use the cached matrix; longer ones use the FFT path. */
export const DCT_MATRIX_MAX = 128;

export type DctMethod = "auto" | "matrix" | "fft";

const matrixCache = new Map<number, Float64Array>();
/** Folded sums / differences of mirrored rows, `[half][dim]` each (reused; grown as needed). */
let foldU = new Float64Array(0);
let foldV = new Float64Array(0);
/** Nonzero coefficients of one column (idct): their frequencies and values. */
let nzRows = new Int32Array(0);
let nzVals = new Float64Array(0);
const transposedCache = new Map<number, Float64Array>();

/** `dctMatrix(T)` transposed (`BT[n*T + k] = B[k*T + n]`), cached per T: the inverse reads it row by row. */
function dctMatrixTransposed(T: number): Float64Array {
  let m = transposedCache.get(T);
  if (m) return m;
  const B = dctMatrix(T);
  m = new Float64Array(T * T);
  for (let k = 0; k < T; k++) for (let n = 0; n < T; n++) m[n * T + k] = B[k * T + n];
  if (transposedCache.size > 64) transposedCache.clear();
  transposedCache.set(T, m);
  return m;
}

/** The orthonormal DCT-II basis `B[k*T + n] = s_k cos(π(2n+1)k/(2T))` (cached per T). */
export function dctMatrix(T: number): Float64Array {
  let m = matrixCache.get(T);
  if (m) return m;
  m = new Float64Array(T * T);
  const s0 = Math.sqrt(1 / T);
  const s = Math.sqrt(2 / T);
  const period = 4 * T;
  for (let k = 0; k < T; k++) {
    for (let n = 0; n < T; n++) {
      // reduce the angle exactly in integers before multiplying by π/(2T)
      const r = ((2 * n + 1) * k) % period;
      m[k * T + n] = (k === 0 ? s0 : s) * Math.cos((Math.PI * r) / (2 * T));
    }
  }
  if (matrixCache.size > 64) matrixCache.clear();
  matrixCache.set(T, m);
  return m;
}

function pickFft(method: DctMethod, T: number): boolean {
  return method === "fft" || (method === "auto" && T > DCT_MATRIX_MAX);
}

/**
 * Forward orthonormal DCT-II along time. `x` is row-major float64 `[horizon][dim]`; returns (or fills `out`)
 * row-major `[horizon (frequency)][dim]`.
 */
export function dctOrtho(x: Float64Array, horizon: number, dim: number, out?: Float64Array, method: DctMethod = "auto"): Float64Array {
  const T = horizon;
  const res = out ?? new Float64Array(T * dim);
  if (pickFft(method, T)) {
    bluestein(T).forward(x, dim, res);
    return res;
  }
  if (T === 1) return scipyLength1(x, dim, res);
  const B = dctMatrix(T);
  // B[k][T-1-n] = (-1)^k B[k][n]: fold mirrored samples into sums (even k) and differences (odd k), halving
  // the work. The folds are stored transposed ([dim][half]) so the dot products below read contiguous memory,
  // and four columns are summed at once (independent accumulators overlap their latency). Each out[k][d] still
  // sums B[k][n]·u[d][n] for n = 0, 1, … and then the middle sample, so results are bit-identical to a
  // one-column-at-a-time loop (quantized ids depend on exact float results at rounding ties).
  const half = T >> 1;
  const odd = (T & 1) === 1;
  if (foldU.length < half * dim) {
    foldU = new Float64Array(half * dim);
    foldV = new Float64Array(half * dim);
  }
  const u = foldU;
  const v = foldV;
  for (let d = 0; d < dim; d++) {
    const t0 = d * half;
    for (let n = 0; n < half; n++) {
      const a = x[n * dim + d];
      const b = x[(T - 1 - n) * dim + d];
      u[t0 + n] = a + b;
      v[t0 + n] = a - b;
    }
  }
  const mid = half * dim;
  for (let k = 0; k < T; k++) {
    const bk = k * T;
    const o = k * dim;
    const even = (k & 1) === 0;
    const src = even ? u : v;
    const wMid = odd && even ? B[bk + half] : 0;
    const hasMid = odd && even;
    let d = 0;
    for (; d + 3 < dim; d += 4) {
      const t0 = d * half;
      const t1 = t0 + half;
      const t2 = t1 + half;
      const t3 = t2 + half;
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      for (let n = 0; n < half; n++) {
        const w = B[bk + n];
        s0 += w * src[t0 + n];
        s1 += w * src[t1 + n];
        s2 += w * src[t2 + n];
        s3 += w * src[t3 + n];
      }
      if (hasMid) {
        s0 += wMid * x[mid + d];
        s1 += wMid * x[mid + d + 1];
        s2 += wMid * x[mid + d + 2];
        s3 += wMid * x[mid + d + 3];
      }
      res[o + d] = s0;
      res[o + d + 1] = s1;
      res[o + d + 2] = s2;
      res[o + d + 3] = s3;
    }
    for (; d < dim; d++) {
      const t0 = d * half;
      let s0 = 0;
      for (let n = 0; n < half; n++) s0 += B[bk + n] * src[t0 + n];
      if (hasMid) s0 += wMid * x[mid + d];
      res[o + d] = s0;
    }
  }
  return res;
}

/**
 * Inverse (orthonormal DCT-III) along time. `c` is row-major float64 `[horizon (frequency)][dim]`; returns (or
 * fills `out`) row-major `[horizon][dim]`. Zero coefficients are skipped, so sparse FAST coefficients are cheap.
 */
export function idctOrtho(c: Float64Array, horizon: number, dim: number, out?: Float64Array, method: DctMethod = "auto"): Float64Array {
  const T = horizon;
  const res = out ?? new Float64Array(T * dim);
  if (pickFft(method, T)) {
    bluestein(T).inverse(c, dim, res);
    return res;
  }
  if (T === 1) return scipyLength1(c, dim, res);
  const BT = dctMatrixTransposed(T);
  // FAST coefficients are mostly zero: per column gather the nonzero frequencies once, then each output sample is
  // a short dot product kept in a register (no read-modify-write of res). Every res[n][d] still sums over k in
  // increasing order; skipped terms are exact zeros, which never change a sum, so results equal the dense loop
  // bit for bit.
  if (nzRows.length < T) {
    nzRows = new Int32Array(T);
    nzVals = new Float64Array(T);
  }
  const ks = nzRows;
  const vs = nzVals;
  for (let d = 0; d < dim; d++) {
    let nz = 0;
    for (let k = 0; k < T; k++) {
      const v = c[k * dim + d];
      if (v !== 0) {
        ks[nz] = k;
        vs[nz++] = v;
      }
    }
    for (let n = 0; n < T; n++) {
      const bn = n * T;
      let acc = 0;
      for (let j = 0; j < nz; j++) acc += BT[bn + ks[j]] * vs[j];
      res[n * dim + d] = acc;
    }
  }
  return res;
}

/**
 * Length 1: both transforms are the identity in exact arithmetic, but scipy (pocketfft) computes
 * ((x·2)·√½)·√½ = x·1.0000000000000002, which decides numpy's half-to-even rounding of exact ties
 * (golden `round_half_even_1x6`: 0.25·10 → 3). Reproduce those float operations.
 */
function scipyLength1(x: Float64Array, dim: number, out: Float64Array): Float64Array {
  for (let d = 0; d < dim; d++) out[d] = x[d] * 2 * Math.SQRT1_2 * Math.SQRT1_2;
  return out;
}

interface Bluestein {
  forward(x: Float64Array, dim: number, out: Float64Array): void;
  inverse(c: Float64Array, dim: number, out: Float64Array): void;
}

const bluesteinCache = new Map<number, Bluestein>();

function nextPow2(n: number): number {
  let p = 2;
  while (p < n) p *= 2;
  return p;
}

/**
 * DCT via a length-2T DFT evaluated with Bluestein's chirp-z algorithm:
 * X[k] = s_k Re(e^{-iπk/(2T)} · DFT_{2T}(x zero-padded)[k]); inverse mirrors it with conjugate chirps.
 */
function bluestein(T: number): Bluestein {
  const cached = bluesteinCache.get(T);
  if (cached) return cached;
  const L = 2 * T;
  const M = nextPow2(2 * T - 1);
  const fft = new FFT(M);
  // chirp w_m = exp(-iπ m²/L), m² reduced mod 2L
  const wRe = new Float64Array(T);
  const wIm = new Float64Array(T);
  for (let m = 0; m < T; m++) {
    const r = (m * m) % (2 * L);
    const a = (-Math.PI * r) / L;
    wRe[m] = Math.cos(a);
    wIm[m] = Math.sin(a);
  }
  // kernels: conj(w) for the forward DFT (e^{-2πi nk/L}), w for the inverse (e^{+2πi nk/L})
  const kernel = (conj: boolean): Float64Array => {
    const b = new Float64Array(2 * M);
    for (let j = 0; j < T; j++) {
      const re = wRe[j];
      const im = conj ? -wIm[j] : wIm[j];
      b[2 * j] = re;
      b[2 * j + 1] = im;
      if (j > 0) {
        b[2 * (M - j)] = re;
        b[2 * (M - j) + 1] = im;
      }
    }
    const fb = new Float64Array(2 * M);
    fft.transform(fb, b);
    return fb;
  };
  const fbFwd = kernel(true);
  const fbInv = kernel(false);
  const sk = (k: number) => (k === 0 ? Math.sqrt(1 / T) : Math.sqrt(2 / T));
  // e^{∓iπk/(2T)} twiddles
  const tRe = new Float64Array(T);
  const tIm = new Float64Array(T);
  for (let k = 0; k < T; k++) {
    const a = (Math.PI * k) / (2 * T);
    tRe[k] = Math.cos(a);
    tIm[k] = Math.sin(a);
  }
  const a = new Float64Array(2 * M);
  const fa = new Float64Array(2 * M);
  const conv = new Float64Array(2 * M);

  // y[k] = chirpOut[k] · Σ_n (input[n] · chirpIn[n]) · kernel[k-n], for k < T
  const run = (inRe: Float64Array, inIm: Float64Array, fb: Float64Array, conjChirp: boolean, outRe: Float64Array, outIm: Float64Array) => {
    a.fill(0);
    for (let n = 0; n < T; n++) {
      const cr = wRe[n];
      const ci = conjChirp ? -wIm[n] : wIm[n];
      a[2 * n] = inRe[n] * cr - inIm[n] * ci;
      a[2 * n + 1] = inRe[n] * ci + inIm[n] * cr;
    }
    fft.transform(fa, a);
    // pointwise product, conjugated so one forward FFT computes the inverse
    for (let i = 0; i < M; i++) {
      const xr = fa[2 * i];
      const xi = fa[2 * i + 1];
      const yr = fb[2 * i];
      const yi = fb[2 * i + 1];
      a[2 * i] = xr * yr - xi * yi;
      a[2 * i + 1] = -(xr * yi + xi * yr);
    }
    fft.transform(conv, a);
    for (let k = 0; k < T; k++) {
      const vr = conv[2 * k] / M;
      const vi = -conv[2 * k + 1] / M;
      const cr = wRe[k];
      const ci = conjChirp ? -wIm[k] : wIm[k];
      outRe[k] = vr * cr - vi * ci;
      outIm[k] = vr * ci + vi * cr;
    }
  };
  const inRe = new Float64Array(T);
  const inIm = new Float64Array(T);
  const oRe = new Float64Array(T);
  const oIm = new Float64Array(T);
  const b: Bluestein = {
    forward(x, dim, out) {
      for (let d = 0; d < dim; d++) {
        for (let n = 0; n < T; n++) inRe[n] = x[n * dim + d];
        inIm.fill(0);
        run(inRe, inIm, fbFwd, false, oRe, oIm);
        // Re(e^{-iπk/(2T)} Y[k])
        for (let k = 0; k < T; k++) out[k * dim + d] = sk(k) * (oRe[k] * tRe[k] + oIm[k] * tIm[k]);
      }
    },
    inverse(c, dim, out) {
      for (let d = 0; d < dim; d++) {
        for (let k = 0; k < T; k++) {
          const v = sk(k) * c[k * dim + d];
          inRe[k] = v * tRe[k];
          inIm[k] = v * tIm[k];
        }
        run(inRe, inIm, fbInv, true, oRe, oIm);
        for (let n = 0; n < T; n++) out[n * dim + d] = oRe[n];
      }
    },
  };
  if (bluesteinCache.size > 16) bluesteinCache.clear();
  bluesteinCache.set(T, b);
  return b;
}
