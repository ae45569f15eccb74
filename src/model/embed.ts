import * as tf from "@tensorflow/tfjs-core";
import { fail } from "../core/index.js";
import type { ParamMap } from "../nn/index.js";
import type { TokenTable } from "../vocab/index.js";
import { imageGrid, type MolmoAct2Config } from "./config.js";
import { connectorForward } from "./connector.js";
import { imageToPatches, type RgbImage } from "./image.js";
import type { Qwen3Decoder } from "./llm.js";
import { visionForward } from "./vision.js";

/**
 * Images → LLM-width image tokens: for each image, patches → ViT (features of the configured layers)
 * → 2×2 attention pooling + projector. Returns `[numImages · pooled², d]` float32, images in order,
 * each image's pooled grid row-major (the order of its `<im_patch>` tokens).
 */
export function encodeImages(params: ParamMap, cfg: MolmoAct2Config, images: readonly RgbImage[]): tf.Tensor2D {
  const { patches } = imageGrid(cfg.vision, cfg.connector);
  const perPatch = cfg.vision.patchSize * cfg.vision.patchSize * 3;
  return tf.tidy(() => {
    const outs = images.map((img) => {
      const p = tf.tensor2d(imageToPatches(img, cfg.vision), [patches * patches, perPatch]);
      const f = visionForward(params, cfg.vision, p);
      return connectorForward(params, cfg.connector, f, patches, cfg.llm.hiddenSize);
    });
    return (outs.length === 1 ? outs[0] : tf.concat(outs, 0)) as tf.Tensor2D;
  });
}

/**
 * Token embeddings of `ids` with the image tokens merged in at the `<im_patch>` positions (k-th
 * `<im_patch>` ↔ row k of `imageTokens`): added to the `<im_patch>` embedding (`merge = "add"`, as
 * Molmo does) or replacing it. The counts must match.
 */
export function mergeImageTokens(
  llm: Qwen3Decoder,
  ids: readonly number[],
  imageTokens: tf.Tensor2D | null,
  table: TokenTable,
  merge: "add" | "replace",
): tf.Tensor2D {
  const patch = table.imageToken("<im_patch>");
  const n = imageTokens ? imageTokens.shape[0] : 0;
  const gatherIdx = new Int32Array(ids.length);
  let k = 0;
  for (let i = 0; i < ids.length; i++) if (ids[i] === patch) gatherIdx[i] = ++k;
  if (k !== n) fail("mergeImageTokens", "ids", `must hold one <im_patch> per image token (${n}); got ${k}`);
  if (!imageTokens || n === 0) return llm.embed(ids);
  return tf.tidy(() => {
    const text = llm.embed(ids);
    const d = imageTokens.shape[1];
    const rows = tf.gather(tf.concat([tf.zeros([1, d]), imageTokens], 0), tf.tensor1d(gatherIdx, "int32"));
    if (merge === "add") return tf.add(text, rows) as tf.Tensor2D;
    const keep = tf.tensor2d(Float32Array.from(gatherIdx, (g) => (g === 0 ? 1 : 0)), [ids.length, 1]);
    return tf.add(tf.mul(text, keep), rows) as tf.Tensor2D;
  }) as tf.Tensor2D;
}
