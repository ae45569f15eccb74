import { describe, fail } from "../core/index.js";

/**
 * Bit-exact re-implementation of Pillow's `Image.resize(size, Image.BILINEAR)` for 8-bit RGB
 * (Pillow ≥ 7 `ImagingResample`, written from its documented algorithm):
 *
 * - triangle filter `f(x) = max(0, 1 − |x|)` with support 1, widened by the downscale factor
 *   (`support = max(scale, 1)`, `scale = in / out`), so downscaling is antialiased;
 * - per output pixel `center = (x + 0.5)·scale`, taps `xmin = max(trunc(center − support + 0.5), 0)` …
 *   `min(trunc(center + support + 0.5), in)`, weights `f((j + xmin − center + 0.5) / max(scale, 1))`
 *   normalised by their sum, then converted to fixed point with 22 fractional bits
 *   (`PRECISION_BITS = 32 − 8 − 2`, rounded half away from zero);
 * - integer accumulation starting at `1 << 21`, `>> 22` and clip to [0, 255] after each pass;
 * - horizontal pass first, then vertical; a pass runs only if that dimension changes.
 */
export const PRECISION_BITS = 22;
const HALF = 1 << (PRECISION_BITS - 1);
const ONE = 1 << PRECISION_BITS;

/** Fixed-point resampling coefficients for one axis, `inSize → outSize`. */
export interface ResampleCoeffs {
  inSize: number;
  outSize: number;
  /** Max taps per output sample (`ceil(support)·2 + 1`); row stride of `weights`. */
  ksize: number;
  /** `[first, count]` input index and tap count per output sample (Int32, length 2·outSize), as Pillow. */
  bounds: Int32Array;
  /** Fixed-point weights (Int32, `outSize × ksize`, zero-padded), as Pillow. */
  weights: Int32Array;
  /**
   * Speed layout: every output uses exactly `taps` (= max count) inputs starting at `start[x]`
   * (moved left near the end so it stays inside the input) with zero weights in `padded`
   * (`outSize × taps`). Zero weights add nothing, so results are identical.
   */
  taps: number;
  start: Int32Array;
  padded: Int32Array;
}

function triangle(x: number): number {
  if (x < 0) x = -x;
  return x < 1 ? 1 - x : 0;
}

const coeffCache = new Map<string, ResampleCoeffs>();

/** Pillow's `precompute_coeffs` + `normalize_coeffs_8bpc` for the bilinear filter (cached per size pair). */
export function bilinearCoeffs(inSize: number, outSize: number): ResampleCoeffs {
  const key = `${inSize}>${outSize}`;
  const hit = coeffCache.get(key);
  if (hit) return hit;
  const scale = inSize / outSize;
  const filterscale = scale < 1 ? 1 : scale;
  const support = 1 * filterscale;
  const ksize = Math.ceil(support) * 2 + 1;
  const bounds = new Int32Array(outSize * 2);
  const weights = new Int32Array(outSize * ksize);
  const w = new Float64Array(ksize);
  const ss = 1 / filterscale;
  let taps = 1;
  for (let xx = 0; xx < outSize; xx++) {
    const center = (xx + 0.5) * scale;
    let xmin = Math.trunc(center - support + 0.5);
    if (xmin < 0) xmin = 0;
    let xmax = Math.trunc(center + support + 0.5);
    if (xmax > inSize) xmax = inSize;
    xmax -= xmin;
    let ww = 0;
    for (let x = 0; x < xmax; x++) {
      const v = triangle((x + xmin - center + 0.5) * ss);
      w[x] = v;
      ww += v;
    }
    for (let x = 0; x < xmax; x++) {
      const k = ww !== 0 ? w[x] / ww : w[x];
      // C `(int)(±0.5 + k * 2^22)`: truncation toward zero after adding ±0.5.
      weights[xx * ksize + x] = k < 0 ? Math.trunc(-0.5 + k * ONE) : Math.trunc(0.5 + k * ONE);
    }
    bounds[xx * 2] = xmin;
    bounds[xx * 2 + 1] = xmax;
    if (xmax > taps) taps = xmax;
  }
  const start = new Int32Array(outSize);
  const padded = new Int32Array(outSize * taps);
  for (let xx = 0; xx < outSize; xx++) {
    let s0 = bounds[2 * xx];
    const n = bounds[2 * xx + 1];
    let shift = 0;
    if (s0 + taps > inSize) {
      shift = s0 + taps - inSize;
      s0 = inSize - taps;
    }
    start[xx] = s0;
    for (let j = 0; j < n; j++) padded[xx * taps + shift + j] = weights[xx * ksize + j];
  }
  const c: ResampleCoeffs = { inSize, outSize, ksize, bounds, weights, taps, start, padded };
  if (coeffCache.size > 64) coeffCache.clear();
  coeffCache.set(key, c);
  return c;
}

