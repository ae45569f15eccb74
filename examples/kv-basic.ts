/**
 * The per-layer KV adapter on a toy VLM cache: which positions the action expert may see (EOS and discrete action
 * spans hidden), and the projected per-layer K/V (shared P_K/P_V, weightless RMSNorm, per-head k_norm).
 *
 *   npx tsx examples/kv-basic.ts
 */
import * as tf from "@tensorflow/tfjs-core";
import { Rng } from "../src/core/index.js";
import { contextKeyMask, KvAdapter, kvAdapterParamShapes } from "../src/kv/index.js";
import { useBackend } from "../src/nn/index.js";
import { MOLMOACT2_TOKENS } from "../src/vocab/index.js";

export async function kvBasic(): Promise<{ visible: number[]; kShape: number[]; kRowRms: number }> {
  await useBackend("cpu");
  const ids = MOLMOACT2_TOKENS.ids;
  // <|im_end|> (BOS) · 3 prompt tokens · <action_start> <action_7> <action_end> · <|im_end|>
  const tokenIds = [ids.imEnd, 101, 102, 103, ids.actionStart, MOLMOACT2_TOKENS.actionToken(7), ids.actionEnd, ids.imEnd];
  const visible = Array.from(contextKeyMask(tokenIds));

  const cfg = { numLayers: 2, llmNumKvHeads: 2, llmHeadDim: 8, hiddenSize: 16, numHeads: 2 };
  const r = new Rng(0);
  const params: Record<string, tf.Tensor> = {};
  for (const [name, shape] of Object.entries(kvAdapterParamShapes(cfg))) {
    params[name] = tf.tensor(r.normals(shape[0] * shape[1]), shape); // normally: the checkpoint's context_k_proj/… ([in, out])
  }
  const adapter = new KvAdapter(cfg, params);
  const T = tokenIds.length;
  const perLayerKV = [0, 1].map(() => ({ k: tf.tensor3d(r.normals(T * 16), [T, 2, 8]), v: tf.tensor3d(r.normals(T * 16), [T, 2, 8]) }));
  const ctx = adapter.project(perLayerKV, tokenIds);
  const k0 = Array.from(await ctx.layers[0].k.data()); // [T, heads, hd], each head row RMS-normalised
  const kRowRms = Math.sqrt(k0.slice(0, 8).reduce((a, b) => a + b * b, 0) / 8);
  const kShape = ctx.layers[0].k.shape;
  ctx.dispose();
  tf.dispose([...Object.values(params), ...perLayerKV.flatMap((l) => [l.k, l.v])]);
  return { visible, kShape, kRowRms };
}

const isMain = process.argv[1]?.endsWith("kv-basic.ts");
if (isMain) {
  const r = await kvBasic();
  console.log(`visible to the expert: ${r.visible.join(" ")}`);
  console.log(`projected K of layer 0: [${r.kShape.join(", ")}], per-head RMS ${r.kRowRms.toFixed(4)}`);
}
