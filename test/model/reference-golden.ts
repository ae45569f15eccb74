import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { decodePng, readSafetensors, type SafetensorsFile } from "../../src/io/index.js";
import type { Observation, RgbImage } from "../../src/model/index.js";
import { FIXTURES } from "../fixtures.js";

/**
 * Reader of a reference golden folder in the layout of `shared/fixtures/molmoact2-tiny/` (its README names
 * every key): golden.json + tensors.safetensors next to a Hugging Face snapshot. Everything the parity tests
 * compare is read from the files, so a variant folder (other seed, grid, depth, gate, camera count) runs the
 * same checks. `VLA_MOLMOACT2_GOLDEN=/path/to/folder` points the tests at another folder.
 */
export const GOLDEN_DIR = process.env.VLA_MOLMOACT2_GOLDEN ?? join(FIXTURES, "molmoact2-tiny");

export interface GoldenImage {
  file: string;
}

/** One `predict_action` run of the golden (only the keys the tests read). */
export interface GoldenRun {
  call: Record<string, unknown>;
  error: string | null;
  prompt_text?: string;
  input_ids: number[];
  token_type_ids?: number[];
  image_token_pooling: number[][];
  image_grids: number[][];
  image_num_crops: number[];
  images?: GoldenImage[];
  encoder_mask?: number[];
  depth_gate?: { values: number[]; per_layer: boolean; depth_mask: number[] };
  noise?: number[][];
  actions_normalized_full?: number[][];
  actions_normalized?: number[][];
  actions?: number[][];
  generated_token_ids?: number[];
  depth_bins?: number[] | number[][];
  depth_code_margins?: number[];
  update_mask?: boolean[] | null;
  decoded_cells?: number;
  replayed_cells?: number;
  replay_chunks?: number;
  greedy_tokens?: number[];
  greedy_margins?: number[];
  fed_tokens?: number[];
  depth_bins_constrained?: number[];
  max_steps?: number;
}

export interface Golden {
  norm_tag: string;
  task_raw: string;
  task_normalized: string;
  state_raw: number[];
  state_normalized: number[];
  state_bins: number[];
  images?: GoldenImage[];
  continuous?: GoldenRun;
  discrete?: GoldenRun;
  think?: GoldenRun[];
  think_discrete?: GoldenRun;
  think_nonadaptive?: GoldenRun;
  discrete_synthetic_decode?: { target_chunk_normalized: number[][]; fast_token_ids: number[]; generated_token_ids: number[]; decoded_normalized: number[][]; actions: number[][] };
}

export function readGolden(): { golden: Golden; tensors: SafetensorsFile } {
  const golden = JSON.parse(readFileSync(join(GOLDEN_DIR, "golden.json"), "utf8")) as Golden;
  const tensors = readSafetensors(readFileSync(join(GOLDEN_DIR, "tensors.safetensors")));
  return { golden, tensors };
}

/** The tensors-file prefix of a run (`think[0]` → `think1`, as the generator names them). */
export function tensorPrefix(run: string): string {
  const m = /^think\[(\d+)\]$/.exec(run);
  return m ? `think${Number(m[1]) + 1}` : run;
}

const imageCache = new Map<string, RgbImage>();

/** A golden image file (`shared/fixtures/real/...`, relative to the folder that holds `shared/`). */
export async function goldenImage(file: string): Promise<RgbImage> {
  const path = resolve(FIXTURES, "..", "..", file);
  let img = imageCache.get(path);
  if (!img) {
    const png = await decodePng(readFileSync(path));
    img = { data: png.data, width: png.width, height: png.height, channels: png.channels };
    imageCache.set(path, img);
  }
  return img;
}

/** The images of a run: its own list, else the golden's, else think[0]'s (the README's frame 195). */
export async function runImages(g: Golden, run: GoldenRun): Promise<RgbImage[]> {
  const list = run.images ?? g.images ?? g.think?.[0]?.images;
  if (!list) throw new Error("golden.json names no image files for this run");
  return Promise.all(list.map((i) => goldenImage(i.file)));
}

export async function observation(g: Golden, run: GoldenRun): Promise<Observation> {
  return { images: await runImages(g, run), task: g.task_raw, state: g.state_raw, normTag: g.norm_tag };
}

/** Index of the first greedy step whose top-1/top-2 margin is below `eps` (float32 may pick the other token there). */
export function firstFragileStep(margins: readonly number[] | undefined, eps = 1e-3): number {
  if (!margins) return Infinity;
  const i = margins.findIndex((m) => m < eps);
  return i < 0 ? margins.length : i;
}

/** max |a − b| over flat arrays (Infinity on a length mismatch). */
export function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/** max |x| (the scale a tolerance is relative to). */
export function maxAbs(a: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]));
  return m;
}
