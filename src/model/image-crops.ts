import { fail } from "../core/index.js";

const f32 = Math.fround;

/**
 * The reference's `select_tiling`: among every `rows × cols` tiling with `rows·cols ≤ maxCrops` (sorted by
 * crop count, then rows, so ties go to the smaller tiling), the one whose `tileSize`-pixel tiles need the
 * least upscaling to cover an `h × w` image, or — when every tiling needs downscaling — the least
 * downscaling. Scales are float32 as in the reference (`h`, `w` may be ≤ 0 for an image smaller than the
 * margins: the scale of that side is then ±infinity or negative, as numpy computes it).
 */
export function selectTiling(h: number, w: number, tileSize: number, maxCrops: number): [number, number] {
  const tilings: [number, number][] = [];
  for (let i = 1; i <= maxCrops; i++) for (let j = 1; j <= maxCrops; j++) if (i * j <= maxCrops) tilings.push([i, j]);
  tilings.sort((a, b) => a[0] * a[1] - b[0] * b[1] || a[0] - b[0]);
  const hh = f32(h);
  const ww = f32(w);
  const scales = tilings.map(([i, j]) => Math.min(f32(f32(i * tileSize) / hh), f32(f32(j * tileSize) / ww)));
  let ix = 0;
  if (scales.every((s) => s < 1)) {
    for (let k = 1; k < scales.length; k++) if (scales[k] > scales[ix]) ix = k;
  } else {
    const up = scales.map((s) => (s < 1 ? 1e10 : s));
    for (let k = 1; k < up.length; k++) if (up[k] < up[ix]) ix = k;
  }
  return tilings[ix];
}

/** Geometry of Molmo2's overlapping crops for one image (no pixels). */
export interface OverlapCropPlan {
  /** `[rows, cols]` of crops. */
  tiling: [number, number];
  /** Size the image is resized to before cropping: `tiling·window + (left + right)·patch` per side. */
  srcHeight: number;
  srcWidth: number;
  /** Crop side (the processor's square size) and the stride between crops (`window`), in pixels. */
  cropSize: number;
  window: number;
  /** Patches per crop side. */
  cropPatches: number;
  /**
   * For every patch of the resized source, row-major over `[gridH, gridW]`, the index of the crop patch
   * (`crop·cropPatches² + py·cropPatches + px`, crops row-major, before the global image is put first)
   * that represents it: each source patch comes from exactly one crop, the margins of the inner crop
   * edges being dropped.
   */
  patchIdx: Int32Array;
  gridH: number;
  gridW: number;
}

/**
 * The reference's `build_overlapping_crops` bookkeeping for an `width × height` image: choose the tiling
 * on the image less the margins, then mark in each crop the margin patches that overlap a neighbour
 * (`left` patches at a top/left inner edge, `right` at a bottom/right inner edge) and keep the others in
 * source order. Sizes are in pixels, margins in patches.
 */
export function planOverlapCrops(
  width: number,
  height: number,
  cropSize: number,
  patchSize: number,
  margins: readonly [number, number],
  maxCrops: number,
): OverlapCropPlan {
  const fn = "planOverlapCrops";
  const [left, right] = margins;
  const cropPatches = Math.floor(cropSize / patchSize);
  const windowPatches = cropPatches - (left + right);
  if (cropSize % patchSize !== 0 || windowPatches < 1) {
    fail(fn, "margins", `must leave a crop window of at least one patch in a ${cropSize}px crop of ${patchSize}px patches; got [${left}, ${right}]`);
  }
  const window = windowPatches * patchSize;
  const marginPx = patchSize * (left + right);
  const tiling = selectTiling(height - marginPx, width - marginPx, window, maxCrops);
  const [tr, tc] = tiling;
  if (right === 0 && (tr > 1 || tc > 1)) {
    // numpy's `patch_idx[-0:]` selects every row: the reference masks whole crops and then fails to reshape.
    fail(fn, "margins", `right margin 0 cannot be used with a ${tr}x${tc} tiling (the reference masks every patch of the inner crops); got [${left}, ${right}]`);
  }
  const srcHeight = tr * window + marginPx;
  const srcWidth = tc * window + marginPx;
  const gridH = srcHeight / patchSize;
  const gridW = srcWidth / patchSize;
  const per = cropPatches * cropPatches;
  const patchIdx = new Int32Array(gridH * gridW);
  // Walk the crops' patch rows in source order: crop row i, patch row y, crop column j, patch column x.
  let o = 0;
  for (let i = 0; i < tr; i++) {
    for (let y = 0; y < cropPatches; y++) {
      if ((i !== 0 && y < left) || (i !== tr - 1 && y >= cropPatches - right)) continue;
      for (let j = 0; j < tc; j++) {
        const base = (i * tc + j) * per + y * cropPatches;
        for (let x = 0; x < cropPatches; x++) {
          if ((j !== 0 && x < left) || (j !== tc - 1 && x >= cropPatches - right)) continue;
          patchIdx[o++] = base + x;
        }
      }
    }
  }
  if (o !== gridH * gridW) fail(fn, "margins", `left a kept-patch count ${o} that does not fill the ${gridH}x${gridW} source grid (internal error)`);
  return { tiling, srcHeight, srcWidth, cropSize, window, cropPatches, patchIdx, gridH, gridW };
}