let scratch = new Uint8Array(0);
const imul = Math.imul;

/**
 * Horizontal pass on rows `[y0, y0 + rows)` of packed RGB `src` (`width` px wide) into `dst`
 * (`c.outSize × rows × 3`). All sums stay below 2^31 (weights ≥ 0 summing to 2^22 ± taps/2, pixels ≤ 255),
 * so int32 math is exact, and `sum >> 22` is always in [0, 255]: Pillow's clip8 is a no-op for this filter
 * (weights are never negative), so plain uint8 stores are exact.
 */
function horizontal(src: Uint8Array, width: number, y0: number, rows: number, c: ResampleCoeffs, dst: Uint8Array): void {
  const { outSize, taps, start, padded: k } = c;
  const inStride = width * 3;
  let o = 0;
  if (taps === 4) {
    for (let y = 0; y < rows; y++) {
      const ro = (y + y0) * inStride;
      for (let xx = 0, kb = 0; xx < outSize; xx++, kb += 4, o += 3) {
        const p = ro + start[xx] * 3;
        const k0 = k[kb], k1 = k[kb + 1], k2 = k[kb + 2], k3 = k[kb + 3];
        dst[o] = (HALF + imul(src[p], k0) + imul(src[p + 3], k1) + imul(src[p + 6], k2) + imul(src[p + 9], k3)) >> PRECISION_BITS;
        dst[o + 1] = (HALF + imul(src[p + 1], k0) + imul(src[p + 4], k1) + imul(src[p + 7], k2) + imul(src[p + 10], k3)) >> PRECISION_BITS;
        dst[o + 2] = (HALF + imul(src[p + 2], k0) + imul(src[p + 5], k1) + imul(src[p + 8], k2) + imul(src[p + 11], k3)) >> PRECISION_BITS;
      }
    }
  } else if (taps === 3) {
    for (let y = 0; y < rows; y++) {
      const ro = (y + y0) * inStride;
      for (let xx = 0, kb = 0; xx < outSize; xx++, kb += 3, o += 3) {
        const p = ro + start[xx] * 3;
        const k0 = k[kb], k1 = k[kb + 1], k2 = k[kb + 2];
        dst[o] = (HALF + imul(src[p], k0) + imul(src[p + 3], k1) + imul(src[p + 6], k2)) >> PRECISION_BITS;
        dst[o + 1] = (HALF + imul(src[p + 1], k0) + imul(src[p + 4], k1) + imul(src[p + 7], k2)) >> PRECISION_BITS;
        dst[o + 2] = (HALF + imul(src[p + 2], k0) + imul(src[p + 5], k1) + imul(src[p + 8], k2)) >> PRECISION_BITS;
      }
    }
  } else if (taps === 5) {
    for (let y = 0; y < rows; y++) {
      const ro = (y + y0) * inStride;
      for (let xx = 0, kb = 0; xx < outSize; xx++, kb += 5, o += 3) {
        const p = ro + start[xx] * 3;
        const k0 = k[kb], k1 = k[kb + 1], k2 = k[kb + 2], k3 = k[kb + 3], k4 = k[kb + 4];
        dst[o] = (HALF + imul(src[p], k0) + imul(src[p + 3], k1) + imul(src[p + 6], k2) + imul(src[p + 9], k3) + imul(src[p + 12], k4)) >> PRECISION_BITS;
        dst[o + 1] = (HALF + imul(src[p + 1], k0) + imul(src[p + 4], k1) + imul(src[p + 7], k2) + imul(src[p + 10], k3) + imul(src[p + 13], k4)) >> PRECISION_BITS;
        dst[o + 2] = (HALF + imul(src[p + 2], k0) + imul(src[p + 5], k1) + imul(src[p + 8], k2) + imul(src[p + 11], k3) + imul(src[p + 14], k4)) >> PRECISION_BITS;
      }
    }
  } else {
    for (let y = 0; y < rows; y++) {
      const ro = (y + y0) * inStride;
      for (let xx = 0; xx < outSize; xx++, o += 3) {
        let p = ro + start[xx] * 3;
        let s0 = HALF, s1 = HALF, s2 = HALF;
        for (let j = 0, kb = xx * taps; j < taps; j++, kb++, p += 3) {
          const kj = k[kb];
          s0 += imul(src[p], kj);
          s1 += imul(src[p + 1], kj);
          s2 += imul(src[p + 2], kj);
        }
        dst[o] = s0 >> PRECISION_BITS;
        dst[o + 1] = s1 >> PRECISION_BITS;
        dst[o + 2] = s2 >> PRECISION_BITS;
      }
    }
  }
}

