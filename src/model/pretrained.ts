import * as tf from "@tensorflow/tfjs-core";
import { fail } from "../core/index.js";
import { fileMap, nodeFolder, openCheckpoint, urlFolder, type CheckpointReader, type FileProvider } from "../io/index.js";
import { useBackend, type BackendName, type ParamMap } from "../nn/index.js";
import { HfTextTokenizer } from "../tokenizer/index.js";
import { configFromJson } from "./config-json.js";
import type { MolmoAct2Config } from "./config.js";
import { tagsFromNormStats, type TagConfig } from "./embodiment.js";
import { parseImageProcessorConfig, type ImageProcessorConfig } from "./image-processor.js";
import { memoryPlan } from "./memory.js";
import { MolmoAct2, MolmoAct2Think } from "./molmoact2.js";
import type { ActionTokenizer } from "./types.js";
import { assertCheckpoint, checkpointTensors, loadParams, type TensorReader } from "./weights.js";

/** Where a Hugging Face snapshot lives: a Node folder path or `https://…/` base URL, a map of files (browser), or a provider. */
export type PretrainedSource = string | URL | FileProvider | Record<string, File | Blob | Uint8Array | string | URL>;

/** Progress of {@link MolmoAct2.fromPretrained}. */
export interface PretrainedProgress {
  phase: "files" | "weights" | "done";
  /** Bytes of tensor data read so far / in all (stored dtype). */
  loadedBytes: number;
  totalBytes: number;
  /** The tensor just read (weights phase). */
  tensor?: string;
}

export interface FromPretrainedOptions {
  /** tfjs backend to load onto (default: the current one). */
  backend?: BackendName;
  /** Embodiment tags to use instead of `norm_stats.json`'s (e.g. your own dataset's statistics). */
  tags?: Record<string, TagConfig>;
  /** MolmoAct2-Think (depth reasoning before the action); default false, as the reference's `predict_action`. */
  think?: boolean;
  /** The OpenFAST action tokenizer for discrete mode (e.g. `await loadFastPlus()` or `OpenFastTokenizer.load(dir)`). */
  actionTokenizer?: ActionTokenizer;
  onProgress?: (p: PretrainedProgress) => void;
}

const FN = "MolmoAct2.fromPretrained";

function providerOf(source: PretrainedSource): FileProvider {
  if (typeof source === "string" || source instanceof URL) {
    const s = String(source);
    if (/^https?:\/\//.test(s)) return urlFolder(s);
    // in a page, a relative string is a URL relative to the page, not a folder
    const page = (globalThis as { location?: { href?: string } }).location?.href;
    return page ? urlFolder(new URL(s, page).href) : nodeFolder(s);
  }
  if (source && typeof (source as FileProvider).open === "function" && typeof (source as FileProvider).has === "function") return source as FileProvider;
  if (source && typeof source === "object") return fileMap(source as Record<string, File | Blob | Uint8Array | string | URL>);
  return fail(FN, "source", `must be a folder path, a base URL, a map of files or a FileProvider; got ${typeof source}`);
}

async function readJson(files: FileProvider, name: string): Promise<unknown> {
  const text = await files.readText(name);
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    return fail(FN, name, `must be valid JSON (in ${files.describe}); ${(e as Error).message}`);
  }
}

async function optionalJson(files: FileProvider, name: string): Promise<unknown> {
  return (await files.has(name)) ? readJson(files, name) : undefined;
}

/** The processor config: `processor_config.json` (image_processor + token flags) or a bare `preprocessor_config.json`. */
async function readProcessor(files: FileProvider): Promise<ImageProcessorConfig> {
  const proc = await optionalJson(files, "processor_config.json");
  if (proc !== undefined) return parseImageProcessorConfig(proc as object);
  const pre = await optionalJson(files, "preprocessor_config.json");
  if (pre !== undefined) return parseImageProcessorConfig({ image_processor: pre });
  return fail(FN, "processor_config.json", `is missing from ${files.describe} (and no preprocessor_config.json): the image size, crop mode and token flags come from it`);
}

