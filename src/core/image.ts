import { describe, fail } from "./errors.js";
import { isNdArray, rowMajor, type NdArray } from "./ndarray.js";

/**
 * An image as a typed array plus its shape, HWC (row-major, channel-interleaved): `data[(y * width + x) * channels + c]`.
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

/** An image at a face: an {@link RgbImage} record (what PNG, video frames and canvas `ImageData` give) or an ndarray `[height, width, channels]` (or `[height, width]` for grey). */
export type ImageInput = RgbImage | NdArray<Uint8Array | Uint8ClampedArray | Float32Array>;

/**
 * Any accepted image as a checked {@link RgbImage} record over packed HWC data: a record is validated and returned as
 * is; a packed ndarray `[H, W, C]` becomes a record over the same memory (no copy); a strided view (a crop, a
 * flipped axis) is packed once. Throws a `VlaError` naming `fn` and `arg` on a wrong shape, channel count or dtype.
 */
export function toImage(fn: string, arg: string, img: ImageInput): RgbImage {
  if (isNdArray(img)) {
    const s = img.shape;
    if (s.length !== 2 && s.length !== 3) fail(fn, arg, `must be an ndarray [height, width, channels] (or [height, width]); got shape [${s.join(", ")}]`);
    const d = img.data;
    if (!(d instanceof Uint8Array || d instanceof Uint8ClampedArray || d instanceof Float32Array)) fail(fn, `${arg}.data`, `must be a Uint8Array, Uint8ClampedArray or Float32Array; got ${describe(d)}`);
    return check(fn, arg, { data: rowMajor(img), width: s[1], height: s[0], channels: (s.length === 2 ? 1 : s[2]) as 1 | 3 | 4 });
  }
  return check(fn, arg, img);
}

function check(fn: string, arg: string, img: RgbImage): RgbImage {
  if (img === null || typeof img !== "object") fail(fn, arg, `must be { data, width, height, channels } or an ndarray [height, width, channels]; got ${describe(img)}`);
  const { width, height, channels, data } = img;
  if (!Number.isInteger(width) || width < 1) fail(fn, `${arg}.width`, `must be a positive integer; got ${describe(width)}`);
  if (!Number.isInteger(height) || height < 1) fail(fn, `${arg}.height`, `must be a positive integer; got ${describe(height)}`);
  if (channels !== 1 && channels !== 3 && channels !== 4) fail(fn, `${arg}.channels`, `must be 1, 3 or 4; got ${describe(channels)}`);
  if (!(data instanceof Uint8Array || data instanceof Uint8ClampedArray || data instanceof Float32Array)) {
    fail(fn, `${arg}.data`, `must be a Uint8Array, Uint8ClampedArray or Float32Array; got ${describe(data)}`);
  }
  const want = width * height * channels;
  if (data.length !== want) fail(fn, `${arg}.data`, `must have width*height*channels = ${width}*${height}*${channels} = ${want} values; got ${data.length}`);
  return img;
}
