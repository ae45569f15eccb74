import { bilinearCoeffs } from "./resize.js";
import { KERNELS_WASM_BASE64 } from "./wasm/kernels-wasm.js";

/**
 * WebAssembly SIMD fast path of the change detector: Pillow-exact bilinear resize into one of two frame
 * slots and per-cell integer dot products / squared norms. Same integer arithmetic as the scalar code
 * (`resize.ts`, `cells.ts`); the tests check byte equality. `null` from {@link createFrameKernel} when
 * WebAssembly SIMD is unavailable — callers then use the scalar path.
 */
interface KernelExports {
  memory: WebAssembly.Memory;
  hpass(src: number, inStride: number, rows: number, dst: number, outW: number, startTab: number, wtab: number, pairs: number): void;
  hpass4(src: number, inStride: number, rows: number, dst: number, dstStride: number, outW: number, startTab: number, wtab: number): void;
  vpassd(src: number, srcStride: number, stride: number, dst: number, outH: number, rowTab: number, wtab: number, pairs: number, nvec: number): void;
  cells(prev: number, cur: number, side: number, cellSize: number, grid: number, out: number): void;
}

let compiled: WebAssembly.Module | null | undefined;

function decodeBase64(s: string): Uint8Array<ArrayBuffer> {
  if (typeof Buffer !== "undefined") return new Uint8Array(Buffer.from(s, "base64"));
  const bin = atob(s);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

function module(): WebAssembly.Module | null {
  if (compiled !== undefined) return compiled;
  try {
    compiled = typeof WebAssembly === "object" ? new WebAssembly.Module(decodeBase64(KERNELS_WASM_BASE64)) : null;
  } catch {
    compiled = null; // no SIMD support
  }
  return compiled;
}

const align = (n: number) => (n + 63) & ~63;
const SLACK = 64;

/** Encoded coefficient tables for one input size (w × h → side × side), cached per size. */
interface Tables {
  bytes: Uint8Array;
  hStart: number; // offsets inside `bytes`
  hW: number;
  pairs: number;
  vRow: number;
  vW: number;
  vPairs: number;
  first: number;
  rows: number;
  /** Row stride of the horizontal pass's output (padded by 16 bytes when both passes run). */
  midStride: number;
}

function buildTables(w: number, h: number, side: number): Tables {
  const ch = bilinearCoeffs(w, side);
  const cv = bilinearCoeffs(h, side);
  const pairs = (ch.taps + 1) >> 1;
  const both = w !== side && h !== side;
  const first = both || h !== side ? cv.start[0] : 0;
  const rows = cv.start[side - 1] + cv.taps - first;
  const midStride = both ? side * 3 + 16 : side * 3;
  const hStart = 0;
  const hW = align(hStart + side * 4);
  const vRow = align(hW + side * pairs * 32);
  const vPairs = (cv.taps + 1) >> 1;
  const vW = align(vRow + side * 4);
  const size = align(vW + side * vPairs * 32);
  const bytes = new Uint8Array(size);
  const i32 = new Int32Array(bytes.buffer);
  const i16 = new Int16Array(bytes.buffer);
  for (let x = 0; x < side; x++) {
    i32[(hStart >> 2) + x] = ch.start[x] * 3;
    for (let q = 0; q < pairs; q++) {
      const k0 = ch.padded[x * ch.taps + 2 * q];
      const k1 = 2 * q + 1 < ch.taps ? ch.padded[x * ch.taps + 2 * q + 1] : 0;
      const base = (hW + (x * pairs + q) * 32) >> 1; // int16 index of the hi vector; lo vector follows (+8)
      for (let c = 0; c < 3; c++) {
        i16[base + 2 * c] = k0 >> 11;
        i16[base + 2 * c + 1] = k1 >> 11;
        i16[base + 8 + 2 * c] = k0 & 2047;
        i16[base + 8 + 2 * c + 1] = k1 & 2047;
      }
    }
  }
  for (let y = 0; y < side; y++) {
    i32[(vRow >> 2) + y] = (cv.start[y] - first) * midStride;
    for (let q = 0; q < vPairs; q++) {
      const k0 = cv.padded[y * cv.taps + 2 * q];
      const k1 = 2 * q + 1 < cv.taps ? cv.padded[y * cv.taps + 2 * q + 1] : 0;
      const base = (vW + (y * vPairs + q) * 32) >> 1;
      for (let l = 0; l < 4; l++) {
        i16[base + 2 * l] = k0 >> 11;
        i16[base + 2 * l + 1] = k1 >> 11;
        i16[base + 8 + 2 * l] = k0 & 2047;
        i16[base + 8 + 2 * l + 1] = k1 & 2047;
      }
    }
  }
  return { bytes, hStart, hW, pairs, vRow, vW, vPairs, first, rows, midStride };
}

/** Two frame slots + cell sums in one WebAssembly memory. */
export class FrameKernel {
  private readonly ex: KernelExports;
  private readonly frameLen: number;
  private readonly slots: [number, number];
  private readonly sums: number;
  private readonly tab: number;
  private tabKey = "";
  private tables = new Map<string, Tables>();

  constructor(
    mod: WebAssembly.Module,
    readonly side: number,
    readonly grid: number,
    readonly cellSize: number,
  ) {
    this.ex = new WebAssembly.Instance(mod, {}).exports as unknown as KernelExports;
    this.frameLen = side * side * 3;
    const f0 = 0;
    const f1 = align(f0 + this.frameLen + SLACK);
    this.slots = [f0, f1];
    this.sums = align(f1 + this.frameLen + SLACK);
    this.tab = align(this.sums + grid * grid * 8);
  }

  private ensure(bytes: number): void {
    const mem = this.ex.memory;
    const need = bytes - mem.buffer.byteLength;
    if (need > 0) mem.grow(Math.ceil(need / 65536));
  }

  /** Resize packed RGB `rgb` (w × h) into frame slot `slot` (Pillow-exact bilinear, or a copy when w = h = side). */
  resizeInto(slot: 0 | 1, rgb: Uint8Array, w: number, h: number): void {
    const side = this.side;
    const dst = this.slots[slot];
    if (w === side && h === side) {
      this.ensure(this.tab);
      new Uint8Array(this.ex.memory.buffer, dst, this.frameLen).set(rgb);
      return;
    }
    const key = `${w}x${h}`;
    let t = this.tables.get(key);
    if (!t) {
      t = buildTables(w, h, side);
      if (this.tables.size > 8) this.tables.clear();
      this.tables.set(key, t);
    }
    const tab = this.tab;
    const needH = w !== side;
    const needV = h !== side;
    const srcRows = needV ? t.rows : h;
    const srcFirst = needV ? t.first : 0;
    const src = align(tab + t.bytes.length);
    const srcLen = srcRows * w * 3;
    // one row of slack after each input of the vertical pass: an odd last tap reads it with weight 0
    const scr = align(src + srcLen + w * 3 + SLACK);
    const scrLen = needH && needV ? t.midStride * (t.rows + 1) : 0;
    this.ensure(scr + scrLen + SLACK);
    const mem = new Uint8Array(this.ex.memory.buffer);
    if (this.tabKey !== key) {
      mem.set(t.bytes, tab);
      this.tabKey = key;
    }
    mem.set(rgb.subarray(srcFirst * w * 3, srcFirst * w * 3 + srcLen), src);
    const nvec = Math.ceil((side * 3) / 16);
    if (needH && needV) {
      this.horizontal(t, src, w * 3, t.rows, scr);
      this.ex.vpassd(scr, t.midStride, side * 3, dst, side, tab + t.vRow, tab + t.vW, t.vPairs, nvec);
    } else if (needH) {
      this.ex.hpass(src, w * 3, h, dst, side, tab + t.hStart, tab + t.hW, t.pairs);
    } else {
      this.ex.vpassd(src, side * 3, side * 3, dst, side, tab + t.vRow, tab + t.vW, t.vPairs, nvec);
    }
  }

  /** Horizontal pass into the padded intermediate rows (`t.midStride` apart). */
  private horizontal(t: Tables, src: number, inStride: number, rows: number, dst: number): void {
    const tab = this.tab, side = this.side, ds = t.midStride;
    let done = 0;
    if (t.pairs === 2) {
      done = rows & ~3;
      if (done > 0) this.ex.hpass4(src, inStride, done, dst, ds, side, tab + t.hStart, tab + t.hW);
    }
    for (let y = done; y < rows; y++) this.ex.hpass(src + y * inStride, inStride, 1, dst + y * ds, side, tab + t.hStart, tab + t.hW, t.pairs);
  }

  /** Per-cell ⟨prev, cur⟩ into `dots` and ‖cur‖² into `norms` (exact integers). */
  cellSums(prevSlot: 0 | 1, curSlot: 0 | 1, dots: Float64Array, norms: Float64Array): void {
    const n = this.grid * this.grid;
    this.ex.cells(this.slots[prevSlot], this.slots[curSlot], this.side, this.cellSize, this.grid, this.sums);
    const s = new Int32Array(this.ex.memory.buffer, this.sums, 2 * n);
    for (let k = 0; k < n; k++) {
      dots[k] = s[k];
      norms[k] = s[n + k];
    }
  }

  /** A copy of frame slot `slot`, or a view when `copy` is false (valid until the next call). */
  frame(slot: 0 | 1, copy = true): Uint8Array {
    const v = new Uint8Array(this.ex.memory.buffer, this.slots[slot], this.frameLen);
    return copy ? v.slice() : v;
  }
}

/**
 * A SIMD kernel for the grid, or null when WebAssembly SIMD is missing or the geometry is outside the
 * kernel's exact range (cell row bytes `cellSize·3` a multiple of 16, `cellSize ≤ 104` so per-cell sums fit int32).
 */
export function createFrameKernel(side: number, grid: number, cellSize: number): FrameKernel | null {
  if ((cellSize * 3) % 16 !== 0 || cellSize > 104) return null;
  const mod = module();
  if (!mod) return null;
  try {
    return new FrameKernel(mod, side, grid, cellSize);
  } catch {
    return null;
  }
}

/** True when the WebAssembly SIMD kernels compile on this runtime. */
export function simdAvailable(): boolean {
  return module() !== null;
}
