import * as tf from "@tensorflow/tfjs-core";
import { fail, Rng } from "../core/index.js";
import type { SafeTensorInput, SafetensorsFile } from "../io/index.js";
import type { ParamMap } from "../nn/index.js";
import { vitBlocksNeeded, type MolmoAct2Config } from "./config.js";
import { LM, modelParamShapes, VIT } from "./param-shapes.js";

/** One checkpoint tensor the model reads: its name and shape in the file (PyTorch orientation). */
export interface CheckpointTensor {
  name: string;
  shape: number[];
}

/**
 * What the model needs from a checkpoint: tensor names with their stored dtype/shape, and the values of
 * one tensor as numbers (float tensors decoded to float32). `io`'s streaming checkpoint reader and an
 * in-memory safetensors file both fit (see {@link memoryTensorReader}).
 */
export interface TensorReader {
  names(): string[];
  entry(name: string): { dtype: string; shape: readonly number[]; file?: string } | undefined;
  read(name: string): Promise<ArrayLike<number>>;
}

/** A {@link TensorReader} over safetensors files already in memory (e.g. from `readSafetensors`). */
export function memoryTensorReader(files: readonly SafetensorsFile[]): TensorReader {
  const owner = (n: string) => files.find((f) => f.has(n));
  return {
    names: () => files.flatMap((f) => f.names()),
    entry: (n) => owner(n)?.entry(n),
    read: async (n) => {
      const f = owner(n);
      return f ? f.get(n).data : fail("memoryTensorReader", "name", `must name a tensor in the checkpoint; got ${JSON.stringify(n)}`);
    },
  };
}

const EMBED = `${LM}.wte.embedding`;
const NEW_EMBED = `${LM}.wte.new_embedding`;
const FLOAT_DTYPES = new Set(["F32", "F16", "BF16", "F64"]);

/** True for parameters stored transposed relative to the checkpoint (PyTorch `Linear` weights are `[out, in]`). */
export function isLinearWeight(name: string, shape: readonly number[]): boolean {
  return shape.length === 2 && name.endsWith(".weight");
}

/**
 * Every tensor the model reads from a reference checkpoint, with its stored shape: linear weights
 * `[out, in]`, the text embedding split into `wte.embedding` (base vocabulary) and `wte.new_embedding`
 * (the additional rows), the ViT truncated to `max(feature layer) + 1` blocks, `lm_head.weight` separate.
 */
export function checkpointTensors(cfg: MolmoAct2Config): CheckpointTensor[] {
  const out: CheckpointTensor[] = [];
  for (const [name, shape] of Object.entries(modelParamShapes(cfg))) {
    if (name === EMBED) {
      out.push({ name: EMBED, shape: [cfg.text.vocabSize, cfg.text.hiddenSize] });
      if (cfg.text.additionalVocabSize > 0) out.push({ name: NEW_EMBED, shape: [cfg.text.additionalVocabSize, cfg.text.hiddenSize] });
    } else out.push({ name, shape: isLinearWeight(name, shape) ? [shape[1], shape[0]] : [...shape] });
  }
  return out;
}

/**
 * Checkpoint tensors the model does not read but the reference's own files may hold: the RoPE buffer
 * `model.transformer.rotary_emb.inv_freq` (derived from the config) and ViT blocks past the deepest
 * feature layer (the reference builds the tower only up to it).
 */
export function isIgnorableTensor(name: string, cfg: MolmoAct2Config): boolean {
  if (name === `${LM}.rotary_emb.inv_freq`) return true;
  const m = new RegExp(`^${VIT.replace(/\./g, "\\.")}\\.transformer\\.resblocks\\.(\\d+)\\.`).exec(name);
  return m !== null && Number(m[1]) >= vitBlocksNeeded(cfg) && Number(m[1]) < cfg.vit.numHiddenLayers;
}

function shapeStr(s: readonly number[]): string {
  return `[${s.join(", ")}]`;
}

