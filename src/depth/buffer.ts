import { toImage, type NdArray } from "../core/index.js";
import { MOLMOACT2_TOKENS, type TokenTable } from "../vocab/index.js";
import { cellDotsAndNorms, cellNorms, maskFromSums, resolveGrid, type ChangeOptions, type DepthGrid } from "./cells.js";
import { toRgb8, type ImageInput } from "./image.js";
import { checkCodes, planDepthDecode, type DepthDecodePlan } from "./plan.js";
import { resizeBilinearRgb8 } from "./resize.js";
import { createFrameKernel, type FrameKernel } from "./simd.js";

/** One detection: the mask of an image against the stored previous image. */
export interface DepthDetection {
  /** 1 = changed (Uint8, length grid², row-major). All ones when there was no previous image. */
  mask: Uint8Array;
  /** Per-cell cosine (Float64, length grid²), or `null` when there was no previous image. */
  cosine: Float64Array | null;
  changedCount: number;
  /** True when there was no previous image (first frame of an episode). */
  first: boolean;
}

/** Options of {@link DepthChangeDetector}: grid geometry, threshold and `simd` (default true). */
export type DetectorOptions = ChangeOptions;

/**
 * Streaming change detector: keeps the previous resized frame (320 × 320 × 3 uint8) and its per-cell
 * squared norms, so each new image costs one resize plus one pass over the cells. No allocation per
 * frame beyond the returned mask/cosine arrays. Uses WebAssembly SIMD when available (see `simd`).
 */
export class DepthChangeDetector {
  readonly grid: DepthGrid;
  /** True when the WebAssembly SIMD kernels are in use. */
  readonly simd: boolean;
  private readonly kernel: FrameKernel | null;
  private prevSlot: 0 | 1 = 0;
  private prev: Uint8Array;
  private next: Uint8Array;
  private prevNorms: Float64Array;
  private nextNorms: Float64Array;
  private readonly dots: Float64Array;
  private hasPrev = false;

  constructor(opts: DetectorOptions = {}) {
    this.grid = resolveGrid(opts, "DepthChangeDetector");
    const g = this.grid;
    this.kernel = opts.simd === false ? null : createFrameKernel(g.side, g.grid, g.cellSize);
    this.simd = this.kernel !== null;
    const len = this.kernel ? 0 : g.side * g.side * 3;
    this.prev = new Uint8Array(len);
    this.next = new Uint8Array(len);
    this.prevNorms = new Float64Array(g.numCells);
    this.nextNorms = new Float64Array(g.numCells);
    this.dots = new Float64Array(g.numCells);
  }

  /** True when a previous frame is stored. */
  get hasPrevious(): boolean {
    return this.hasPrev;
  }

  /** The stored previous frame (packed RGB `side × side × 3`, a copy), or null. */
  get previousFrame(): Uint8Array | null {
    if (!this.hasPrev) return null;
    return this.kernel ? this.kernel.frame(this.prevSlot) : this.prev.slice();
  }

  /** Compare `image` with the stored frame (all changed when none), then store it as the new previous frame. */
  push(image: ImageInput): DepthDetection {
    const det = this.compareInto(image);
    this.commit();
    return det;
  }

  /** Compare without storing; a following {@link commit} stores the compared frame. */
  compareInto(input: ImageInput): DepthDetection {
    const g = this.grid;
    const image = toImage("DepthChangeDetector.push", "image", input);
    const rgb = toRgb8(image, "DepthChangeDetector.push");
    const k = this.kernel;
    if (k) {
      const nextSlot = (1 - this.prevSlot) as 0 | 1;
      k.resizeInto(nextSlot, rgb, image.width, image.height);
      k.cellSums(this.hasPrev ? this.prevSlot : nextSlot, nextSlot, this.dots, this.nextNorms);
    } else {
      resizeBilinearRgb8(rgb, image.width, image.height, g.side, g.side, this.next);
      if (this.hasPrev) cellDotsAndNorms(this.prev, this.next, g, this.dots, this.nextNorms);
      else cellNorms(this.next, g, this.nextNorms);
    }
    if (!this.hasPrev) return { mask: new Uint8Array(g.numCells).fill(1), cosine: null, changedCount: g.numCells, first: true };
    return { ...maskFromSums(this.dots, this.prevNorms, this.nextNorms, g.threshold), first: false };
  }

  /** Store the frame of the last {@link compareInto} as the previous frame. */
  commit(): void {
    if (this.kernel) this.prevSlot = (1 - this.prevSlot) as 0 | 1;
    else [this.prev, this.next] = [this.next, this.prev];
    [this.prevNorms, this.nextNorms] = [this.nextNorms, this.prevNorms];
    this.hasPrev = true;
  }

  /** Forget the previous frame (new episode). */
  reset(): void {
    this.hasPrev = false;
  }
}

