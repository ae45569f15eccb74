import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { arangeForPooling, iotaGrid } from "../../src/model/image-pooling.js";
import { planOverlapCrops, selectTiling } from "../../src/model/image-crops.js";
import { imageTokenIds } from "../../src/model/image-tokens.js";
import { canonicalizePixels, pixelLut } from "../../src/model/image-pixels.js";
import { parseImageProcessorConfig, preprocessImage } from "../../src/model/image-processor.js";
import { Rng, VlaError } from "../../src/core/index.js";
import { TokenTable } from "../../src/vocab/index.js";

const table = new TokenTable({ imageTokenStart: 2703 });
const T = {
  start: table.imageToken("<im_start>"),
  end: table.imageToken("<im_end>"),
  patch: table.imageToken("<im_patch>"),
  col: table.imageToken("<im_col>"),
  low: table.imageToken("<low_res_im_start>"),
};

function frame(w: number, h: number, seed = 1): { data: Uint8Array; width: number; height: number; channels: 3 } {
  const rng = new Rng(seed);
  const data = new Uint8Array(w * h * 3);
  for (let i = 0; i < data.length; i++) data[i] = rng.int(256);
  return { data, width: w, height: h, channels: 3 };
}

describe("arangeForPooling", () => {
  it("every patch appears exactly once; padding sits where numpy.pad puts it (floor(pad/2) before)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 23 }), fc.integer({ min: 1, max: 23 }), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 4 }), (h, w, ph, pw) => {
        const { idx, rows, cols } = arangeForPooling(iotaGrid(h * w), h, w, ph, pw);
        if (rows !== Math.ceil(h / ph) || cols !== Math.ceil(w / pw) || idx.length !== rows * cols * ph * pw) return false;
        const seen = new Uint8Array(h * w);
        const padH = rows * ph - h;
        const padW = cols * pw - w;
        for (let r = 0; r < rows; r++) {
          for (let c = 0; c < cols; c++) {
            let valid = 0;
            for (let dy = 0; dy < ph; dy++) {
              for (let dx = 0; dx < pw; dx++) {
                const v = idx[((r * cols + c) * ph + dy) * pw + dx];
                const y = r * ph + dy; // row in the padded grid
                const x = c * pw + dx;
                const padded = y < Math.floor(padH / 2) || y >= Math.floor(padH / 2) + h || x < Math.floor(padW / 2) || x >= Math.floor(padW / 2) + w;
                if (padded !== (v === -1)) return false;
                if (v >= 0) {
                  // the (dy, dx) window flattening of `(h dh) (w dw) -> h w (dh dw)`
                  if (v !== (y - Math.floor(padH / 2)) * w + (x - Math.floor(padW / 2))) return false;
                  seen[v]++;
                  valid++;
                }
              }
            }
            if (valid === 0) return false; // no pooled token is all padding (the reference would drop it)
          }
        }
        return seen.every((n) => n === 1);
      }),
      { numRuns: 400 },
    );
  });

  it("with 2×2 pooling an odd grid is padded at the bottom/right only", () => {
    const { idx, rows, cols } = arangeForPooling(iotaGrid(9), 3, 3, 2, 2);
    expect([rows, cols]).toEqual([2, 2]);
    expect(Array.from(idx)).toEqual([0, 1, 3, 4, 2, -1, 5, -1, 6, 7, -1, -1, 8, -1, -1, -1]);
  });

  it("the fixture's 4×4 grid pools as the reference does", () => {
    expect(Array.from(arangeForPooling(iotaGrid(16), 4, 4, 2, 2).idx)).toEqual([0, 1, 4, 5, 2, 3, 6, 7, 8, 9, 12, 13, 10, 11, 14, 15]);
  });
});