/** Missing / unexpected / mis-shaped / non-float tensors of a checkpoint against the config. */
export interface CheckpointProblems {
  missing: string[];
  unexpected: string[];
  mismatched: string[];
}

/** Compare a checkpoint's tensor list with what the config needs (does not read tensor data). */
export function checkCheckpoint(reader: TensorReader, cfg: MolmoAct2Config): CheckpointProblems {
  const want = new Map(checkpointTensors(cfg).map((t) => [t.name, t.shape]));
  const where = (n: string) => {
    const f = reader.entry(n)?.file;
    return f ? ` in ${f}` : "";
  };
  const p: CheckpointProblems = { missing: [], unexpected: [], mismatched: [] };
  for (const [n, shape] of want) {
    const e = reader.entry(n);
    if (!e) p.missing.push(`${n} ${shapeStr(shape)}`);
    else if (e.shape.length !== shape.length || e.shape.some((d, i) => d !== shape[i])) p.mismatched.push(`${n}${where(n)}: expected ${shapeStr(shape)}, got ${shapeStr(e.shape)}`);
    else if (!FLOAT_DTYPES.has(e.dtype)) p.mismatched.push(`${n}${where(n)}: expected a float tensor (F32/F16/BF16/F64), got ${e.dtype}`);
  }
  for (const n of reader.names()) if (!want.has(n) && !isIgnorableTensor(n, cfg)) p.unexpected.push(`${n}${where(n)}`);
  return p;
}

function listed(label: string, items: string[]): string {
  if (items.length === 0) return "";
  const head = items.slice(0, 8).join("; ");
  return ` ${label} (${items.length}): ${head}${items.length > 8 ? `; … and ${items.length - 8} more` : ""}.`;
}

/** Throw one error naming every missing, unexpected and mis-shaped tensor (see {@link checkCheckpoint}). */
export function assertCheckpoint(fn: string, reader: TensorReader, cfg: MolmoAct2Config, source: string): void {
  const p = checkCheckpoint(reader, cfg);
  if (p.missing.length + p.unexpected.length + p.mismatched.length === 0) return;
  fail(fn, source, `does not match config.json:${listed("missing", p.missing)}${listed("unexpected", p.unexpected)}${listed("mismatched", p.mismatched)}`);
}

/** Transpose a row-major `[rows, cols]` matrix into a new Float32Array (blocked for cache locality). */
export function transpose2d(data: ArrayLike<number>, rows: number, cols: number): Float32Array {
  const out = new Float32Array(rows * cols);
  const B = 64;
  for (let r0 = 0; r0 < rows; r0 += B) {
    const r1 = Math.min(rows, r0 + B);
    for (let c0 = 0; c0 < cols; c0 += B) {
      const c1 = Math.min(cols, c0 + B);
      for (let r = r0; r < r1; r++) for (let c = c0; c < c1; c++) out[c * rows + r] = data[r * cols + c];
    }
  }
  return out;
}

/** Progress of {@link loadParams}: tensors and float32 bytes placed on the backend so far. */
export interface LoadProgress {
  tensor: string;
  loadedTensors: number;
  totalTensors: number;
}

/**
 * Read every parameter the config needs from `reader` into float32 tensors on the current tfjs backend
 * (linear weights transposed to `[in, out]`, the embedding's base and new rows concatenated). Call
 * {@link assertCheckpoint} first for one error naming every problem. On any failure every tensor created
 * so far is disposed before the error propagates.
 */
