import { fail } from "../core/index.js";
import { resizeBilinearRgb8, toRgb8, type RgbImage } from "../depth/index.js";
import type { VisionConfig } from "./config.js";

export type { RgbImage };

/**
 * Image → ViT patches: convert to packed uint8 RGB, resize to `imageSize²` with Pillow's bilinear
 * (the depth module's resize; a single square crop, aspect ratio not kept — Molmo2's multi-crop
 * tiling and padding are not reproduced), scale to [0, 1], normalise per channel `(x − mean)/std`,
 * and cut into patches.
 *
 * @returns `Float32Array` of shape `[numPatches, patchSize·patchSize·3]`, patches row-major over the
 * grid, each patch flattened as `(dy, dx, channel)`.
 */
export function imageToPatches(image: RgbImage, v: VisionConfig): Float32Array {
  const fn = "imageToPatches";
  if (!image || typeof image !== "object") fail(fn, "image", `must be { data, width, height, channels }; got ${typeof image}`);
  const rgb = toRgb8(image, fn);
  const S = v.imageSize;
  const px = image.width === S && image.height === S ? rgb : resizeBilinearRgb8(rgb, image.width, image.height, S, S);
  const P = v.patchSize;
  const n = Math.floor(S / P);
  const out = new Float32Array(n * n * P * P * 3);
  const scale = [1 / (255 * v.std[0]), 1 / (255 * v.std[1]), 1 / (255 * v.std[2])];
  const shift = [v.mean[0] / v.std[0], v.mean[1] / v.std[1], v.mean[2] / v.std[2]];
  let o = 0;
  for (let gy = 0; gy < n; gy++) {
    for (let gx = 0; gx < n; gx++) {
      for (let dy = 0; dy < P; dy++) {
        const row = (gy * P + dy) * S;
        for (let dx = 0; dx < P; dx++) {
          const i = (row + gx * P + dx) * 3;
          out[o++] = px[i] * scale[0] - shift[0];
          out[o++] = px[i + 1] * scale[1] - shift[1];
          out[o++] = px[i + 2] * scale[2] - shift[2];
        }
      }
    }
  }
  return out;
}
