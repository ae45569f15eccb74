import { describe, fail, toImage } from "../core/index.js";
import { toRgb8, type ImageInput } from "./image.js";
import { resizeBilinearRgb8 } from "./resize.js";
import { createFrameKernel, type FrameKernel } from "./simd.js";

/** Geometry and threshold of the change detector (spec §5.1). */
export interface DepthGridOptions {
  /** Cells per side; `grid²` = number of depth codes. Default 10. */
  grid?: number;
  /** Cell side in pixels of the resized frame. Default 32 (frame side = grid·cellSize = 320). */
  cellSize?: number;
  /** A cell changed when its cosine similarity is **strictly below** this. Default 0.996. */
  threshold?: number;
}

/** Options of the one-shot comparisons ({@link changedCells}, {@link cellMask}, {@link compareFrames}). */
export interface ChangeOptions extends DepthGridOptions {
  /**
   * Use the WebAssembly SIMD kernels when the runtime has them (default true). Results are bit-identical to the
   * scalar path (same integer arithmetic); only speed differs.
   */
  simd?: boolean;
}

/** Fully resolved {@link DepthGridOptions}. */
export interface DepthGrid {
  grid: number;
  cellSize: number;
  threshold: number;
  /** `grid · cellSize`, the side of the square comparison frame. */
  side: number;
  /** `grid²`. */
  numCells: number;
}

export const DEPTH_GRID = 10;
export const DEPTH_CELL_SIZE = 32;
export const DEPTH_THRESHOLD = 0.996;

/** Resolve and validate grid options (defaults: 10 × 10 cells of 32 px, threshold 0.996). */
export function resolveGrid(opts: DepthGridOptions = {}, fn = "resolveGrid"): DepthGrid {
  const grid = opts.grid ?? DEPTH_GRID;
  const cellSize = opts.cellSize ?? DEPTH_CELL_SIZE;
  const threshold = opts.threshold ?? DEPTH_THRESHOLD;
  if (!Number.isInteger(grid) || grid < 1 || grid > 256) fail(fn, "grid", `must be an integer in [1, 256]; got ${describe(grid)}`);
  if (!Number.isInteger(cellSize) || cellSize < 1 || cellSize > 1024) fail(fn, "cellSize", `must be an integer in [1, 1024]; got ${describe(cellSize)}`);
  if (typeof threshold !== "number" || !Number.isFinite(threshold)) fail(fn, "threshold", `must be a finite number; got ${describe(threshold)}`);
  return { grid, cellSize, threshold, side: grid * cellSize, numCells: grid * grid };
}

/**
 * Cosine similarity from integer sums (model rule, spec §5.2 step 4):
 * `dot / (‖a‖·‖b‖ + 1e-12)`, and 1 when `‖a‖·‖b‖ < 1e-8` (two black cells are "unchanged").
 * The golden file uses the plain `dot / (‖a‖·‖b‖)`; for 0–255 pixel data the two differ by at most
 * ~1e-12 relative (or the all-black case), far below the 1e-9 test tolerance and the threshold's resolution.
 */
export function cosineFromSums(dot: number, normA2: number, normB2: number): number {
  const den = Math.sqrt(normA2) * Math.sqrt(normB2);
  return den < 1e-8 ? 1 : dot / (den + 1e-12);
}

/**
 * Per-cell squared norms of a packed RGB square frame (`side × side × 3`), cells row-major.
 * Sums are exact (integers < 2^53).
 */
export function cellNorms(frame: Uint8Array, g: DepthGrid, out: Float64Array = new Float64Array(g.numCells)): Float64Array {
  const { grid, cellSize, side } = g;
  const stride = side * 3;
  const cw = cellSize * 3;
  out.fill(0);
  for (let y = 0; y < side; y++) {
    const rowBase = ((y / cellSize) | 0) * grid;
    let p = y * stride;
    for (let cx = 0; cx < grid; cx++) {
      let s = 0;
      for (const end = p + cw; p < end; p++) s += frame[p] * frame[p];
      out[rowBase + cx] += s;
    }
  }
  return out;
}

/**
 * Per-cell dot products of two packed RGB square frames and the squared norms of `b`, in one pass.
 */
export function cellDotsAndNorms(a: Uint8Array, b: Uint8Array, g: DepthGrid, dots: Float64Array, normsB: Float64Array): void {
  const { grid, cellSize, side } = g;
  const stride = side * 3;
  const cw = cellSize * 3;
  dots.fill(0);
  normsB.fill(0);
  for (let y = 0; y < side; y++) {
    const rowBase = ((y / cellSize) | 0) * grid;
    let p = y * stride;
    for (let cx = 0; cx < grid; cx++) {
      let d = 0;
      let n = 0;
      for (const end = p + cw; p < end; p++) {
        const v = b[p];
        d += a[p] * v;
        n += v * v;
      }
      dots[rowBase + cx] += d;
      normsB[rowBase + cx] += n;
    }
  }
}

/** Result of comparing two frames cell by cell. */
export interface DepthChange {
  /** 1 where the cell changed (re-predict its depth code), else 0; Uint8, length grid², row-major (k = row·grid + col). */
  mask: Uint8Array;
  /** Cosine similarity per cell (Float64, length grid², row-major). */
  cosine: Float64Array;
  /** Number of changed cells. */
  changedCount: number;
}