/** Options of {@link DepthCache}. */
export interface DepthCacheOptions extends DetectorOptions {
  /** Token table for plans (default {@link MOLMOACT2_TOKENS}); its `numDepthTokens` bounds the codes. */
  tokens?: TokenTable;
}

/** What {@link DepthCache.update} stored. */
export interface DepthCacheUpdate extends DepthDetection {
  /** The fresh codes passed in (Int32 copy). */
  codes: Int32Array;
  /** The carried-forward buffer after `buffer[mask] = codes[mask]` (Int32 copy). */
  buffer: Int32Array;
}

/**
 * Per-episode adaptive-depth state (one per camera stream / batch index; call {@link reset} on a new episode).
 *
 * - `detect(image)` / `plan(image)`: compare a new image with the image of the previous `update` call
 *   (the model compares consecutive calls) and build the decode schedule: full on the first call.
 * - `update(image, codes)`: paper eq. 10 — the first frame takes all codes; later frames carry the buffer
 *   forward, `buffer[mask] = codes[mask]`. Stores the codes, the buffer, the mask and the image.
 *
 * At inference the decoded codes already equal the buffer on unchanged cells (they were replayed),
 * so `buffer` and `codes` coincide; in annotation (fresh codes every frame) they differ.
 * Do not mutate an image between `plan(image)` and `update(image, …)`: the resized frame is reused.
 */
export class DepthCache {
  readonly grid: DepthGrid;
  readonly tokens: TokenTable;
  private readonly detector: DepthChangeDetector;
  private pending: { image: ImageInput; det: DepthDetection } | null = null;
  private state: { image: Uint8Array; width: number; height: number; codes: Int32Array; buffer: Int32Array; mask: Uint8Array } | null = null;

  constructor(opts: DepthCacheOptions = {}) {
    this.grid = resolveGrid(opts, "DepthCache");
    this.tokens = opts.tokens ?? MOLMOACT2_TOKENS;
    this.detector = new DepthChangeDetector(opts);
  }

  /** True when an image and codes are cached (the next plan is selective). */
  get ready(): boolean {
    return this.state !== null;
  }

  /** Codes passed to the last update (Int32 copy), or null. */
  get codes(): Int32Array | null {
    return this.state ? this.state.codes.slice() : null;
  }

  /** Carried-forward depth buffer (Int32 copy), or null. This is what selective decoding replays. */
  get buffer(): Int32Array | null {
    return this.state ? this.state.buffer.slice() : null;
  }

  /** Mask of the last update (Uint8 copy), or null. */
  get mask(): Uint8Array | null {
    return this.state ? this.state.mask.slice() : null;
  }

  /** The cached previous image at original resolution (packed uint8 RGB copy), or null. */
  get image(): { data: Uint8Array; width: number; height: number; channels: 3 } | null {
    const s = this.state;
    return s ? { data: s.image.slice(), width: s.width, height: s.height, channels: 3 } : null;
  }

  /** Change mask of `image` against the cached image (all ones when the cache is empty). Does not store anything. */
  detect(image: ImageInput): DepthDetection {
    if (this.pending && this.pending.image === image) return this.pending.det;
    const det = this.detector.compareInto(image);
    this.pending = { image, det };
    return det;
  }

  /** Decode plan for `image`: full when the cache is empty, else from the mask and the cached buffer. */
  plan(image: ImageInput): DepthDecodePlan {
    const det = this.detect(image);
    return this.state
      ? planDepthDecode(det.mask, this.state.buffer, { tokens: this.tokens })
      : planDepthDecode(null, null, { tokens: this.tokens, numCells: this.grid.numCells });
  }

  /** Store `image` and its `codes` (integers in [0, numDepthTokens), length grid²); returns what was stored. */
  update(input: ImageInput, codes: ArrayLike<number> | NdArray): DepthCacheUpdate {
    const fresh = checkCodes("DepthCache.update", "codes", codes, this.grid.numCells, this.tokens.ids.numDepthTokens);
    const det = this.detect(input);
    const image = toImage("DepthCache.update", "image", input);
    const rgb = toRgb8(image, "DepthCache.update", true);
    const buffer = this.state ? this.state.buffer.slice() : fresh.slice();
    if (this.state) for (let k = 0; k < buffer.length; k++) if (det.mask[k]) buffer[k] = fresh[k];
    this.detector.commit();
    this.pending = null;
    this.state = { image: rgb, width: image.width, height: image.height, codes: fresh, buffer, mask: det.mask.slice() };
    return { ...det, mask: det.mask.slice(), codes: fresh.slice(), buffer: buffer.slice() };
  }

  /** Clear everything (new episode). */
  reset(): void {
    this.detector.reset();
    this.pending = null;
    this.state = null;
  }
}

