import { fail } from "../core/index.js";
import type { TokenTable } from "../vocab/index.js";
import type { ImageProcessorConfig } from "./image-processor-config.js";

/** `[resizedH, resizedW, h, w]`: pooled grid of the resized (global) image and of the crops (0, 0 = resize mode). */
export type ImageGrid = readonly [number, number, number, number];

type TokenSwitches = Pick<ImageProcessorConfig, "useColTokens" | "singleCropColTokens" | "singleCropStartToken">;

function pushGrid(out: number[], start: number, rows: number, cols: number, col: boolean, patch: number, colId: number, end: number): void {
  out.push(start);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) out.push(patch);
    if (col) out.push(colId);
  }
  out.push(end);
}

/**
 * The token ids that stand for one image in the prompt (the processor's `get_image_tokens`, replacing one
 * `<|image|>`). Resize mode (`h = w = 0`): `<im_start> (<im_patch>×resizedW [<im_col>])×resizedH <im_end>`.
 * Multi-crop: the global image the same way but opened by `<low_res_im_start>` (`<im_start>` when
 * `singleCropStartToken` is off), then the crop grid `<im_start> (<im_patch>×w [<im_col>])×h <im_end>`.
 * The resized / global grid has `<im_col>` per `singleCropColTokens ?? useColTokens`, the crop grid per
 * `useColTokens`. There is one `<im_patch>` per pooled token, in pooling-row order.
 */
export function imageTokenIds(grid: ImageGrid, cfg: TokenSwitches, table: TokenTable): number[] {
  const fn = "imageTokenIds";
  if (!Array.isArray(grid) || grid.length !== 4 || !grid.every((g) => Number.isInteger(g) && g >= 0)) {
    fail(fn, "grid", `must be [resizedH, resizedW, h, w] non-negative integers; got ${JSON.stringify(grid)}`);
  }
  const [rh, rw, h, w] = grid;
  if (rh === 0 || rw === 0) fail(fn, "grid", `must have a non-empty resized grid; got ${JSON.stringify(grid)}`);
  const patch = table.imageToken("<im_patch>");
  const col = table.imageToken("<im_col>");
  const start = table.imageToken("<im_start>");
  const end = table.imageToken("<im_end>");
  const singleCol = cfg.singleCropColTokens ?? cfg.useColTokens;
  const out: number[] = [];
  if (h === 0 || w === 0) {
    pushGrid(out, start, rh, rw, singleCol, patch, col, end);
    return out;
  }
  const globalStart = cfg.singleCropStartToken ? table.imageToken("<low_res_im_start>") : start;
  pushGrid(out, globalStart, rh, rw, singleCol, patch, col, end);
  pushGrid(out, start, h, w, cfg.useColTokens, patch, col, end);
  return out;
}