/**
 * Open a Hugging Face MolmoAct2 snapshot: `config.json` (with the reference's defaults), the text tokenizer
 * (`tokenizer.json` + optional `tokenizer_config.json`; its special tokens checked against config.json's ids),
 * the processor config, `norm_stats.json` (every tag becomes a {@link TagConfig}) and `model.safetensors` or
 * `model.safetensors.index.json` + shards (read tensor by tensor through file handles / Blob slices / HTTP
 * ranges; F32, F16 and BF16 become float32). Every expected tensor name and shape is checked before anything
 * is allocated, and the float32 size is checked against the backend (wasm: 4 GiB). On any error nothing stays
 * allocated.
 */
export async function fromPretrained(source: PretrainedSource, opts: FromPretrainedOptions = {}): Promise<MolmoAct2> {
  const files = providerOf(source);
  if (opts.backend) await useBackend(opts.backend);
  const progress = opts.onProgress;
  const tokJson = await files.readText("tokenizer.json");
  const tokConfig = await optionalJson(files, "tokenizer_config.json");
  const tokenizer = HfTextTokenizer.fromJson(tokJson, tokConfig as object | undefined);
  const cfgJson = await readJson(files, "config.json");
  const config: MolmoAct2Config = configFromJson(cfgJson as object, (t) => tokenizer.tokenToId(t));
  const imageProcessor = await readProcessor(files);
  const tags = opts.tags ?? tagsFromNormStats((await readJson(files, config.normStatsFilename)) as object, config.maxActionHorizon);

  // before opening any weights: will the float32 parameters fit the backend at all?
  const plan = memoryPlan(config);
  const backend = tf.getBackend() as BackendName;
  const limit = plan.limits[backend];
  const need = plan.needs[backend] ?? plan.float32Bytes;
  if (limit !== undefined && need > limit.bytes) {
    fail(FN, "source", `needs about ${gib(need)} on the ${backend} backend for ${gib(plan.float32Bytes)} of float32 parameters (${files.describe}), more than it can hold (${limit.reason}); use a backend with more memory (webgpu on a large GPU, or cpu in Node)`);
  }
  const checkpoint = await openCheckpoint(files);
  let params: ParamMap;
  try {
    params = await readWeights(checkpoint, config, files.describe, progress);
  } finally {
    await checkpoint.close();
  }
  try {
    const init = { config, params, tags, imageProcessor, textTokenizer: tokenizer, ...(opts.actionTokenizer ? { actionTokenizer: opts.actionTokenizer } : {}) };
    return opts.think ? new MolmoAct2Think(init) : new MolmoAct2(init);
  } catch (e) {
    for (const t of Object.values(params)) t.dispose();
    throw e;
  }
}

/** Check every tensor name/shape/dtype, then read the parameters with byte-level progress. */
async function readWeights(checkpoint: CheckpointReader, config: MolmoAct2Config, where: string, progress?: (p: PretrainedProgress) => void): Promise<ParamMap> {
  const reader: TensorReader = {
    names: () => checkpoint.names(),
    entry: (n) => checkpoint.entry(n),
    read: async (n) => (await checkpoint.read(n)).data,
  };
  assertCheckpoint(FN, reader, config, `checkpoint in ${where}`);
  const bytesOf = (n: string) => {
    const e = reader.entry(n);
    return e ? e.shape.reduce((a, b) => a * b, 1) * bytesPer(e.dtype) : 0;
  };
  // what is read (ignorable extras such as the rotary inv_freq buffer are not)
  const totalBytes = checkpointTensors(config).reduce((a, t) => a + bytesOf(t.name), 0);
  let loadedBytes = 0;
  progress?.({ phase: "files", loadedBytes, totalBytes });
  const params = await loadParams(
    {
      ...reader,
      read: async (n) => {
        const data = await reader.read(n);
        loadedBytes += bytesOf(n);
        progress?.({ phase: "weights", loadedBytes, totalBytes, tensor: n });
        return data;
      },
    },
    config,
  );
  progress?.({ phase: "done", loadedBytes, totalBytes });
  return params;
}

function bytesPer(dtype: string): number {
  return dtype === "F64" || dtype === "I64" ? 8 : dtype === "F32" || dtype === "I32" ? 4 : dtype === "F16" || dtype === "BF16" || dtype === "I16" || dtype === "U16" ? 2 : 1;
}

function gib(b: number): string {
  return `${(b / 2 ** 30).toFixed(2)} GiB`;
}
