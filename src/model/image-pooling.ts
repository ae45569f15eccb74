import { describe, fail } from "../core/index.js";

/** Pooling windows over a patch-index grid: `[rows·cols, poolH·poolW]` row-major, −1 = padding. */
export interface PoolingLayout {
  /** `idx[(r·cols + c)·poolH·poolW + dy·poolW + dx]`. */
  idx: Int32Array;
  /** Pooled grid height and width (`ceil(h / poolH)`, `ceil(w / poolW)`). */
  rows: number;
  cols: number;
}

/**
 * The reference's `arange_for_pooling`: pad the `[h, w]` index grid with −1 up to multiples of the pool
 * size — `floor(pad/2)` rows/columns before, the rest after (so for a 2×2 pool an odd grid is padded at the
 * bottom/right only) — and cut it into `poolH × poolW` windows, each flattened `(dy, dx)`. Every window
 * keeps at least one real row and column, so no pooled token is all padding when the grid has none.
 */
export function arangeForPooling(grid: Int32Array | readonly number[], h: number, w: number, poolH: number, poolW: number): PoolingLayout {
  const fn = "arangeForPooling";
  for (const [name, v] of [["h", h], ["w", w], ["poolH", poolH], ["poolW", poolW]] as const) {
    if (!Number.isInteger(v) || v < 1) fail(fn, name, `must be a positive integer; got ${describe(v)}`);
  }
  if (grid.length !== h * w) fail(fn, "grid", `must have h*w = ${h}*${w} = ${h * w} entries; got ${grid.length}`);
  const rows = Math.ceil(h / poolH);
  const cols = Math.ceil(w / poolW);
  const top = Math.floor((rows * poolH - h) / 2);
  const left = Math.floor((cols * poolW - w) / 2);
  const win = poolH * poolW;
  const idx = new Int32Array(rows * cols * win);
  let o = 0;
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      for (let dy = 0; dy < poolH; dy++) {
        const y = r * poolH + dy - top;
        for (let dx = 0; dx < poolW; dx++) {
          const x = c * poolW + dx - left;
          idx[o++] = y >= 0 && y < h && x >= 0 && x < w ? grid[y * w + x] : -1;
        }
      }
    }
  }
  return { idx, rows, cols };
}

/** `arange(h·w)` as a grid: the patch indices of one crop, row-major. */
export function iotaGrid(n: number, offset = 0): Int32Array {
  const g = new Int32Array(n);
  for (let i = 0; i < n; i++) g[i] = offset + i;
  return g;
}
