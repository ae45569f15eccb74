import { describe, fail } from "../core/index.js";

const f32 = Math.fround;

/**
 * Float32 fused multiply-add `a·b + c` with one rounding, for float32 inputs (what the compiled torch
 * kernels compute). `a·b` is exact in float64; rounding the float64 sum to float32 is then correct when
 * that sum is exact (TwoSum error 0) or not exactly halfway between two float32 values; when it is halfway,
 * the sign of its rounding error decides the side.
 */
export function fmaf(a: number, b: number, c: number): number {
  const p = a * b;
  const s = p + c;
  const bb = s - p;
  const err = p - (s - bb) + (c - bb); // TwoSum: s + err = p + c exactly
  const r = f32(s);
  if (err === 0 || r === s) return r;
  const other = 2 * s - r; // the float32 on the far side of s, when s is halfway
  if (f32(other) !== other || other - s !== s - r) return r;
  return (err > 0) === (other > r) ? other : r;
}

/**
 * Which of PyTorch's CPU `upsample_bilinear2d` float kernels to reproduce. Both fuse multiply-adds but in
 * a different order, so the uint8 result can differ by one level at rare near-ties:
 * - `"generic"` (`upsample_non_separable_Nd_kernel_impl`): per input row `t = fma(x0, w0, x1·w1)`, then
 *   `fma(t0, h0, t1·h1)`.
 * - `"channels-last"` (`upsample_linear_channels_last`): `fma(x11, w11, fma(x10, w10, fma(x00, w00,
 *   x01·w01)))` with `wij = hi·wj` in float32.
 */
export type TorchBilinearKernel = "generic" | "channels-last";

/**
 * The kernel torch picks for a 3-channel image (`upsample_bilinear2d_kernel_impl_float`): the
 * channels-last one when `outHeight + outWidth ≤ 128` or when torch runs on one intra-op thread
 * (`torch.get_num_threads() == 1`), else the generic one.
 */
export function torchBilinearKernel(outWidth: number, outHeight: number, singleThreaded = false): TorchBilinearKernel {
  return outWidth + outHeight <= 128 || singleThreaded ? "channels-last" : "generic";
}

/** How to match torch: `singleThreaded` = torch ran with one intra-op thread; `kernel` forces one kernel. */
export interface TorchResizeOptions {
  singleThreaded?: boolean;
  kernel?: TorchBilinearKernel;
}

/**
 * Source taps of one output axis of PyTorch's CPU bilinear kernel (`align_corners=False`), in float32:
 * `i0[d]`, `i1[d]` (input indices) and `l0[d]`, `l1[d]` (their weights).
 */
export interface BilinearTaps {
  i0: Int32Array;
  i1: Int32Array;
  l0: Float32Array;
  l1: Float32Array;
}

/**
 * The taps PyTorch computes for one axis (`compute_source_index_and_lambda` in ATen's UpSample.h), in
 * float32 as the compiled kernel does: `scale = in/out`; `src = fma(scale, dst + 0.5, −0.5)`, clamped
 * at 0; `i0 = min(floor(src), in − 1)`; `l1 = clamp(src − i0, 0, 1)`; `l0 = 1 − l1`; `i1 = i0 + 1`
 * except at the last input index. An axis whose size does not change copies (`l0 = 1`, `l1 = 0`).
 */
export function bilinearTaps(inSize: number, outSize: number): BilinearTaps {
  const i0 = new Int32Array(outSize);
  const i1 = new Int32Array(outSize);
  const l0 = new Float32Array(outSize);
  const l1 = new Float32Array(outSize);
  if (inSize === outSize) {
    for (let d = 0; d < outSize; d++) {
      i0[d] = d;
      i1[d] = d;
      l0[d] = 1;
    }
    return { i0, i1, l0, l1 };
  }
  const scale = f32(inSize / outSize);
  for (let d = 0; d < outSize; d++) {
    let src = fmaf(scale, d + 0.5, -0.5);
    if (src < 0) src = 0;
    const k = Math.min(Math.floor(src), inSize - 1);
    const lam = Math.min(Math.max(f32(src - k), 0), 1);
    i0[d] = k;
    i1[d] = k < inSize - 1 ? k + 1 : k;
    l1[d] = lam;
    l0[d] = f32(1 - lam);
  }
  return { i0, i1, l0, l1 };
}