describe("selectTiling", () => {
  // Expected values computed with the reference's numpy select_tiling logic (float32 scales).
  it("prefers the smallest tiling that covers, else the least downscaling", () => {
    expect(selectTiling(100, 100, 266, 8)).toEqual([1, 1]);
    expect(selectTiling(368, 528, 266, 8)).toEqual([2, 2]); // 480×640 less 2·4·14 margin pixels
    expect(selectTiling(266, 532, 266, 8)).toEqual([1, 2]);
    expect(selectTiling(5000, 300, 266, 8)).toEqual([8, 1]); // must downscale: the tallest tiling
    // An image smaller than the margins: a negative side makes every scale negative (all "downscale",
    // argmax → the first tiling); a zero side makes that side's scale infinite. (Checked against numpy.)
    expect(selectTiling(-10, 500, 266, 8)).toEqual([1, 1]);
    expect(selectTiling(0, 500, 266, 8)).toEqual([1, 2]);
    expect(selectTiling(0, 0, 266, 8)).toEqual([1, 1]);
  });
  it("never exceeds maxCrops", () => {
    fc.assert(fc.property(fc.integer({ min: -50, max: 4000 }), fc.integer({ min: -50, max: 4000 }), fc.integer({ min: 1, max: 12 }), (h, w, m) => {
      const [a, b] = selectTiling(h, w, 266, m);
      return a >= 1 && b >= 1 && a * b <= m;
    }));
  });
});

describe("planOverlapCrops", () => {
  it("every patch of the resized source is kept from exactly one crop, at its own position", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1500 }),
        fc.integer({ min: 1, max: 1500 }),
        fc.integer({ min: 3, max: 12 }),
        fc.integer({ min: 0, max: 3 }),
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 1, max: 10 }),
        (w, h, cropPatches, left, right, maxCrops) => {
          fc.pre(left + right < cropPatches);
          const P = 14;
          const plan = planOverlapCrops(w, h, cropPatches * P, P, [left, right], maxCrops);
          const [tr, tc] = plan.tiling;
          const wp = cropPatches - left - right;
          if (plan.gridH !== tr * wp + left + right || plan.gridW !== tc * wp + left + right) return false;
          if (plan.srcHeight !== plan.gridH * P || plan.window !== wp * P) return false;
          const per = cropPatches * cropPatches;
          const seen = new Set<number>();
          for (let r = 0; r < plan.gridH; r++) {
            for (let c = 0; c < plan.gridW; c++) {
              const v = plan.patchIdx[r * plan.gridW + c];
              if (seen.has(v)) return false;
              seen.add(v);
              const crop = Math.floor(v / per);
              const py = Math.floor((v % per) / cropPatches);
              const px = v % cropPatches;
              const i = Math.floor(crop / tc);
              const j = crop % tc;
              // the crop patch covers source patch (i·window + py, j·window + px)
              if (i * wp + py !== r || j * wp + px !== c) return false;
              // and it is not in a margin that overlaps a neighbouring crop
              if ((i > 0 && py < left) || (i < tr - 1 && py >= cropPatches - right)) return false;
              if ((j > 0 && px < left) || (j < tc - 1 && px >= cropPatches - right)) return false;
            }
          }
          return true;
        },
      ),
      { numRuns: 300 },
    );
  });

  it("refuses a right margin of 0 with more than one crop (the reference's [-0:] masks whole crops)", () => {
    expect(() => planOverlapCrops(2000, 2000, 378, 14, [4, 0], 8)).toThrow(VlaError);
    expect(planOverlapCrops(100, 100, 378, 14, [4, 0], 8).tiling).toEqual([1, 1]);
  });
});

