import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { KERNELS_WASM_BASE64 } from "../../src/depth/wasm/kernels-wasm.js";
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { cellDotsAndNorms, DepthChangeDetector, resizeBilinearRgb8, resolveGrid } from "../../src/depth/index.js";
import { createFrameKernel, simdAvailable } from "../../src/depth/simd.js";

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
