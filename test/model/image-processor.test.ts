import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { readPng, readSafetensors } from "../../src/io/index.js";
import { canonicalizePixels, imageTokenIds, parseImageProcessorConfig, preprocessImage, type PreprocessedImage } from "../../src/model/image-processor.js";
import { IMAGE_TOKEN_NAMES, TokenTable } from "../../src/vocab/index.js";
import { FIXTURES, fixturePath, hasFixtures, readFixtureJson } from "../fixtures.js";

// Parity with the reference processor (huggingface/lerobot molmoact2_hf_model, run by the generator of
// ../shared/fixtures/molmoact2-tiny): pixel_values, image_token_pooling, image_grids, image_num_crops and
// the image-token segments of input_ids, for every run of golden.json.
//
// Tolerance: exact, bit for bit. Every step is integer or a float32 operation reproduced with float32
// rounding (torchvision's bilinear with its fused multiply-adds, round half to even, v/255, x·2−1), so
// there is nothing to tolerate; a one-ulp drift would mean a different operation order.
//
// Point VLA_FIXTURES at another `fixtures/` folder laid out the same way (a `molmoact2-tiny/` with
// golden.json, processor_config.json, tensors.safetensors; image `file` entries relative to the folder
// that holds `shared/`) to run this on other goldens (odd grids, several images, multi-crop).

const TINY = "molmoact2-tiny";
const here = hasFixtures && existsSync(fixturePath(TINY, "golden.json"));
/**
 * Runs without an `images` entry used the frame-195 observation (the fixture README): the images of
 * think[0], which records them (with more cameras in multi-image goldens); this file as a last resort.
 */
const DEFAULT_FRAME = "shared/fixtures/real/g1-inspire-bottle/frames/ep1_cam_high_000195.png";

interface GoldenImage {
  file: string;
  rgb_sha256?: string;
}
interface GoldenRun {
  error: string | null;
  images?: GoldenImage[];
  input_ids: number[];
  image_token_pooling: number[][];
  image_grids: number[][];
  image_num_crops: number[];
  image_token_positions: Record<string, number[]>;
}
interface Golden {
  token_ids?: Record<string, unknown>;
  tensors_file: Record<string, number[]>;
  [run: string]: unknown;
}

/** golden.json run name → tensor-name prefix in tensors.safetensors. */
function runs(g: Golden): [string, GoldenRun][] {
  const out: [string, GoldenRun][] = [];
  for (const [k, v] of Object.entries(g)) {
    if (Array.isArray(v) && k === "think") v.forEach((r, i) => out.push([`think${i + 1}`, r as GoldenRun]));
    else if (v && typeof v === "object" && "image_token_pooling" in (v as object)) out.push([k, v as GoldenRun]);
  }
  return out.filter(([name]) => `${name}.pixel_values` in g.tensors_file);
}

const imageCache = new Map<string, Awaited<ReturnType<typeof readPng>>>();
async function frame(img: GoldenImage) {
  const path = resolve(FIXTURES, "..", "..", img.file);
  let rgb = imageCache.get(path);
  if (!rgb) {
    rgb = await readPng(path);
    imageCache.set(path, rgb);
  }
  if (img.rgb_sha256) expect(createHash("sha256").update(rgb.data).digest("hex"), `decoded RGB of ${img.file}`).toBe(img.rgb_sha256);
  return rgb;
}

/** Runs of consecutive positions: one per image (text separates images; a multi-crop image is one run). */
function segments(positions: Record<string, number[]>): [number, number][] {
  const all = [...new Set(Object.values(positions).flat())].sort((a, b) => a - b);
  const out: [number, number][] = [];
  for (const p of all) {
    const last = out[out.length - 1];
    if (last && p === last[1] + 1) last[1] = p;
    else out.push([p, p]);
  }
  return out;
}

describe.skipIf(!here)("preprocessImage parity with the reference processor (exact)", () => {
  if (!here) console.log(`skipped: fixtures folder ${fixturePath(TINY)} is missing`);
  const g = here ? readFixtureJson<Golden>(TINY, "golden.json") : ({ tensors_file: {} } as Golden);
  const cfg = here ? parseImageProcessorConfig(readFileSync(fixturePath(TINY, "processor_config.json"), "utf8")) : null;
  const tensors = here ? readSafetensors(new Uint8Array(readFileSync(fixturePath(TINY, "tensors.safetensors")))) : null;
  // golden.json token_ids: special-token string → id; the image tokens come from there.
  const named = g.token_ids ?? {};
  const imageTokens = Object.fromEntries(IMAGE_TOKEN_NAMES.filter((n) => typeof named[n] === "number").map((n) => [n, named[n] as number]));
  const table = new TokenTable({ imageTokenStart: (named["<im_start>"] as number | undefined) ?? 2703, imageTokens });

  for (const [name, run] of runs(g)) {
    it(`${name}: pixel_values, pooling, grids, crops and image tokens`, async () => {
      const think0 = (g.think as GoldenRun[] | undefined)?.[0]?.images;
      const imgs = run.images ?? think0 ?? [{ file: DEFAULT_FRAME }];
      const pre: PreprocessedImage[] = [];
      for (const im of imgs) pre.push(preprocessImage(await frame(im), cfg!));

      expect(pre.map((p) => p.numCrops)).toEqual(run.image_num_crops);
      expect(pre.map((p) => [...p.grid])).toEqual(run.image_grids);
      // image_token_pooling: the processor concatenates each image's rows, indices local to the image.
      expect(pre.flatMap((p) => Array.from({ length: p.poolTokens }, (_, t) => Array.from(p.pooling.subarray(t * p.poolWindow, (t + 1) * p.poolWindow))))).toEqual(run.image_token_pooling);

      const ref = tensors!.get(`${name}.pixel_values`);
      const total = pre.reduce((s, p) => s + p.crops.length, 0);
      expect(ref.data.length).toBe(total);
      expect(ref.shape.slice(-2)).toEqual([pre[0].patchesPerCrop, pre[0].patchDim]);
      const got = new Float32Array(total);
      pre.reduce((o, p) => (got.set(p.crops, o), o + p.crops.length), 0);
      const a = new Uint32Array(got.buffer);
      const b = new Uint32Array(new Float32Array(ref.data).buffer);
      let diff = 0;
      for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) diff++;
      expect(diff, "float32 values whose bits differ").toBe(0);
      // What reaches the ViT: the backbone's canonicalisation is the identity on mean = std = 0.5 output.
      if (cfg!.halfNormalize) expect(Array.from(canonicalizePixels(got))).toEqual(Array.from(got));

      // The image-token segment of input_ids, per image.
      const segs = segments(run.image_token_positions);
      expect(segs.length).toBe(pre.length);
      pre.forEach((p, k) => {
        const [s, e] = segs[k];
        const tokens = imageTokenIds(p.grid, cfg!, table);
        expect(run.input_ids.slice(s, e + 1)).toEqual(tokens);
        expect(tokens.filter((t) => t === table.imageToken("<im_patch>")).length).toBe(p.poolTokens);
      });
    });
  }
});