describe("preprocessImage", () => {
  it("resize mode: one crop, 2×2 pooling of the patch grid, grid [h, w, 0, 0]", () => {
    const cfg = parseImageProcessorConfig({ image_processor: { size: { height: 56, width: 70 }, crop_mode: "resize" } });
    const p = preprocessImage(frame(64, 48), cfg);
    expect([p.numCrops, p.patchesPerCrop, p.patchDim, p.poolWindow]).toEqual([1, 20, 588, 4]);
    expect(p.grid).toEqual([2, 3, 0, 0]);
    expect(p.crops.length).toBe(20 * 588);
    expect(p.poolTokens).toBe(6);
  });

  it("multi-crop (the processor default): global image first, crop patches each pooled once, margins never", () => {
    const cfg = parseImageProcessorConfig({});
    const p = preprocessImage(frame(640, 480), cfg);
    // 480×640 less the margins → 2×2 tiling of 266-pixel windows; source 644×644 = 46×46 patches
    expect(p.numCrops).toBe(5);
    expect(p.patchesPerCrop).toBe(729);
    expect(p.grid).toEqual([14, 14, 23, 23]);
    expect(p.poolTokens).toBe(14 * 14 + 23 * 23);
    const counts = new Int32Array(p.numCrops * p.patchesPerCrop);
    for (const v of p.pooling) if (v >= 0) counts[v]++;
    expect(counts.subarray(0, 729).every((c) => c === 1)).toBe(true);
    const kept = Array.from(counts.subarray(729)).filter((c) => c === 1).length;
    expect(kept).toBe(46 * 46);
    expect(Array.from(counts.subarray(729)).every((c) => c <= 1)).toBe(true);
    // crop 1 (row 0, col 0): its last 4 patch columns overlap crop 2 and are not pooled
    expect(counts[729 + 26]).toBe(0);
    expect(counts[729 + 22]).toBe(1);
    // tokens: one <im_patch> per pooled row
    const ids = imageTokenIds(p.grid, cfg, table);
    expect(ids.filter((t) => t === T.patch).length).toBe(p.poolTokens);
    expect(ids[0]).toBe(T.low);
  });

  it("crop pixels are the tiling-size resize cut at window strides (crop 2 starts one window right)", () => {
    const cfg = parseImageProcessorConfig({ image_processor: { size: { height: 56, width: 56 }, max_crops: 4, overlap_margins: [1, 1] } });
    const img = frame(100, 30, 7);
    const p = preprocessImage(img, cfg);
    const n = p.patchesPerCrop * p.patchDim;
    expect(p.numCrops).toBeGreaterThan(2);
    // Crop 1 patch (0, 2) and crop 2 patch (0, 0) cover the same source pixels: window = 2 patches.
    const a = p.crops.subarray(n + 2 * p.patchDim, n + 3 * p.patchDim);
    const b = p.crops.subarray(2 * n, 2 * n + p.patchDim);
    expect(Array.from(a)).toEqual(Array.from(b));
  });

  it("RGBA drops alpha and grey replicates, as Pillow's convert('RGB') does", () => {
    const cfg = parseImageProcessorConfig({ image_processor: { size: { height: 28, width: 28 }, crop_mode: "resize" } });
    const rgb = frame(30, 20, 2);
    const rgba = new Uint8Array(30 * 20 * 4);
    for (let i = 0; i < 600; i++) rgba.set([rgb.data[i * 3], rgb.data[i * 3 + 1], rgb.data[i * 3 + 2], i % 256], i * 4);
    expect(Array.from(preprocessImage({ data: rgba, width: 30, height: 20, channels: 4 }, cfg).crops)).toEqual(Array.from(preprocessImage(rgb, cfg).crops));
    const grey = rgb.data.filter((_, i) => i % 3 === 0);
    const rep = new Uint8Array(1800).map((_, i) => grey[Math.floor(i / 3)]);
    expect(Array.from(preprocessImage({ data: grey, width: 30, height: 20, channels: 1 }, cfg).crops)).toEqual(Array.from(preprocessImage({ ...rgb, data: rep }, cfg).crops));
    const noConvert = parseImageProcessorConfig({ image_processor: { size: { height: 28, width: 28 }, crop_mode: "resize", do_convert_rgb: false } });
    expect(() => preprocessImage({ data: rgba, width: 30, height: 20, channels: 4 }, noConvert)).toThrow(/image.channels must be 3 when the processor's do_convert_rgb is false/);
    expect(() => preprocessImage({ data: new Float32Array(1800), width: 30, height: 20, channels: 3 }, cfg)).toThrow(/image.data must be a Uint8Array/);
  });
});

describe("pixel values", () => {
  it("mean = std = 0.5: x/255·2 − 1 in float32, and the backbone's canonicalisation is the identity", () => {
    const lut = pixelLut(true, [0.5, 0.5, 0.5], [0.5, 0.5, 0.5]);
    for (let v = 0; v < 256; v++) expect(lut[v]).toBe(Math.fround(Math.fround(Math.fround(v / 255) * 2) - 1));
    expect(lut[0]).toBe(-1);
    expect(lut[255]).toBe(1);
    expect(Array.from(canonicalizePixels(lut))).toEqual(Array.from(lut));
  });

  it("other mean/std: (x/255 − mean)/std per channel, which the backbone then re-snaps to its 0.5 grid", () => {
    const mean = [0.485, 0.456, 0.406];
    const std = [0.229, 0.224, 0.225];
    const lut = pixelLut(false, mean, std);
    const f = Math.fround;
    expect(lut[256 + 100]).toBe(f(f(f(100 / 255) - f(mean[1])) / f(std[1])));
    const c = canonicalizePixels(lut);
    const grid = new Set(Array.from(pixelLut(true, [0.5, 0.5, 0.5], [0.5, 0.5, 0.5])));
    expect(Array.from(c).every((x) => grid.has(x))).toBe(true);
    expect(Array.from(c)).not.toEqual(Array.from(lut));
    expect(() => canonicalizePixels(Float32Array.from([0, NaN]))).toThrow(/canonicalizePixels: pixels must be finite; got NaN at \[1\]/);
  });
});

describe("imageTokenIds", () => {
  const base = { useColTokens: true, singleCropColTokens: null, singleCropStartToken: true };
  it("resize mode: <im_start> (<im_patch>×w <im_col>)×h <im_end>", () => {
    expect(imageTokenIds([2, 2, 0, 0], base, table)).toEqual([T.start, T.patch, T.patch, T.col, T.patch, T.patch, T.col, T.end]);
    expect(imageTokenIds([1, 3, 0, 0], { ...base, singleCropColTokens: false }, table)).toEqual([T.start, T.patch, T.patch, T.patch, T.end]);
  });
  it("multi-crop: global (<low_res_im_start>, or <im_start>) then the crop grid; col tokens per switch", () => {
    expect(imageTokenIds([1, 1, 1, 2], base, table)).toEqual([T.low, T.patch, T.col, T.end, T.start, T.patch, T.patch, T.col, T.end]);
    expect(imageTokenIds([1, 1, 1, 2], { useColTokens: false, singleCropColTokens: true, singleCropStartToken: false }, table)).toEqual([T.start, T.patch, T.col, T.end, T.start, T.patch, T.patch, T.end]);
  });
  it("rejects a malformed grid", () => {
    expect(() => imageTokenIds([0, 2, 0, 0], base, table)).toThrow(/imageTokenIds: grid must have a non-empty resized grid/);
    expect(() => imageTokenIds([1, 2, 3] as unknown as [number, number, number, number], base, table)).toThrow(VlaError);
  });
});

describe("parseImageProcessorConfig", () => {
  it("fills the reference defaults", () => {
    expect(parseImageProcessorConfig("{}")).toEqual({
      height: 378,
      width: 378,
      mean: [0.5, 0.5, 0.5],
      std: [0.5, 0.5, 0.5],
      halfNormalize: true,
      maxCrops: 8,
      overlapMargins: [4, 4],
      cropMode: "overlap-and-resize-c2",
      patchSize: 14,
      poolH: 2,
      poolW: 2,
      convertRgb: true,
      useColTokens: true,
      singleCropColTokens: null,
      singleCropStartToken: true,
    });
  });
  it("reads the top-level switches as the processor's __init__ does (null is None, falsy)", () => {
    const c = parseImageProcessorConfig({ image_use_col_tokens: false, use_single_crop_col_tokens: true, use_single_crop_start_token: null });
    expect([c.useColTokens, c.singleCropColTokens, c.singleCropStartToken]).toEqual([false, true, false]);
  });
  it("fails naming the field for what is not reproduced", () => {
    const bad: [object, RegExp][] = [
      [{ image_processor: { resample: 3 } }, /image_processor.resample must be 2/],
      [{ image_processor: { crop_mode: "overlap" } }, /image_processor.crop_mode must be one of "resize", "overlap-and-resize-c2", "overlap-and-resize"; got "overlap"/],
      [{ image_processor: { size: { height: 378, width: 392 } } }, /image_processor.size must be square for crop_mode "overlap-and-resize-c2"/],
      [{ image_processor: { size: { height: 380, width: 380 }, crop_mode: "resize" } }, /image_processor.size.height must be a multiple of patch_size 14; got 380/],
      [{ image_processor: { size: { height: 0, width: 14 } } }, /image_processor.size.height must be a positive integer/],
      [{ image_processor: { overlap_margins: [14, 13] } }, /image_processor.overlap_margins must leave a crop window/],
      [{ image_processor: { pooling_size: [2] } }, /image_processor.pooling_size must be \[poolH, poolW\]/],
      [{ image_processor: { image_std: [0.5, 0, 0.5] } }, /image_processor.image_std must be 3 finite numbers > 0/],
      [{ image_processor: { size: { shortest_edge: 378 } } }, /image_processor.size must have "height" and "width"/],
      [{ image_use_col_tokens: "yes" }, /image_use_col_tokens must be true or false/],
    ];
    for (const [json, re] of bad) expect(() => parseImageProcessorConfig(json)).toThrow(re);
    expect(() => parseImageProcessorConfig("{")).toThrow(/parseImageProcessorConfig: json must be valid JSON/);
  });
});
