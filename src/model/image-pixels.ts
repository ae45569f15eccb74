import { describe, fail, formatIndex } from "../core/index.js";

const f32 = Math.fround;

/**
 * The processor's float32 value of every uint8 level, per channel (`lut[c·256 + v]`): `v/255`, then
 * `x·2 − 1` when mean = std = 0.5 (the reference's shortcut), else `(x − mean)/std`, each step rounded to
 * float32 as numpy / torch compute it.
 */
export function pixelLut(halfNormalize: boolean, mean: readonly number[], std: readonly number[]): Float32Array {
  const lut = new Float32Array(3 * 256);
  for (let c = 0; c < 3; c++) {
    const m = f32(mean[c]);
    const s = f32(std[c]);
    for (let v = 0; v < 256; v++) {
      const x = f32(v / 255);
      lut[c * 256 + v] = halfNormalize ? f32(f32(x * 2) - 1) : f32(f32(x - m) / s);
    }
  }
  return lut;
}

/**
 * Cut a `cropH × cropW` window at `(x0, y0)` of a packed uint8 RGB image into patches and write their
 * float32 values at `out[offset…]`: patches row-major, each `(dy, dx, channel)` — the reference's
 * `batch_pixels_to_patches`. Returns the offset after the last value written.
 */
export function writePatches(
  out: Float32Array,
  offset: number,
  rgb: Uint8Array,
  imageWidth: number,
  x0: number,
  y0: number,
  cropH: number,
  cropW: number,
  patch: number,
  lut: Float32Array,
): number {
  let o = offset;
  const ph = cropH / patch;
  const pw = cropW / patch;
  for (let gy = 0; gy < ph; gy++) {
    for (let gx = 0; gx < pw; gx++) {
      for (let dy = 0; dy < patch; dy++) {
        let i = ((y0 + gy * patch + dy) * imageWidth + x0 + gx * patch) * 3;
        for (let dx = 0; dx < patch; dx++, i += 3) {
          out[o++] = lut[rgb[i]];
          out[o++] = lut[256 + rgb[i + 1]];
          out[o++] = lut[512 + rgb[i + 2]];
        }
      }
    }
  }
  return o;
}

/** 1.5·2^52: adding and removing it rounds a float64 of magnitude < 2^51 half to even (torch `round`). */
const RINT = 6755399441055744;

/**
 * The vision backbone's own step on float pixels (`MolmoAct2VisionBackbone.forward`): map `[-1, 1]` back
 * to the uint8 grid, `round(((x + 1)·0.5)·255)`, clamp to [0, 255], then `/255·2 − 1`, all in float32 —
 * what actually reaches the ViT. On the processor's output with mean = std = 0.5 this is the identity
 * (every value already is `v/255·2 − 1` of a level `v`). With other mean/std the backbone still assumes
 * the 0.5 normalisation: it snaps `(v/255 − mean)/std` to the nearest level of that grid and re-normalises
 * with 0.5, i.e. it effectively undoes a different normalisation into a wrong one — the reference's
 * behaviour, reproduced, not corrected. Throws on a non-finite value (torch would pass NaN along).
 */
export function canonicalizePixels(pixels: Float32Array): Float32Array {
  const fn = "canonicalizePixels";
  if (!(pixels instanceof Float32Array)) fail(fn, "pixels", `must be a Float32Array; got ${describe(pixels)}`);
  const out = new Float32Array(pixels.length);
  for (let i = 0; i < pixels.length; i++) {
    const x = pixels[i];
    if (!Number.isFinite(x)) fail(fn, "pixels", `must be finite; got ${describe(x)} at ${formatIndex(i)}`);
    const y = f32(f32(f32(x + 1) * 0.5) * 255);
    // |y| may exceed 2^51 for huge inputs: those clamp anyway, so clamp first.
    const v = y <= 0 ? 0 : y >= 255 ? 255 : y + RINT - RINT;
    out[i] = f32(f32(f32(v / 255) * 2) - 1);
  }
  return out;
}