/** Vertical pass: `src` is `width × rows` RGB whose row 0 is input row `offset`; writes `c.outSize` rows. */
function vertical(src: Uint8Array, width: number, offset: number, c: ResampleCoeffs, dst: Uint8Array): void {
  const { outSize, taps, start, padded: k } = c;
  const stride = width * 3;
  for (let yy = 0; yy < outSize; yy++) {
    const r0 = (start[yy] - offset) * stride;
    const kb = yy * taps;
    const o = yy * stride;
    if (taps === 4) {
      const k0 = k[kb], k1 = k[kb + 1], k2 = k[kb + 2], k3 = k[kb + 3];
      const r1 = r0 + stride, r2 = r1 + stride, r3 = r2 + stride;
      for (let i = 0; i < stride; i++) {
        dst[o + i] = (HALF + imul(src[r0 + i], k0) + imul(src[r1 + i], k1) + imul(src[r2 + i], k2) + imul(src[r3 + i], k3)) >> PRECISION_BITS;
      }
    } else if (taps === 3) {
      const k0 = k[kb], k1 = k[kb + 1], k2 = k[kb + 2];
      const r1 = r0 + stride, r2 = r1 + stride;
      for (let i = 0; i < stride; i++) {
        dst[o + i] = (HALF + imul(src[r0 + i], k0) + imul(src[r1 + i], k1) + imul(src[r2 + i], k2)) >> PRECISION_BITS;
      }
    } else if (taps === 2) {
      const k0 = k[kb], k1 = k[kb + 1];
      const r1 = r0 + stride;
      for (let i = 0; i < stride; i++) {
        dst[o + i] = (HALF + imul(src[r0 + i], k0) + imul(src[r1 + i], k1)) >> PRECISION_BITS;
      }
    } else {
      for (let i = 0; i < stride; i++) {
        let s = HALF;
        for (let j = 0, r = r0; j < taps; j++, r += stride) s += imul(src[r + i], k[kb + j]);
        dst[o + i] = s >> PRECISION_BITS;
      }
    }
  }
}

/**
 * Resize packed uint8 RGB (HWC, `width × height × 3`) to `outWidth × outHeight` exactly as Pillow's
 * `Image.resize((outWidth, outHeight), Image.BILINEAR)` does on an `RGB` image (byte-identical).
 * Returns `out` (allocated when omitted; length `outWidth·outHeight·3`). Same size → a copy.
 */
export function resizeBilinearRgb8(
  src: Uint8Array,
  width: number,
  height: number,
  outWidth: number,
  outHeight: number,
  out?: Uint8Array,
): Uint8Array {
  const fn = "resizeBilinearRgb8";
  for (const [arg, v] of [["width", width], ["height", height], ["outWidth", outWidth], ["outHeight", outHeight]] as const) {
    if (!Number.isInteger(v) || v < 1) fail(fn, arg, `must be a positive integer; got ${describe(v)}`);
  }
  if (!(src instanceof Uint8Array) || src.length !== width * height * 3) {
    fail(fn, "src", `must be a Uint8Array of width*height*3 = ${width * height * 3} bytes; got ${describe(src)}`);
  }
  const outLen = outWidth * outHeight * 3;
  const dst = out ?? new Uint8Array(outLen);
  if (dst.length !== outLen) fail(fn, "out", `must have outWidth*outHeight*3 = ${outLen} bytes; got ${dst.length}`);
  const needH = outWidth !== width;
  const needV = outHeight !== height;
  if (!needH && !needV) {
    dst.set(src);
    return dst;
  }
  if (!needV) {
    horizontal(src, width, 0, height, bilinearCoeffs(width, outWidth), dst);
    return dst;
  }
  const cv = bilinearCoeffs(height, outHeight);
  if (!needH) {
    vertical(src, width, 0, cv, dst);
    return dst;
  }
  // Only the input rows the vertical pass reads go through the horizontal pass (Pillow does the same).
  const first = cv.start[0];
  const last = cv.start[outHeight - 1] + cv.taps;
  const rows = last - first;
  const need = outWidth * rows * 3;
  if (scratch.length < need) scratch = new Uint8Array(need);
  horizontal(src, width, first, rows, bilinearCoeffs(width, outWidth), scratch);
  vertical(scratch, outWidth, first, cv, dst);
  return dst;
}
