import { describe, fail } from "../core/index.js";
import type { RgbImage } from "../depth/index.js";

/**
 * Check an input image (uint8, row-major, channels last: `data[(y·width + x)·channels + c]`) and return
 * packed uint8 RGB (the array itself when it already is one).
 *
 * One channel: replicated to RGB (Pillow's `convert("RGB")` of an "L" picture). Float data is refused: the
 * reference sends float arrays down another path (interpolated values kept unrounded, clipped to [0, 1]).
 *
 * Four channels: the reference's `do_convert_rgb` step is transformers' `convert_to_rgb`, which (in the
 * transformers 5.x the reference runs) is Pillow's `convert("RGB")` for an RGBA picture — the alpha
 * channel is dropped, not composited over a background (older transformers composited over white). A
 * numpy RGBA array is not converted at all there and would reach the ViT with four channels; here the
 * PIL behaviour is taken. With `convertRgb` false, four channels are refused.
 */
export function processorRgb(fn: string, image: RgbImage, convertRgb: boolean): Uint8Array | Uint8ClampedArray {
  if (image === null || typeof image !== "object") fail(fn, "image", `must be { data, width, height, channels }; got ${describe(image)}`);
  const { data, width, height, channels } = image;
  if (!Number.isInteger(width) || width < 1) fail(fn, "image.width", `must be a positive integer; got ${describe(width)}`);
  if (!Number.isInteger(height) || height < 1) fail(fn, "image.height", `must be a positive integer; got ${describe(height)}`);
  if (channels !== 1 && channels !== 3 && channels !== 4) fail(fn, "image.channels", `must be 1 (grey), 3 (RGB) or 4 (RGBA); got ${describe(channels)}`);
  if (!(data instanceof Uint8Array || data instanceof Uint8ClampedArray)) {
    fail(fn, "image.data", `must be a Uint8Array or Uint8ClampedArray of 0–255 values (float images take another reference path, not reproduced); got ${describe(data)}`);
  }
  const n = width * height;
  if (data.length !== n * channels) fail(fn, "image.data", `must have width*height*channels = ${width}*${height}*${channels} = ${n * channels} values; got ${data.length}`);
  if (channels === 3) return data;
  if (!convertRgb) {
    fail(fn, "image.channels", `must be 3 when the processor's do_convert_rgb is false (the reference would not convert a ${channels}-channel image); got ${channels}`);
  }
  const out = new Uint8Array(n * 3);
  const g = channels === 1 ? 0 : 1;
  for (let p = 0, s = 0, d = 0; p < n; p++, s += channels, d += 3) {
    out[d] = data[s];
    out[d + 1] = data[s + g];
    out[d + 2] = data[s + 2 * g];
  }
  return out;
}