/** 1.5·2^52: adding and removing it rounds a float64 of magnitude < 2^51 to an integer, half to even. */
const RINT = 6755399441055744;

/** torch `round` (half to even) of a finite value ≥ 0, clamped to 255 (faster than Math.round here). */
function toByte(v: number): number {
  const r = v + RINT - RINT;
  return r > 255 ? 255 : r;
}

/** True when every bit of `w` is worth at least 2^-44: then `x·w + c` (uint8 x, c a float32 product of the same kind) is exact in float64. */
function coarse(w: number): boolean {
  return Number.isInteger(w * 17592186044416);
}

/** One input row through the width taps: `t = fma(x0, w0, x1·w1)` per output column and channel. */
function widthPass(rgb: Uint8Array, base: number, ca: Int32Array, cb: Int32Array, w0s: Float32Array, w1s: Float32Array, exact: boolean, row: Float32Array): void {
  const n = ca.length;
  if (exact) {
    // x·w0 and f32(x'·w1) are multiples of 2^-44 below 2^9, so their float64 sum is exact and one
    // float32 rounding of it is the fused result.
    for (let ox = 0, o = 0; ox < n; ox++, o += 3) {
      const a = base + ca[ox];
      const b = base + cb[ox];
      const w0 = w0s[ox];
      const w1 = w1s[ox];
      row[o] = f32(rgb[a] * w0 + f32(rgb[b] * w1));
      row[o + 1] = f32(rgb[a + 1] * w0 + f32(rgb[b + 1] * w1));
      row[o + 2] = f32(rgb[a + 2] * w0 + f32(rgb[b + 2] * w1));
    }
    return;
  }
  for (let ox = 0, o = 0; ox < n; ox++, o += 3) {
    const a = base + ca[ox];
    const b = base + cb[ox];
    for (let ch = 0; ch < 3; ch++) row[o + ch] = fmaf(rgb[a + ch], w0s[ox], f32(rgb[b + ch] * w1s[ox]));
  }
}

/** The generic kernel: each needed input row through the width taps once, then `fma(t0, h0, t1·h1)`. */
function resizeGeneric(rgb: Uint8Array, width: number, outWidth: number, outHeight: number, ys: BilinearTaps, xs: BilinearTaps): Uint8Array {
  const out = new Uint8Array(outWidth * outHeight * 3);
  const rowLen = outWidth * 3;
  const ca = new Int32Array(outWidth);
  const cb = new Int32Array(outWidth);
  let exact = true;
  for (let ox = 0; ox < outWidth; ox++) {
    ca[ox] = xs.i0[ox] * 3;
    cb[ox] = xs.i1[ox] * 3;
    exact = exact && coarse(xs.l0[ox]) && coarse(xs.l1[ox]);
  }
  // Two cached rows of width-pass values (output rows walk the input rows in order).
  let rowA = new Float32Array(rowLen);
  let rowB = new Float32Array(rowLen);
  let keyA = -1;
  let keyB = -1;
  for (let oy = 0, o = 0; oy < outHeight; oy++) {
    const y0 = ys.i0[oy];
    const y1 = ys.i1[oy];
    if (y0 !== keyA) {
      if (y0 === keyB) {
        const t = rowA;
        rowA = rowB;
        rowB = t;
        keyA = y0;
        keyB = -1;
      } else {
        widthPass(rgb, y0 * width * 3, ca, cb, xs.l0, xs.l1, exact, rowA);
        keyA = y0;
      }
    }
    if (y1 !== keyB && y1 !== keyA) {
      widthPass(rgb, y1 * width * 3, ca, cb, xs.l0, xs.l1, exact, rowB);
      keyB = y1;
    }
    const t0row = rowA;
    const t1row = y1 === keyA ? rowA : rowB;
    const h0 = ys.l0[oy];
    const h1 = ys.l1[oy];
    for (let k = 0; k < rowLen; k++, o++) {
      // fmaf(t0, h0, t1·h1), inlined: when the float64 sum is exact (its TwoSum error is 0, the usual
      // case) one float32 rounding of it is the fused result; otherwise take the careful path.
      const p = t0row[k] * h0;
      const c = f32(t1row[k] * h1);
      const sum = p + c;
      const bb = sum - p;
      const v = p - (sum - bb) + (c - bb) === 0 ? f32(sum) : fmaf(t0row[k], h0, c);
      const r = v + RINT - RINT;
      out[o] = r > 255 ? 255 : r;
    }
  }
  return out;
}