export async function loadParams(reader: TensorReader, cfg: MolmoAct2Config, onProgress?: (p: LoadProgress) => void): Promise<ParamMap> {
  const params: ParamMap = {};
  const shapes = Object.entries(modelParamShapes(cfg));
  let done = 0;
  try {
    for (const [name, shape] of shapes) {
      let data: Float32Array;
      if (name === EMBED && cfg.text.additionalVocabSize > 0) {
        const base = await reader.read(EMBED);
        const extra = await reader.read(NEW_EMBED);
        data = new Float32Array(base.length + extra.length);
        data.set(base);
        data.set(extra, base.length);
      } else {
        const raw = await reader.read(name);
        data = isLinearWeight(name, shape) ? transpose2d(raw, shape[1], shape[0]) : raw instanceof Float32Array ? raw : Float32Array.from(raw);
      }
      params[name] = tf.tensor(data, shape, "float32");
      onProgress?.({ tensor: name, loadedTensors: ++done, totalTensors: shapes.length });
    }
  } catch (e) {
    for (const t of Object.values(params)) t.dispose();
    throw e;
  }
  return params;
}

/**
 * Seeded random parameters in the fixture's recipe (`shared/fixtures/molmoact2-tiny/README.md`, "weights"):
 * 1-D norm weights `1 + 0.1·N`, depth-gate biases `−1 + 0.1·N`, other matrices `N/√fan_in`, other vectors
 * `0.05·N`, and the expert's output layer ×0.3 so untrained actions stay mostly inside [−1, 1]. For demos and
 * tests: random weights say nothing about behaviour (they never emit `<depth_end>` or EOS on their own).
 */
export function initRandomParams(cfg: MolmoAct2Config, seed = 0): ParamMap {
  const rng = new Rng(seed);
  const params: ParamMap = {};
  for (const [name, shape] of Object.entries(modelParamShapes(cfg))) {
    const n = shape.reduce((a, b) => a * b, 1);
    const data = new Float32Array(n);
    const isNorm = shape.length === 1 && /norm\.weight$|ln_f\.weight$/.test(name);
    if (isNorm) for (let i = 0; i < n; i++) data[i] = 1 + 0.1 * rng.normal();
    else if (name.includes("depth_gate") && name.endsWith(".bias")) for (let i = 0; i < n; i++) data[i] = -1 + 0.1 * rng.normal();
    else if (shape.length === 2) {
      const fanIn = isLinearWeight(name, shape) ? shape[0] : shape[1];
      const s = 1 / Math.sqrt(fanIn);
      for (let i = 0; i < n; i++) data[i] = s * rng.normal();
    } else for (let i = 0; i < n; i++) data[i] = 0.05 * rng.normal();
    if (name.includes("action_expert.final_layer.linear")) for (let i = 0; i < n; i++) data[i] *= 0.3;
    params[name] = tf.tensor(data, shape, "float32");
  }
  return params;
}

/**
 * The inverse of {@link loadParams}: tensors under their checkpoint names and shapes (PyTorch orientation,
 * embedding split), ready for `writeSafetensors` (tests and tools write reference-layout checkpoints this way).
 */
export async function exportParams(params: ParamMap, cfg: MolmoAct2Config, dtype: SafeTensorInput["dtype"] = "F32"): Promise<Record<string, SafeTensorInput>> {
  const out: Record<string, SafeTensorInput> = {};
  for (const [name, shape] of Object.entries(modelParamShapes(cfg))) {
    const t = params[name];
    if (!t) fail("exportParams", "params", `must contain ${JSON.stringify(name)}; it is missing`);
    const data = (await t.data()) as Float32Array;
    if (name === EMBED && cfg.text.additionalVocabSize > 0) {
      const split = cfg.text.vocabSize * cfg.text.hiddenSize;
      out[EMBED] = { shape: [cfg.text.vocabSize, cfg.text.hiddenSize], data: data.subarray(0, split), dtype };
      out[NEW_EMBED] = { shape: [cfg.text.additionalVocabSize, cfg.text.hiddenSize], data: data.subarray(split), dtype };
    } else if (isLinearWeight(name, shape)) out[name] = { shape: [shape[1], shape[0]], data: transpose2d(data, shape[0], shape[1]), dtype };
    else out[name] = { shape, data, dtype };
  }
  return out;
}
