import { describe, fail } from "../core/index.js";

/**
 * An image in HWC (row-major, channel-interleaved) layout: `data[(y * width + x) * channels + c]`.
 * `channels` is 3 (RGB) or 4 (RGBA, alpha ignored); 1 (grey) is accepted too and replicated to RGB.
 * Integer data is read as 0–255; `Float32Array` data whose maximum is ≤ 1 is scaled by 255 first
 * (spec §5.2 step 1), then every value is clipped to [0, 255] and truncated to uint8.
 */
export interface RgbImage {
  data: Uint8Array | Uint8ClampedArray | Float32Array;
  width: number;
  height: number;
  channels: 1 | 3 | 4;
}

function checkDims(fn: string, img: RgbImage): void {
  if (img === null || typeof img !== "object") fail(fn, "image", `must be { data, width, height, channels }; got ${describe(img)}`);
  const { width, height, channels, data } = img;
  if (!Number.isInteger(width) || width < 1) fail(fn, "image.width", `must be a positive integer; got ${describe(width)}`);
  if (!Number.isInteger(height) || height < 1) fail(fn, "image.height", `must be a positive integer; got ${describe(height)}`);
  if (channels !== 1 && channels !== 3 && channels !== 4) fail(fn, "image.channels", `must be 1, 3 or 4; got ${describe(channels)}`);
  if (!(data instanceof Uint8Array || data instanceof Uint8ClampedArray || data instanceof Float32Array)) {
    fail(fn, "image.data", `must be a Uint8Array, Uint8ClampedArray or Float32Array; got ${describe(data)}`);
  }
  const want = width * height * channels;
  if (data.length !== want) fail(fn, "image.data", `must have width*height*channels = ${width}*${height}*${channels} = ${want} values; got ${data.length}`);
}

/**
 * Convert any accepted image to packed uint8 RGB (HWC, length `width*height*3`), as the model's
 * `_normalize_image_for_cache` does: grey → 3 channels, alpha dropped, float images with max ≤ 1
 * multiplied by 255, clip to [0, 255], truncate to uint8. Returns `img.data` itself (no copy) when it is
 * already a 3-channel `Uint8Array`, unless `copy` is true. Throws on NaN in float data.
 */
export function toRgb8(img: RgbImage, fn = "toRgb8", copy = false): Uint8Array {
  checkDims(fn, img);
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
