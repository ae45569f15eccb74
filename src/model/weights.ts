import * as tf from "@tensorflow/tfjs-core";
import { fail, Rng } from "../core/index.js";
// TEMPORARY direct import until src/io/index.ts re-exports safetensors (the lead switches it to the face).
import type { SafeTensor, SafeTensorInput, SafetensorsFile } from "../io/index.js";
import { actionExpertParamShapes, initActionExpertParams, type ActionExpertConfig, type ParamMap } from "../nn/index.js";
import type { MolmoAct2Config } from "./config.js";
import { connectorParamShapes } from "./connector.js";
import { llmParamShapes, LM } from "./llm.js";
import { visionParamShapes } from "./vision.js";

/** Prefix of the expert's parameters in the model's map (reference checkpoint names). */
export const EXPERT_PREFIX = "model.action_expert.";

/** The expert config the nn `ActionExpert` takes, from the model config. */
export function expertConfigOf(cfg: MolmoAct2Config): ActionExpertConfig {
  const e = cfg.expert;
  return {
    hiddenSize: e.hiddenSize,
    numLayers: cfg.llm.layers,
    numHeads: e.heads,
    llmNumKvHeads: cfg.llm.kvHeads,
    llmHeadDim: cfg.llm.headDim,
    maxActionDim: e.maxActionDim,
    timestepEmbedDim: e.timestepEmbedDim,
    mlpRatio: e.mlpRatio,
    ffnMultipleOf: e.ffnMultipleOf,
    ropeBase: e.ropeBase,
    contextLayerNorm: e.contextLayerNorm,
    depthGate: e.depthGate ? (e.depthGatePerLayer ? "per_layer" : "shared") : "none",
  };
}

/**
 * Every parameter of the model: name → shape as the model stores it (`[in, out]` for linear weights,
 * `[rows, width]` for embeddings). Names are the reference checkpoint's (Molmo2/MolmoAct2 HF naming,
 * INF where noted in docs/model.md), except that the text embedding is one `[vocab, d]` table.
 */
export function modelParamShapes(cfg: MolmoAct2Config): Record<string, number[]> {
  const featDim = cfg.vision.width * cfg.vision.featureLayers.length;
  return {
    ...visionParamShapes(cfg.vision),
    ...connectorParamShapes(cfg.connector, featDim, cfg.llm.hiddenSize),
    ...llmParamShapes(cfg.llm),
    ...actionExpertParamShapes(expertConfigOf(cfg), EXPERT_PREFIX),
  };
}

/**
 * Seeded random parameters for demos and tests (not the training init): linear weights xavier-uniform,
 * biases 0, norm weights 1, embeddings and position embeddings N(0, 0.02²); the expert uses the
 * nn module's reference init, except that its zero-initialised modulation/output layers get small
 * random values so that the untrained expert's output depends on its inputs.
 */
export function initRandomParams(cfg: MolmoAct2Config, seed = 0): ParamMap {
  const rng = new Rng(seed);
  const params: ParamMap = {};
  const expert = new Set(Object.keys(actionExpertParamShapes(expertConfigOf(cfg), EXPERT_PREFIX)));
  for (const [name, shape] of Object.entries(modelParamShapes(cfg))) {
    if (expert.has(name)) continue;
    const n = shape.reduce((a, b) => a * b, 1);
    const data = new Float32Array(n);
    if (/norm\.weight$|ln_f\.weight$/.test(name)) data.fill(1);
    else if (name.endsWith(".bias")) data.fill(0);
    else if (/embedding$/.test(name)) for (let i = 0; i < n; i++) data[i] = 0.02 * rng.normal();
    else {
      const a = Math.sqrt(6 / (shape[0] + shape[1]));
      for (let i = 0; i < n; i++) data[i] = (2 * rng.uniform() - 1) * a;
    }
    params[name] = tf.tensor(data, shape, "float32");
  }
  const ex = initActionExpertParams(expertConfigOf(cfg), rng, EXPERT_PREFIX);
  for (const [name, t] of Object.entries(ex)) {
    if (/modulation\.linear\.weight$|final_layer\.linear\.weight$/.test(name)) {
      const data = new Float32Array(t.size);
      for (let i = 0; i < data.length; i++) data[i] = 0.05 * (2 * rng.uniform() - 1);
      t.dispose();
      params[name] = tf.tensor(data, t.shape, "float32");
    } else params[name] = t;
  }
  return params;
}

/** True for parameters stored transposed relative to the checkpoint (PyTorch `Linear` weights `[out, in]`). */
export function isLinearWeight(name: string, shape: readonly number[]): boolean {
  return shape.length === 2 && name.endsWith(".weight") && !name.endsWith("wte.embedding");
}

