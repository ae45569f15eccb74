import { describe, fail, isNdArray, toImage, type NdArray } from "../core/index.js";

/**
 * A packed uint8 RGB image, HWC row-major: `data[(y * width + x) * 3 + c]`, length `width·height·3`.
 * Structurally compatible with the depth module's `RgbImage`.
 */
export interface Rgb8Image {
  data: Uint8Array;
  width: number;
  height: number;
  channels: 3;
}

interface PngLike {
  width: number;
  height: number;
  data: Uint8Array;
}

interface PngModule {
  PNG: {
    sync: {
      read(buffer: Buffer): PngLike;
      write(png: PngLike, options?: { colorType?: number }): Buffer;
    };
    new (options: { width: number; height: number }): PngLike;
  };
}

let pngModule: Promise<PngModule> | undefined;

async function loadPng(): Promise<PngModule> {
  pngModule ??= import("pngjs").then((m) => ((m as unknown as { default?: PngModule }).default ?? (m as unknown as PngModule)));
  return pngModule;
}

/**
 * Decode PNG bytes to packed uint8 RGB (alpha dropped; grey, palette and 16-bit files are converted to 8-bit
 * RGB by `pngjs`). Node only: `pngjs` is loaded with a dynamic import on first use.
 */
export async function decodePng(bytes: Uint8Array): Promise<Rgb8Image> {
  if (!(bytes instanceof Uint8Array)) fail("decodePng", "bytes", `must be a Uint8Array; got ${describe(bytes)}`);
  const { PNG } = await loadPng();
  let png: PngLike;
  try {
    png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  } catch (e) {
    return fail("decodePng", "bytes", `must be a valid PNG file; got ${(e as Error).message}`);
  }
  const { width, height } = png;
  const n = width * height;
  const rgba = png.data;
  const data = new Uint8Array(n * 3);
  for (let p = 0, s = 0, d = 0; p < n; p++, s += 4, d += 3) {
    data[d] = rgba[s];
    data[d + 1] = rgba[s + 1];
    data[d + 2] = rgba[s + 2];
  }
  return { data, width, height, channels: 3 };
}

/** Read a PNG file from disk as packed uint8 RGB. Node only (dynamic `node:fs` import). */
export async function readPng(path: string): Promise<Rgb8Image> {
  if (typeof path !== "string" || path.length === 0) fail("readPng", "path", `must be a non-empty string; got ${describe(path)}`);
  const { readFile } = await import("node:fs/promises");
  return decodePng(new Uint8Array(await readFile(path)));
}

/**
 * Encode uint8 RGB (`channels` 3) or RGBA (`channels` 4) pixels as an 8-bit RGB(A) PNG: a packed record or an
 * ndarray `[height, width, 3 | 4]` of `Uint8Array` data (any strides). Node only.
 */
export async function encodePng(image: { data: Uint8Array; width: number; height: number; channels: 3 | 4 } | NdArray<Uint8Array>): Promise<Uint8Array> {
  const img = isNdArray(image) ? toImage("encodePng", "image", image) : image;
  const { data, width, height, channels } = img;
  if (!Number.isInteger(width) || width < 1 || !Number.isInteger(height) || height < 1) {
    fail("encodePng", "image", `must have positive integer width and height; got ${describe(width)}×${describe(height)}`);
  }
  if (channels !== 3 && channels !== 4) fail("encodePng", "image.channels", `must be 3 or 4; got ${describe(channels)}`);
  if (!(data instanceof Uint8Array) || data.length !== width * height * channels) {
    fail("encodePng", "image.data", `must be a Uint8Array of width*height*channels = ${width * height * channels} bytes; got ${describe(data)}`);
  }
  const { PNG } = await loadPng();
  const png = new PNG({ width, height });
  const n = width * height;
  for (let p = 0, s = 0, d = 0; p < n; p++, s += channels, d += 4) {
    png.data[d] = data[s];
    png.data[d + 1] = data[s + 1];
    png.data[d + 2] = data[s + 2];
    png.data[d + 3] = channels === 4 ? data[s + 3] : 255;
  }
  const buf = PNG.sync.write(png, { colorType: channels === 4 ? 6 : 2 });
  return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
}