/** Resize any accepted image to the square comparison frame (packed uint8 RGB, `side × side × 3`). */
export function depthFrame(input: ImageInput, opts: DepthGridOptions = {}, out?: Uint8Array): Uint8Array {
  const g = resolveGrid(opts, "depthFrame");
  const image = toImage("depthFrame", "image", input);
  const rgb = toRgb8(image, "depthFrame");
  if (image.width === g.side && image.height === g.side) {
    if (!out) return rgb === image.data ? rgb.slice() : rgb;
  }
  return resizeBilinearRgb8(rgb, image.width, image.height, g.side, g.side, out);
}

/** Cosines and mask from per-cell sums. */
export function maskFromSums(dots: Float64Array, normsA: Float64Array, normsB: Float64Array, threshold: number): DepthChange {
  const n = dots.length;
  const mask = new Uint8Array(n);
  const cosine = new Float64Array(n);
  let changedCount = 0;
  for (let k = 0; k < n; k++) {
    const c = cosineFromSums(dots[k], normsA[k], normsB[k]);
    cosine[k] = c;
    if (c < threshold) {
      mask[k] = 1;
      changedCount++;
    }
  }
  return { mask, cosine, changedCount };
}

/**
 * One SIMD kernel per grid geometry, shared by the one-shot functions (a kernel owns two frame slots in its own
 * WebAssembly memory; JavaScript is single-threaded, so one call finishes before the next starts). `null` when the
 * runtime lacks WebAssembly SIMD or the geometry is outside the kernel's exact range.
 */
const oneShotKernels = new Map<string, FrameKernel | null>();

function oneShotKernel(g: DepthGrid, opts: ChangeOptions): FrameKernel | null {
  if (opts.simd === false) return null;
  const key = `${g.grid}x${g.cellSize}`;
  let k = oneShotKernels.get(key);
  if (k === undefined) {
    if (oneShotKernels.size >= 4) oneShotKernels.clear(); // bound the memory held for unusual geometries
    k = createFrameKernel(g.side, g.grid, g.cellSize);
    oneShotKernels.set(key, k);
  }
  return k;
}

/** Mask from the two frames already in the kernel's slots (0 = previous, 1 = current). */
function kernelChange(k: FrameKernel, g: DepthGrid): DepthChange {
  const dots = new Float64Array(g.numCells);
  const normsPrev = new Float64Array(g.numCells);
  const normsCurr = new Float64Array(g.numCells);
  k.cellSums(1, 0, dots, normsPrev); // ⟨curr, prev⟩ and ‖prev‖²; the dot is recomputed (same integers) below
  k.cellSums(0, 1, dots, normsCurr); // ⟨prev, curr⟩ and ‖curr‖²
  return maskFromSums(dots, normsPrev, normsCurr, g.threshold);
}

/**
 * Compare two already-resized square frames (packed uint8 RGB, `side × side × 3`): per-cell cosine
 * in float64 over the 0–255 values and the changed mask (`cosine < threshold`). Uses the WebAssembly SIMD
 * kernels when available (`simd: false` forces the scalar path; results are identical).
 */
export function compareFrames(prev: Uint8Array, curr: Uint8Array, opts: ChangeOptions = {}): DepthChange {
  const g = resolveGrid(opts, "compareFrames");
  const len = g.side * g.side * 3;
  if (!(prev instanceof Uint8Array) || prev.length !== len) fail("compareFrames", "prev", `must be a Uint8Array of ${g.side}*${g.side}*3 = ${len} bytes; got ${describe(prev)}`);
  if (!(curr instanceof Uint8Array) || curr.length !== len) fail("compareFrames", "curr", `must be a Uint8Array of ${g.side}*${g.side}*3 = ${len} bytes; got ${describe(curr)}`);
  const k = oneShotKernel(g, opts);
  if (k) {
    k.resizeInto(0, prev, g.side, g.side); // a copy: the frames are already side × side
    k.resizeInto(1, curr, g.side, g.side);
    return kernelChange(k, g);
  }
  const dots = new Float64Array(g.numCells);
  const normsCurr = new Float64Array(g.numCells);
  cellDotsAndNorms(prev, curr, g, dots, normsCurr);
  return maskFromSums(dots, cellNorms(prev, g), normsCurr, g.threshold);
}

/**
 * The change detector of spec §5.2 on two images of any size (records or ndarrays `[H, W, C]`): both are converted to uint8 RGB,
 * resized to 320 × 320 with Pillow-exact bilinear, split into 10 × 10 cells of 32 × 32 × 3 and
 * compared by cosine similarity; `mask[k] = 1` when `cosine[k] < 0.996`. Runs on the same WebAssembly SIMD
 * kernels as {@link DepthChangeDetector} when available (`simd: false` forces the scalar path; results are
 * bit-identical either way).
 */
export function changedCells(prevImage: ImageInput, currImage: ImageInput, opts: ChangeOptions = {}): DepthChange {
  const g = resolveGrid(opts, "changedCells");
  const k = oneShotKernel(g, opts);
  if (!k) return compareFrames(depthFrame(prevImage, opts), depthFrame(currImage, opts), opts);
  const prev = toImage("changedCells", "image", prevImage);
  const curr = toImage("changedCells", "image", currImage);
  const a = toRgb8(prev, "changedCells");
  const b = toRgb8(curr, "changedCells");
  k.resizeInto(0, a, prev.width, prev.height);
  k.resizeInto(1, b, curr.width, curr.height);
  return kernelChange(k, g);
}

/** Just the changed mask of {@link changedCells} (Uint8, length grid², 1 = changed). */
export function cellMask(prev: ImageInput, curr: ImageInput, opts: ChangeOptions = {}): Uint8Array {
  return changedCells(prev, curr, opts).mask;
}