/** Checkpoint name of a model parameter (identity except the depth gate, which the reference keeps under `model.`). */
export function checkpointName(name: string): string {
  return name.startsWith("action_expert_depth_gate") ? `model.${name}` : name;
}

/** Anything with safetensors-like `has` / `get`: one file, or a merged view of shards. */
export interface TensorSource {
  has(name: string): boolean;
  get(name: string): SafeTensor;
}

/** Merge several safetensors shards into one {@link TensorSource}. */
export function mergeSources(files: readonly SafetensorsFile[]): TensorSource {
  return {
    has: (n) => files.some((f) => f.has(n)),
    get: (n) => {
      const f = files.find((x) => x.has(n));
      return f ? f.get(n) : fail("mergeSources", "name", `must name a tensor in one of ${files.length} shards; got ${JSON.stringify(n)}`);
    },
  };
}

const FN = "loadMolmoAct2Weights";

function shapeStr(s: readonly number[]): string {
  return `[${s.join(", ")}]`;
}

function fetch(src: TensorSource, name: string, expected: readonly number[]): SafeTensor {
  if (!src.has(name)) fail(FN, name, `is missing from the checkpoint (expected shape ${shapeStr(expected)})`);
  const t = src.get(name);
  if (t.shape.length !== expected.length || t.shape.some((d, i) => d !== expected[i])) {
    fail(FN, name, `must have shape ${shapeStr(expected)}; got ${shapeStr(t.shape)}`);
  }
  if (!(t.data instanceof Float32Array || t.data instanceof Float64Array)) fail(FN, name, `must be a float tensor (F32/F16/BF16/F64); got ${t.dtype}`);
  return t;
}

function transpose2d(data: ArrayLike<number>, rows: number, cols: number): Float32Array {
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = data[r * cols + c];
  return out;
}

/**
 * Build the model's parameter map from a checkpoint with reference names. Linear weights are read as
 * PyTorch `[out, in]` and transposed to `[in, out]`; the text embedding may be split into
 * `wte.embedding` + `wte.new_embedding` (Molmo's extra rows), which are concatenated. A missing or
 * mis-shaped tensor throws a `VlaError` naming the tensor with the expected and the actual shape.
 * Extra tensors in the checkpoint are ignored.
 */
export function loadMolmoAct2Weights(src: TensorSource, cfg: MolmoAct2Config): ParamMap {
  const params: ParamMap = {};
  try {
    for (const [name, shape] of Object.entries(modelParamShapes(cfg))) {
      const ck = checkpointName(name);
      if (name === `${LM}.wte.embedding`) {
        params[name] = loadEmbedding(src, shape);
        continue;
      }
      if (isLinearWeight(name, shape)) {
        const t = fetch(src, ck, [shape[1], shape[0]]);
        params[name] = tf.tensor2d(transpose2d(t.data, shape[1], shape[0]), [shape[0], shape[1]], "float32");
      } else {
        const t = fetch(src, ck, shape);
        params[name] = tf.tensor(Float32Array.from(t.data), shape, "float32");
      }
    }
  } catch (e) {
    for (const t of Object.values(params)) t.dispose();
    throw e;
  }
  return params;
}

function loadEmbedding(src: TensorSource, shape: number[]): tf.Tensor {
  const base = `${LM}.wte.embedding`;
  const extra = `${LM}.wte.new_embedding`;
  const [V, d] = shape;
  if (!src.has(extra)) return tf.tensor(Float32Array.from(fetch(src, base, shape).data), shape, "float32");
  const e = src.get(extra);
  const rowsExtra = e.shape[0];
  const a = fetch(src, base, [V - rowsExtra, d]);
  const b = fetch(src, extra, [rowsExtra, d]);
  const out = new Float32Array(V * d);
  out.set(a.data);
  out.set(b.data, a.data.length);
  return tf.tensor(out, shape, "float32");
}

/**
 * The inverse of {@link loadMolmoAct2Weights}: tensors under their checkpoint names in PyTorch
 * orientation, ready for `writeSafetensors` (tests write a tiny checkpoint this way).
 */
export async function exportMolmoAct2Weights(params: ParamMap, cfg: MolmoAct2Config): Promise<Record<string, SafeTensorInput>> {
  const out: Record<string, SafeTensorInput> = {};
  for (const [name, shape] of Object.entries(modelParamShapes(cfg))) {
    const t = params[name];
    if (!t) fail("exportMolmoAct2Weights", "params", `must contain ${JSON.stringify(name)}; it is missing`);
    const data = (await t.data()) as Float32Array;
    if (isLinearWeight(name, shape)) out[checkpointName(name)] = { shape: [shape[1], shape[0]], data: transpose2d(data, shape[0], shape[1]) };
    else out[checkpointName(name)] = { shape, data };
  }
  return out;
}
