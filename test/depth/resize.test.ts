import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { resizeBilinearRgb8 } from "../../src/depth/index.js";
import { bilinearCoeffs, PRECISION_BITS } from "../../src/depth/resize.js";
import { readPng } from "../../src/io/png.js";
import { fixturePath, missingFixtures } from "../fixtures.js";

const sha = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");

/** Deterministic test pattern; the same formula generated the Pillow reference hashes below. */
function synth(w: number, h: number): Uint8Array {
  const b = new Uint8Array(w * h * 3);
  let i = 0;
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++)
      for (let c = 0; c < 3; c++) b[i++] = (x * x * 3 + y * 17 + c * 59 + (x ^ y) * 31 + ((x * y * (c + 1)) % 97)) % 256;
  return b;
}

// sha256 of Pillow 9.4 `Image.frombytes("RGB", (w, h), synth(w, h)).resize((W, H), Image.BILINEAR).tobytes()`
// (Pillow's 8-bit resampler is unchanged from 7 to 12; Pillow 9.4 also reproduces the golden file's PIL 12 hashes).
// Covers downscale, upscale, one-axis-only, extreme aspect ratios, 1×1 and non-square targets.
const PIL_SYNTHETIC: [number, number, number, number, string][] = [
  [640, 480, 320, 320, "7979eaf4077b83f0321d3afc8b7ed3b3a46fe61d2f82428e318031eca9fa9a34"],
  [224, 224, 320, 320, "61eb7f659405ab2809be897e33d7880195cadacad37b0debb62d628b8dc8c731"],
  [321, 200, 320, 320, "063554db2445dd8be8288a1ce3a22f2ca2425c48513b0e742be86f412b89c234"],
  [1280, 720, 320, 320, "e121b596f8fcbae6031137602dafefaa16737b6f459b2de90f9847082727eb96"],
  [7, 5, 320, 320, "a02d9de5cf864b31ecd64a674d0db5d892cd832fa7991d0cc547e51fb6e6ec58"],
  [320, 480, 320, 320, "7a3a50fdbc5ed9d6181967810b23d99b64a2ff98540d74e1759c8fb62612a67e"],
  [480, 320, 320, 320, "d2443721434fab38969ca325c373815bcf95176a8e4fb1c7c6849cdaf84f092b"],
  [1, 1, 320, 320, "b96b69ca336cf2f3db5c42cea055291674d355775409866aa3c1b3be275e55cc"],
  [333, 333, 320, 320, "7113062323dbf1d3978643cd6768782e14a588e974b9e4e8b510facb347d3856"],
  [1000, 37, 320, 320, "9b1b587bacad5c40b301639d4b8e1c735440f3916111003720f9e5e2eccec0b2"],
  [100, 60, 37, 91, "b3d983307f96f6ebfb8dd4a44e33c3c3d2ad7f044ba8fda4a216e470efaf8e59"],
  [64, 64, 13, 13, "f100019c5962fb89a22a9895d6c036d5fabd916d8850500cf143a39ce851f0b6"],
  [50, 40, 51, 39, "1154e91490b1c57b9ac90a51eebfc58dd188ffbcb4dcc5d5d7537be645f8c688"],
];

// sha256 of Pillow 9.4 `Image.open(f).convert("RGB").resize((320, 320), Image.BILINEAR).tobytes()` on fixture frames
// (hashes only; the frames themselves are not copied into the repository).
const PIL_REAL: [string, string][] = [
  ["so101-bimanual-cloth/frames/ep1_cam0_000100.png", "a0d961956c9a62f1edb96c0b53c52921b9074676074d9b9dbf667127dc8b5593"],
  ["lingzu-open50/frames/ep0_image_000000.png", "99ed695afaaac8fa2cfd6fc85d854ef8856996d130f297f167760db28fd54ee8"],
  ["lingzu-open50/frames/ep0_image_000181.png", "999b7d08e6764bb05895339b5c252aead4b28fd2d5ce4db4d41f5cf5136d87e3"],
];

describe("resizeBilinearRgb8 (Pillow BILINEAR, byte-identical)", () => {
  it.each(PIL_SYNTHETIC)("%ix%i -> %ix%i matches Pillow byte for byte", (w, h, W, H, want) => {
    expect(sha(resizeBilinearRgb8(synth(w, h), w, h, W, H))).toBe(want);
  });

  it.skipIf(missingFixtures("Pillow resize of real frames", "real")).each(PIL_REAL)("%s -> 320x320 matches Pillow byte for byte", async (file, want) => {
    const img = await readPng(fixturePath("real", file));
    expect(sha(resizeBilinearRgb8(img.data, img.width, img.height, 320, 320))).toBe(want);
  });

  it("same size is an exact copy into a new buffer", () => {
    const src = synth(9, 4);
    const out = resizeBilinearRgb8(src, 9, 4, 9, 4);
    expect(out).not.toBe(src);
    expect(Array.from(out)).toEqual(Array.from(src));
  });

  it("constant images stay constant (weights sum to one in fixed point)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 60 }), fc.integer({ min: 1, max: 60 }), fc.integer({ min: 1, max: 60 }), fc.integer({ min: 1, max: 60 }), fc.integer({ min: 0, max: 255 }), (w, h, W, H, v) => {
        const out = resizeBilinearRgb8(new Uint8Array(w * h * 3).fill(v), w, h, W, H);
        return out.every((x) => x === v);
      }),
      { numRuns: 150 },
    );
  });

  it("coefficients: bounds inside the input, fixed-point weights sum to 2^22 within rounding", () => {
    for (const [i, o] of [[640, 320], [480, 320], [224, 320], [7, 320], [1000, 3]]) {
      const c = bilinearCoeffs(i, o);
      for (let x = 0; x < o; x++) {
        const a = c.bounds[2 * x], n = c.bounds[2 * x + 1];
        expect(a).toBeGreaterThanOrEqual(0);
        expect(a + n).toBeLessThanOrEqual(i);
        let s = 0;
        for (let j = 0; j < n; j++) s += c.weights[x * c.ksize + j];
        expect(Math.abs(s - 2 ** PRECISION_BITS)).toBeLessThanOrEqual(c.ksize);
      }
    }
  });

  it("rejects bad sizes and buffers", () => {
    expect(() => resizeBilinearRgb8(new Uint8Array(12), 2, 2, 0, 3)).toThrow(/resizeBilinearRgb8: outWidth must be a positive integer; got 0/);
    expect(() => resizeBilinearRgb8(new Uint8Array(11), 2, 2, 3, 3)).toThrow(/src must be a Uint8Array of width\*height\*3 = 12 bytes/);
    expect(() => resizeBilinearRgb8(new Uint8Array(12), 2, 2, 3, 3, new Uint8Array(5))).toThrow(/out must have/);
  });
});