/** The channels-last kernel: four float32 weights per output pixel, one fused chain per channel. */
function resizeChannelsLast(rgb: Uint8Array, width: number, outWidth: number, outHeight: number, ys: BilinearTaps, xs: BilinearTaps): Uint8Array {
  const out = new Uint8Array(outWidth * outHeight * 3);
  const rowBytes = width * 3;
  let o = 0;
  for (let oy = 0; oy < outHeight; oy++) {
    const r0 = ys.i0[oy] * rowBytes;
    const r1 = ys.i1[oy] * rowBytes;
    const h0 = ys.l0[oy];
    const h1 = ys.l1[oy];
    for (let ox = 0; ox < outWidth; ox++) {
      const c0 = xs.i0[ox] * 3;
      const c1 = xs.i1[ox] * 3;
      const w00 = f32(h0 * xs.l0[ox]);
      const w01 = f32(h0 * xs.l1[ox]);
      const w10 = f32(h1 * xs.l0[ox]);
      const w11 = f32(h1 * xs.l1[ox]);
      for (let ch = 0; ch < 3; ch++) {
        let v = f32(rgb[r0 + c1 + ch] * w01);
        v = fmaf(rgb[r0 + c0 + ch], w00, v);
        v = fmaf(rgb[r1 + c0 + ch], w10, v);
        v = fmaf(rgb[r1 + c1 + ch], w11, v);
        out[o++] = toByte(v);
      }
    }
  }
  return out;
}

/**
 * What `torchvision.transforms.Resize([outHeight, outWidth], BILINEAR, antialias=False)` does to a uint8
 * HWC image (the MolmoAct2 processor's `resize_image`): cast to float32, PyTorch's CPU
 * `upsample_bilinear2d` (`align_corners=False`, half-pixel centres, no antialias; see
 * {@link torchBilinearKernel} for which of its two kernels runs), `round` half to even, clamp to [0, 255], uint8.
 * Equal sizes return a copy (torchvision returns the input untouched).
 *
 * This is not Pillow's bilinear (`resizeBilinearRgb8` in the depth module), which antialiases: on
 * 640×480 → 56 the two differ by up to 130 levels.
 *
 * @param rgb packed uint8 RGB, `rgb[(y·width + x)·3 + c]`
 * @returns packed uint8 RGB of `outWidth × outHeight`
 */
export function resizeBilinearTorchvision(
  rgb: Uint8Array | Uint8ClampedArray,
  width: number,
  height: number,
  outWidth: number,
  outHeight: number,
  options: TorchResizeOptions = {},
): Uint8Array {
  const fn = "resizeBilinearTorchvision";
  for (const [name, v] of [["width", width], ["height", height], ["outWidth", outWidth], ["outHeight", outHeight]] as const) {
    if (!Number.isInteger(v) || v < 1) fail(fn, name, `must be a positive integer; got ${describe(v)}`);
  }
  if (!(rgb instanceof Uint8Array || rgb instanceof Uint8ClampedArray)) fail(fn, "rgb", `must be a Uint8Array of packed RGB; got ${describe(rgb)}`);
  if (rgb.length !== width * height * 3) fail(fn, "rgb", `must have width*height*3 = ${width * height * 3} bytes; got ${rgb.length}`);
  const kernel = options.kernel ?? torchBilinearKernel(outWidth, outHeight, options.singleThreaded === true);
  if (kernel !== "generic" && kernel !== "channels-last") fail(fn, "options.kernel", `must be "generic" or "channels-last"; got ${describe(kernel)}`);
  if (width === outWidth && height === outHeight) return Uint8Array.from(rgb);
  const ys = bilinearTaps(height, outHeight);
  const xs = bilinearTaps(width, outWidth);
  const src = rgb instanceof Uint8Array ? rgb : new Uint8Array(rgb.buffer, rgb.byteOffset, rgb.length);
  return kernel === "generic" ? resizeGeneric(src, width, outWidth, outHeight, ys, xs) : resizeChannelsLast(src, width, outWidth, outHeight, ys, xs);
}
