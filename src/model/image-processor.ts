import { fail } from "../core/index.js";
import { planOverlapCrops } from "./image-crops.js";
import { pixelLut, writePatches } from "./image-pixels.js";
import { arangeForPooling, iotaGrid } from "./image-pooling.js";
import type { ImageProcessorConfig } from "./image-processor-config.js";
import { resizeBilinearTorchvision, type TorchResizeOptions } from "./image-resize.js";
import { processorRgb } from "./image-rgb.js";
import type { ImageGrid } from "./image-tokens.js";
import type { RgbImage } from "../depth/index.js";

export { parseImageProcessorConfig, type ImageProcessorConfig, type ImageCropMode, IMAGE_CROP_MODES } from "./image-processor-config.js";
export { resizeBilinearTorchvision, torchBilinearKernel, bilinearTaps, type TorchBilinearKernel, type TorchResizeOptions, type BilinearTaps } from "./image-resize.js";
export { canonicalizePixels, pixelLut } from "./image-pixels.js";
export { imageTokenIds, type ImageGrid } from "./image-tokens.js";
export { arangeForPooling, type PoolingLayout } from "./image-pooling.js";
export { selectTiling, planOverlapCrops, type OverlapCropPlan } from "./image-crops.js";

/**
 * One image as the reference processor returns it (`pixel_values`, `image_token_pooling`, `image_grids`,
 * `image_num_crops` of a single image).
 */
export interface PreprocessedImage {
  /** `[numCrops, patchesPerCrop, patchDim]` float32; in multi-crop the global image is crop 0. */
  crops: Float32Array;
  numCrops: number;
  patchesPerCrop: number;
  /** `patch²·3`: pixels `(row, col, channel)` inside a patch. */
  patchDim: number;
  /** `[poolTokens, poolWindow]`: for each pooled token the patch indices (over this image's crops) it pools; −1 = padding. */
  pooling: Int32Array;
  poolTokens: number;
  poolWindow: number;
  /** `[resizedH, resizedW, h, w]` pooled grids (global / resized image, crops; `h = w = 0` in resize mode). */
  grid: ImageGrid;
}

/**
 * The MolmoAct2 reference image preprocessing for one image (`MolmoAct2ImageProcessor.preprocess`,
 * `image_to_patches_and_grids`), bit-exact: to RGB (alpha dropped, grey replicated), torchvision bilinear
 * resize (no antialias) on uint8, `x/255` then the mean/std normalisation in float32, patches, and the
 * pooling index arrays.
 *
 * - `crop_mode "resize"`: one crop, the image resized to `height × width` ignoring its aspect ratio.
 * - `"overlap-and-resize-c2"` / `"overlap-and-resize"` (identical in the reference): the global image
 *   (resized to the crop size) first, then up to `maxCrops` overlapping crops of the image resized to
 *   its tiling; pooling indices of the crops skip the overlap margins so each source patch pools once.
 *
 * `options.singleThreaded`: torch picks another bilinear kernel when it runs on one intra-op thread; the
 * uint8 result can then differ by one level at rare near-ties (see `torchBilinearKernel`). The default
 * matches torch on a multi-core machine.
 */
export function preprocessImage(image: RgbImage, cfg: ImageProcessorConfig, options: TorchResizeOptions = {}): PreprocessedImage {
  const fn = "preprocessImage";
  if (cfg === null || typeof cfg !== "object" || typeof cfg.patchSize !== "number") {
    fail(fn, "cfg", "must be an ImageProcessorConfig (from parseImageProcessorConfig)");
  }
  const rgb = processorRgb(fn, image, cfg.convertRgb);
  const { width, height } = image;
  const P = cfg.patchSize;
  const lut = pixelLut(cfg.halfNormalize, cfg.mean, cfg.std);
  const patchDim = P * P * 3;
  const { poolH, poolW } = cfg;
  const win = poolH * poolW;
  const gh = cfg.height / P;
  const gw = cfg.width / P;
  const perCrop = gh * gw;

  const resized = resizeBilinearTorchvision(rgb, width, height, cfg.width, cfg.height, options);
  const global = arangeForPooling(iotaGrid(perCrop), gh, gw, poolH, poolW);

  if (cfg.cropMode === "resize") {
    const crops = new Float32Array(perCrop * patchDim);
    writePatches(crops, 0, resized, cfg.width, 0, 0, cfg.height, cfg.width, P, lut);
    return {
      crops,
      numCrops: 1,
      patchesPerCrop: perCrop,
      patchDim,
      pooling: global.idx,
      poolTokens: global.rows * global.cols,
      poolWindow: win,
      grid: [global.rows, global.cols, 0, 0],
    };
  }

  const plan = planOverlapCrops(width, height, cfg.height, P, cfg.overlapMargins, cfg.maxCrops);
  const [tr, tc] = plan.tiling;
  const numCrops = 1 + tr * tc;
  const src = resizeBilinearTorchvision(rgb, width, height, plan.srcWidth, plan.srcHeight, options);
  const crops = new Float32Array(numCrops * perCrop * patchDim);
  let o = writePatches(crops, 0, resized, cfg.width, 0, 0, cfg.height, cfg.width, P, lut);
  for (let i = 0; i < tr; i++) {
    for (let j = 0; j < tc; j++) {
      o = writePatches(crops, o, src, plan.srcWidth, j * plan.window, i * plan.window, plan.cropSize, plan.cropSize, P, lut);
    }
  }
  const high = arangeForPooling(plan.patchIdx, plan.gridH, plan.gridW, poolH, poolW);
  const globalTokens = global.rows * global.cols;
  const poolTokens = globalTokens + high.rows * high.cols;
  const pooling = new Int32Array(poolTokens * win);
  pooling.set(global.idx, 0);
  // The global image goes first, so every crop patch index moves up by one crop.
  for (let k = 0, d = globalTokens * win; k < high.idx.length; k++, d++) {
    const v = high.idx[k];
    pooling[d] = v >= 0 ? v + perCrop : -1;
  }
  return {
    crops,
    numCrops,
    patchesPerCrop: perCrop,
    patchDim,
    pooling,
    poolTokens,
    poolWindow: win,
    grid: [global.rows, global.cols, high.rows, high.cols],
  };
}
