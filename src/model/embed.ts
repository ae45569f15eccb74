import * as tf from "@tensorflow/tfjs-core";
import { fail } from "../core/index.js";
import type { ParamMap } from "../nn/index.js";
import type { TokenTable } from "../vocab/index.js";
import type { MolmoAct2Config } from "./config.js";
import { connectorForward } from "./connector.js";
import { canonicalizePixels, type PreprocessedImage } from "./image-processor.js";
import type { Qwen3Decoder } from "./llm.js";
import { visionForward } from "./vision.js";

/**
 * Preprocessed images → LLM-width image features: per image, every crop through the ViT (canonical pixels,
 * as the reference's vision backbone re-derives them), the crops' features concatenated, then the
 * connector pools them with the image's pooling rows. Returns `[Σ pooled tokens, d]` float32, images in
 * order (the order of their `<im_patch>` tokens in the prompt).
 */
export function encodeImages(params: ParamMap, cfg: MolmoAct2Config, images: readonly PreprocessedImage[]): tf.Tensor2D {
  return tf.tidy(() => {
    const outs = images.map((img) => {
      const pixels = canonicalizePixels(img.crops);
      const feats: tf.Tensor2D[] = [];
      for (let c = 0; c < img.numCrops; c++) {
        const n = img.patchesPerCrop * img.patchDim;
        const crop = tf.tensor2d(pixels.subarray(c * n, (c + 1) * n), [img.patchesPerCrop, img.patchDim]);
        feats.push(visionForward(params, cfg, crop));
      }
      const all = feats.length === 1 ? feats[0] : (tf.concat(feats, 0) as tf.Tensor2D);
      return connectorForward(params, cfg, all, img.pooling, img.poolWindow);
    });
    return (outs.length === 1 ? outs[0] : tf.concat(outs, 0)) as tf.Tensor2D;
  });
}

/**
 * Token embeddings of `ids` with the image features added at the `<im_patch>` positions (k-th `<im_patch>`
 * ↔ row k of `features`), as the reference's `build_input_embeddings` does. The counts must match.
 */
export function mergeImageFeatures(llm: Qwen3Decoder, ids: readonly number[], features: tf.Tensor2D | null, table: TokenTable): tf.Tensor2D {
  const patch = table.imageToken("<im_patch>");
  const n = features ? features.shape[0] : 0;
  const gatherIdx = new Int32Array(ids.length);
  let k = 0;
  for (let i = 0; i < ids.length; i++) if (ids[i] === patch) gatherIdx[i] = ++k;
  if (k !== n) fail("mergeImageFeatures", "ids", `must hold one <im_patch> per image feature (${n}); got ${k}`);
  if (!features || n === 0) return llm.embed(ids);
  return tf.tidy(() => {
    const rows = tf.gather(tf.concat([tf.zeros([1, features.shape[1]]), features], 0), tf.tensor1d(gatherIdx, "int32"));
    return tf.add(llm.embed(ids), rows) as tf.Tensor2D;
  });
}
