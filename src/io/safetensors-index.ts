import { describe, fail } from "../core/index.js";

/**
 * `model.safetensors.index.json` of a sharded Hugging Face checkpoint:
 * `{ "metadata": { "total_size": <bytes> , ... }, "weight_map": { "<tensor>": "<shard file>" } }`.
 */
export interface SafetensorsIndex {
  /** `metadata.total_size` (bytes of tensor data over all shards, as the writer counted), when present. */
  totalSize: number | undefined;
  /** The whole `metadata` object (empty when absent). */
  metadata: Record<string, unknown>;
  /** Tensor name → shard file (relative to the snapshot root), in the index's order. */
  weightMap: Map<string, string>;
  /** The distinct shard files, in order of first appearance. */
  shards: string[];
}

/**
 * Parse the index JSON (text or an already parsed value). Errors are `VlaError`s naming the field
 * (`weight_map`, `weight_map["<tensor>"]`, `metadata.total_size`) and `file`, the index's name.
 */
export function parseSafetensorsIndex(json: string | unknown, file = "model.safetensors.index.json"): SafetensorsIndex {
  const fn = "parseSafetensorsIndex";
  let v: unknown = json;
  if (typeof json === "string") {
    try {
      v = JSON.parse(json);
    } catch (e) {
      fail(fn, JSON.stringify(file), `must be JSON; ${(e as Error).message}`);
    }
  }
  const isObject = (x: unknown): x is Record<string, unknown> => x !== null && typeof x === "object" && !Array.isArray(x);
  if (!isObject(v)) fail(fn, JSON.stringify(file), `must be a JSON object { metadata, weight_map }; got ${describe(v)}`);
  const meta = v.metadata ?? {};
  if (!isObject(meta)) fail(fn, "metadata", `of ${JSON.stringify(file)} must be an object when present; got ${describe(meta)}`);
  const total = meta.total_size;
  if (total !== undefined && (typeof total !== "number" || !Number.isSafeInteger(total) || total < 0)) {
    fail(fn, "metadata.total_size", `of ${JSON.stringify(file)} must be a non-negative integer when present; got ${describe(total)}`);
  }
  const wm = v.weight_map;
  if (!isObject(wm)) fail(fn, "weight_map", `of ${JSON.stringify(file)} must be an object { tensor: shard file }; got ${describe(wm)}`);
  const weightMap = new Map<string, string>();
  const shards: string[] = [];
  for (const [name, shard] of Object.entries(wm)) {
    if (typeof shard !== "string" || shard === "") fail(fn, `weight_map[${JSON.stringify(name)}]`, `of ${JSON.stringify(file)} must be a shard file name; got ${describe(shard)}`);
    weightMap.set(name, shard);
    if (!shards.includes(shard)) shards.push(shard);
  }
  if (weightMap.size === 0) fail(fn, "weight_map", `of ${JSON.stringify(file)} must name at least one tensor; got an empty object`);
  return { totalSize: total as number | undefined, metadata: { ...meta }, weightMap, shards };
}
