import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { KERNELS_WASM_BASE64 } from "../../src/depth/wasm/kernels-wasm.js";
import { afterEach, describe, expect, it, vi } from "vitest";
import fc from "fast-check";
import { changedCells, compareFrames, depthFrame, DepthChangeDetector, resizeBilinearRgb8 } from "../../src/depth/index.js";
import { cellDotsAndNorms, cellMask, resolveGrid } from "../../src/depth/cells.js";
import { createFrameKernel, FrameKernel, simdAvailable } from "../../src/depth/simd.js";

function noise(n: number, seed: number): Uint8Array {
  const b = new Uint8Array(n);
  let s = seed >>> 0 || 3;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    b[i] = s >>> 24;
  }
  return b;
}

// The SIMD kernels must be bit-identical to the scalar Pillow-exact path (which the Pillow hashes pin).
describe.skipIf(!simdAvailable())("WebAssembly SIMD kernels = scalar path, exactly", () => {
  it("resize: random sizes (down, up, one axis, same) give identical bytes", () => {
    const k = createFrameKernel(320, 10, 32)!;
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 900 }), fc.integer({ min: 1, max: 700 }), fc.integer({ min: 1, max: 1e9 }), fc.boolean(), fc.boolean(), (w, h, seed, keepW, keepH) => {
        const W = keepW ? 320 : w, H = keepH ? 320 : h;
        const src = noise(W * H * 3, seed);
        k.resizeInto(1, src, W, H);
        const want = resizeBilinearRgb8(src, W, H, 320, 320);
        const got = k.frame(1, false);
        for (let i = 0; i < want.length; i++) if (got[i] !== want[i]) return false;
        return true;
      }),
      { numRuns: 40 },
    );
  });

  it("other grids (e.g. 8 × 8 cells of 16 px) also match", () => {
    const k = createFrameKernel(128, 8, 16)!;
    const src = noise(200 * 90 * 3, 9);
    k.resizeInto(0, src, 200, 90);
    expect(Array.from(k.frame(0))).toEqual(Array.from(resizeBilinearRgb8(src, 200, 90, 128, 128)));
    expect(createFrameKernel(70, 10, 7)).toBeNull(); // 7·3 bytes per cell row: not a multiple of 16 → scalar path
  });

  it("cell sums equal the scalar integer sums", () => {
    const g = resolveGrid();
    const k = createFrameKernel(320, 10, 32)!;
    const a = noise(320 * 320 * 3, 1), b = noise(320 * 320 * 3, 2);
    k.resizeInto(0, a, 320, 320);
    k.resizeInto(1, b, 320, 320);
    const d1 = new Float64Array(100), n1 = new Float64Array(100), d2 = new Float64Array(100), n2 = new Float64Array(100);
    k.cellSums(0, 1, d1, n1);
    cellDotsAndNorms(a, b, g, d2, n2);
    expect(Array.from(d1)).toEqual(Array.from(d2));
    expect(Array.from(n1)).toEqual(Array.from(n2));
    // worst case for int32 overflow: all 255
    const w = new Uint8Array(320 * 320 * 3).fill(255);
    k.resizeInto(0, w, 320, 320);
    k.cellSums(0, 0, d1, n1);
    expect(d1[0]).toBe(32 * 32 * 3 * 255 * 255);
  });

  it("detector with and without SIMD gives identical masks and cosines", () => {
    const fast = new DepthChangeDetector();
    const slow = new DepthChangeDetector({ simd: false });
    expect(fast.simd).toBe(true);
    expect(slow.simd).toBe(false);
    const base = noise(640 * 480 * 3, 5);
    for (let t = 0; t < 4; t++) {
      const img = base.slice();
      img.set(noise(30000, 100 + t), 100000 * t); // a changing block
      const f = fast.push({ data: img, width: 640, height: 480, channels: 3 });
      const s = slow.push({ data: img, width: 640, height: 480, channels: 3 });
      expect(Array.from(f.mask)).toEqual(Array.from(s.mask));
      expect(f.cosine === null ? null : Array.from(f.cosine)).toEqual(s.cosine === null ? null : Array.from(s.cosine));
    }
    expect(Array.from(fast.previousFrame!)).toEqual(Array.from(slow.previousFrame!));
  });
});

