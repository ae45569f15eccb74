import { fail, toImage, type ImageInput, type RgbImage } from "../core/index.js";

export type { RgbImage, ImageInput };

/**
 * Convert any accepted image to packed uint8 RGB (HWC, length `width*height*3`), as the model's
 * `_normalize_image_for_cache` does (an ndarray `[H, W, C]` is read in place): grey → 3 channels, alpha dropped, float images with max ≤ 1
 * multiplied by 255, clip to [0, 255], truncate to uint8. Returns `img.data` itself (no copy) when it is
 * already a 3-channel `Uint8Array`, unless `copy` is true. Throws on NaN in float data.
 */
export function toRgb8(image: ImageInput, fn = "toRgb8", copy = false): Uint8Array {
  const img = toImage(fn, "image", image);
  const { data, width, height, channels } = img;
  const n = width * height;
  if (channels === 3 && data instanceof Uint8Array) return copy ? data.slice() : data;
  const out = new Uint8Array(n * 3);
  if (data instanceof Float32Array) {
    let max = -Infinity;
    for (let i = 0; i < data.length; i++) {
      const v = data[i];
      if (Number.isNaN(v)) fail(fn, "image.data", `must not contain NaN; got NaN at ${i}`);
      if (channels === 4 && i % 4 === 3) continue;
      if (v > max) max = v;
    }
    const scale = max <= 1 ? 255 : 1;
    for (let p = 0; p < n; p++) {
      for (let c = 0; c < 3; c++) {
        let v = data[p * channels + (channels === 1 ? 0 : c)] * scale;
        v = v < 0 ? 0 : v > 255 ? 255 : v;
        out[p * 3 + c] = v; // Uint8Array store truncates toward zero like numpy astype(uint8) after clip
      }
    }
    return out;
  }
  if (channels === 3) {
    out.set(data);
    return out;
  }
  for (let p = 0, s = 0, d = 0; p < n; p++, s += channels, d += 3) {
    out[d] = data[s];
    out[d + 1] = data[channels === 1 ? s : s + 1];
    out[d + 2] = data[channels === 1 ? s : s + 2];
  }
  return out;
}
