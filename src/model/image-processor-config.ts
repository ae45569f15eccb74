import { describe, fail, parseJson } from "../core/index.js";

const FN = "parseImageProcessorConfig";

/** The crop modes of the reference image processor. */
export const IMAGE_CROP_MODES = ["resize", "overlap-and-resize-c2", "overlap-and-resize"] as const;
export type ImageCropMode = (typeof IMAGE_CROP_MODES)[number];

/**
 * The MolmoAct2 image processor settings (`processor_config.json`: the `image_processor` block plus the
 * processor's top-level image-token switches), camelCase, with the reference's defaults filled in.
 */
export interface ImageProcessorConfig {
  /** `size.height` × `size.width`: the square crop (and the global image of multi-crop). */
  height: number;
  width: number;
  /** `image_mean` / `image_std`, per channel. */
  mean: readonly [number, number, number];
  std: readonly [number, number, number];
  /** True when mean = std = 0.5 (numpy `allclose`): the reference then computes `x·2 − 1`. */
  halfNormalize: boolean;
  maxCrops: number;
  /** `[left, right]` overlap margins, in patches. */
  overlapMargins: readonly [number, number];
  cropMode: ImageCropMode;
  patchSize: number;
  /** `pooling_size` = `[poolH, poolW]`. */
  poolH: number;
  poolW: number;
  /** `do_convert_rgb`: an RGBA input is composited over white (else 4 channels are refused). */
  convertRgb: boolean;
  /** Top-level `image_use_col_tokens`: an `<im_col>` after every pooled row of the crop grid. */
  useColTokens: boolean;
  /** Top-level `use_single_crop_col_tokens` (null = follow `useColTokens`) for the resized / global image. */
  singleCropColTokens: boolean | null;
  /** Top-level `use_single_crop_start_token`: the global image of multi-crop opens with `<low_res_im_start>`. */
  singleCropStartToken: boolean;
}

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** A field value, with JSON `null` read as absent (the reference's `x or default` / `x if x is not None`). */
function field(o: Obj, k: string): unknown {
  const v = o[k];
  return v === null ? undefined : v;
}

function posInt(name: string, v: unknown): number {
  if (typeof v !== "number" || !Number.isInteger(v) || v < 1) fail(FN, name, `must be a positive integer; got ${describe(v)}`);
  return v;
}

function triple(name: string, v: unknown, positive: boolean): [number, number, number] {
  // transformers accepts a single float for image_mean / image_std and broadcasts it.
  const arr = typeof v === "number" ? [v, v, v] : v;
  if (!Array.isArray(arr) || arr.length !== 3 || !arr.every((x) => typeof x === "number" && Number.isFinite(x) && (!positive || x > 0))) {
    fail(FN, name, `must be 3 finite numbers${positive ? " > 0" : ""} (one per RGB channel); got ${JSON.stringify(v)}`);
  }
  return [arr[0], arr[1], arr[2]];
}

function bool(name: string, v: unknown, def: boolean): boolean {
  if (v === undefined) return def;
  if (typeof v !== "boolean") fail(FN, name, `must be true or false; got ${describe(v)}`);
  return v;
}

/** A top-level processor switch: absent → True (the __init__ default), null → None → false. */
function topBool(root: Obj, k: string): boolean {
  if (!(k in root)) return true;
  const v = root[k];
  if (v === null) return false;
  return bool(k, v, true);
}

/** numpy `allclose(a, 0.5)` with its default tolerances (rtol 1e-5, atol 1e-8). */
function allHalf(xs: readonly number[]): boolean {
  return xs.every((x) => Math.abs(x - 0.5) <= 1e-8 + 1e-5 * 0.5);
}

function sizeOf(ip: Obj): { height: number; width: number } {
  const s = field(ip, "size");
  if (s === undefined) return { height: 378, width: 378 };
  // get_size_dict(default_to_square=True): an int means a square.
  if (typeof s === "number") {
    const n = posInt("image_processor.size", s);
    return { height: n, width: n };
  }
  if (!isObj(s)) fail(FN, "image_processor.size", `must be { height, width }; got ${describe(s)}`);
  if (s.height === undefined || s.width === undefined) {
    fail(FN, "image_processor.size", `must have "height" and "width" (shortest_edge / longest_edge sizes are not used by MolmoAct2); got keys ${JSON.stringify(Object.keys(s))}`);
  }
  return { height: posInt("image_processor.size.height", s.height), width: posInt("image_processor.size.width", s.width) };
}

/**
 * Parse a MolmoAct2 `processor_config.json` (text or parsed object) into an {@link ImageProcessorConfig}.
 * Absent fields take the reference processor's defaults (size 378×378, bilinear, mean = std = 0.5,
 * max_crops 8, overlap_margins [4, 4], crop_mode "overlap-and-resize-c2", patch 14, pooling 2×2, col tokens
 * on, single-crop start token on). Throws a `VlaError` naming the field for anything this library does not
 * reproduce exactly (another resample filter, an unknown crop mode, sizes the reference would reject).
 */
export function parseImageProcessorConfig(json: string | object): ImageProcessorConfig {
  const root = parseJson(FN, "json", json);
  if (!isObj(root)) fail(FN, "json", `must be a JSON object; got ${describe(root)}`);
  const ipRaw = field(root, "image_processor");
  if (ipRaw !== undefined && !isObj(ipRaw)) fail(FN, "image_processor", `must be an object; got ${describe(ipRaw)}`);
  const ip: Obj = ipRaw ?? {};

  const { height, width } = sizeOf(ip);
  const resample = field(ip, "resample") ?? 2;
  if (resample !== 2) {
    fail(FN, "image_processor.resample", `must be 2 (PIL BILINEAR: the torchvision bilinear resize without antialias is the only filter implemented); got ${describe(resample)}`);
  }
  const mean = triple("image_processor.image_mean", field(ip, "image_mean") ?? [0.5, 0.5, 0.5], false);
  const std = triple("image_processor.image_std", field(ip, "image_std") ?? [0.5, 0.5, 0.5], true);
  // preprocess() reads `do_convert_rgb or self.do_convert_rgb`, and the stored value defaults to True.
  const convertRgb = bool("image_processor.do_convert_rgb", field(ip, "do_convert_rgb"), true);

  const modeRaw = field(ip, "crop_mode") ?? "overlap-and-resize-c2";
  if (typeof modeRaw !== "string" || !(IMAGE_CROP_MODES as readonly string[]).includes(modeRaw)) {
    fail(FN, "image_processor.crop_mode", `must be one of ${IMAGE_CROP_MODES.map((m) => JSON.stringify(m)).join(", ")}; got ${describe(modeRaw)}`);
  }
  const cropMode = modeRaw as ImageCropMode;
  const patchSize = posInt("image_processor.patch_size", field(ip, "patch_size") ?? 14);
  const maxCrops = posInt("image_processor.max_crops", field(ip, "max_crops") ?? 8);

  const margins = field(ip, "overlap_margins") ?? [4, 4];
  if (!Array.isArray(margins) || margins.length !== 2 || !margins.every((m) => Number.isInteger(m) && m >= 0)) {
    fail(FN, "image_processor.overlap_margins", `must be [left, right] non-negative integers (in patches); got ${JSON.stringify(margins)}`);
  }
  const pool = field(ip, "pooling_size") ?? [2, 2];
  if (!Array.isArray(pool) || pool.length !== 2 || !pool.every((m) => Number.isInteger(m) && m >= 1)) {
    fail(FN, "image_processor.pooling_size", `must be [poolH, poolW] positive integers; got ${JSON.stringify(pool)}`);
  }

  // The reference reshapes the resized image into whole patches: a size that is not a multiple fails there.
  for (const [k, v] of [["height", height], ["width", width]] as const) {
    if (v % patchSize !== 0) fail(FN, `image_processor.size.${k}`, `must be a multiple of patch_size ${patchSize}; got ${v}`);
  }
  if (cropMode !== "resize") {
    if (height !== width) fail(FN, "image_processor.size", `must be square for crop_mode ${JSON.stringify(cropMode)} (the reference asserts it); got ${height}x${width}`);
    const cropPatches = height / patchSize;
    if (margins[0] + margins[1] >= cropPatches) {
      fail(FN, "image_processor.overlap_margins", `must leave a crop window: left + right must be < ${cropPatches} patches per crop; got ${JSON.stringify(margins)}`);
    }
  }

  // Top-level switches go to the processor's __init__ as given: JSON null is Python None (falsy), which is
  // not the default True of an absent key. use_single_crop_col_tokens = None means "follow image_use_col_tokens".
  const singleCol = field(root, "use_single_crop_col_tokens");
  if (singleCol !== undefined && typeof singleCol !== "boolean") fail(FN, "use_single_crop_col_tokens", `must be true, false or null; got ${describe(singleCol)}`);

  return {
    height,
    width,
    mean,
    std,
    halfNormalize: allHalf(mean) && allHalf(std),
    maxCrops,
    overlapMargins: [margins[0], margins[1]],
    cropMode,
    patchSize,
    poolH: pool[0],
    poolW: pool[1],
    convertRgb,
    useColTokens: topBool(root, "image_use_col_tokens"),
    singleCropColTokens: singleCol === undefined ? null : singleCol,
    singleCropStartToken: topBool(root, "use_single_crop_start_token"),
  };
}