// The one-shot API (what docs/depth.md shows first) runs on the same kernels as the detector, bit for bit.
describe.skipIf(!simdAvailable())("changedCells / cellMask / compareFrames on the SIMD kernels", () => {
  afterEach(() => vi.restoreAllMocks());

  it("changedCells and compareFrames use the WebAssembly kernel unless simd: false", () => {
    const resize = vi.spyOn(FrameKernel.prototype, "resizeInto");
    const sums = vi.spyOn(FrameKernel.prototype, "cellSums");
    const a = { data: noise(640 * 480 * 3, 1), width: 640, height: 480, channels: 3 as const };
    const b = { data: noise(640 * 480 * 3, 2), width: 640, height: 480, channels: 3 as const };
    changedCells(a, b);
    expect(resize).toHaveBeenCalledTimes(2);
    expect(sums).toHaveBeenCalled();
    compareFrames(depthFrame(a), depthFrame(b));
    expect(resize).toHaveBeenCalledTimes(4);
    resize.mockClear();
    changedCells(a, b, { simd: false });
    compareFrames(depthFrame(a), depthFrame(b), { simd: false });
    expect(resize).not.toHaveBeenCalled();
  });

  it("gives bit-identical masks and cosines to the scalar path (random sizes, channels, prev ≠ curr size)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 700 }),
        fc.integer({ min: 1, max: 500 }),
        fc.integer({ min: 1, max: 700 }),
        fc.integer({ min: 1, max: 500 }),
        fc.constantFrom(1 as const, 3 as const, 4 as const),
        fc.integer({ min: 1, max: 1e9 }),
        fc.boolean(),
        (w1, h1, w2, h2, channels, seed, similar) => {
          const prev = { data: noise(w1 * h1 * channels, seed), width: w1, height: h1, channels };
          // "similar": the same image with a changed block, so masks hold both values; else an unrelated image
          const currData = similar && w1 === w2 && h1 === h2 ? prev.data.slice() : noise(w2 * h2 * channels, seed + 1);
          if (similar && w1 === w2 && h1 === h2) currData.set(noise(Math.min(3000, currData.length), seed + 2));
          const curr = { data: currData, width: w2, height: h2, channels };
          const fast = changedCells(prev, curr);
          const slow = changedCells(prev, curr, { simd: false });
          expect(Array.from(fast.mask)).toEqual(Array.from(slow.mask));
          expect(Array.from(fast.cosine)).toEqual(Array.from(slow.cosine));
          expect(fast.changedCount).toBe(slow.changedCount);
          expect(Array.from(cellMask(prev, curr))).toEqual(Array.from(slow.mask));
        },
      ),
      { numRuns: 30 },
    );
  });

  it("same frames as the streaming detector, other grids, black cells, and errors name changedCells", () => {
    const base = noise(640 * 480 * 3, 5);
    const next = base.slice();
    next.set(noise(40000, 6), 200000);
    const a = { data: base, width: 640, height: 480, channels: 3 as const };
    const b = { data: next, width: 640, height: 480, channels: 3 as const };
    const det = new DepthChangeDetector();
    det.push(a);
    const d = det.push(b);
    const one = changedCells(a, b);
    expect(Array.from(one.cosine)).toEqual(Array.from(d.cosine!));
    expect(one.changedCount).toBeGreaterThan(0);
    expect(one.changedCount).toBeLessThan(100);
    // 8 × 8 cells of 16 px (kernel geometry) and 10 × 10 of 7 px (no kernel: scalar fallback) agree with scalar
    for (const opts of [{ grid: 8, cellSize: 16 }, { grid: 10, cellSize: 7 }]) {
      expect(Array.from(changedCells(a, b, opts).cosine)).toEqual(Array.from(changedCells(a, b, { ...opts, simd: false }).cosine));
    }
    const black = { data: new Uint8Array(320 * 320 * 3), width: 320, height: 320, channels: 3 as const };
    expect(changedCells(black, black).changedCount).toBe(0);
    expect(() => changedCells(a, { data: new Uint8Array(5), width: 2, height: 2, channels: 3 })).toThrow(/changedCells: image.data must have/);
  });
});

// The embedded binary must be the compiled kernels.wat (checked where wabt's wat2wasm is installed).
const hasWat2wasm = (() => {
  try {
    execFileSync("wat2wasm", ["--version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
})();
describe.skipIf(!hasWat2wasm)("kernels-wasm.ts is up to date with kernels.wat", () => {
  it("wat2wasm(kernels.wat) equals the embedded bytes", () => {
    const out = join(mkdtempSync(join(tmpdir(), "wat-")), "k.wasm");
    execFileSync("wat2wasm", [fileURLToPath(new URL("../../src/depth/wasm/kernels.wat", import.meta.url)), "-o", out]);
    expect(readFileSync(out).toString("base64")).toBe(KERNELS_WASM_BASE64);
  });
});
