import * as tf from "@tensorflow/tfjs-core";
import { attention, gelu, layerNorm, linear, type ParamMap } from "../nn/index.js";
import { vitBlocksNeeded, vitFeatureBlock, type MolmoAct2Config } from "./config.js";
import { VIT } from "./param-shapes.js";

/**
 * The SigLIP2-style ViT of the reference (`MolmoAct2VisionTransformer`), one crop at a time:
 * patch embedding (one matMul over flattened patches) + learned position embedding, then pre-LN blocks
 * `x += Wo·MHA(LN(x))` (GQA when `numKeyValueHeads < numAttentionHeads`, unmasked), `x += W2·gelu_tanh(W1·LN(x))`.
 * Runs only the blocks up to the deepest feature layer and returns their outputs concatenated in
 * `adapter.vitLayers` order: `[patches, hidden · vitLayers.length]` float32.
 *
 * @param patches `[patches, patch²·3]` canonical pixels of one crop
 */
export function visionForward(params: ParamMap, cfg: MolmoAct2Config, patches: tf.Tensor2D): tf.Tensor2D {
  const v = cfg.vit;
  const n = patches.shape[0];
  const want = cfg.adapter.vitLayers.map((l) => vitFeatureBlock(v, l));
  const blocks = vitBlocksNeeded(cfg);
  return tf.tidy(() => {
    const p = (name: string) => params[`${VIT}.${name}`];
    let x = linear(patches, p("patch_embedding.weight") as tf.Tensor2D, p("patch_embedding.bias") as tf.Tensor1D);
    x = tf.add(x, p("positional_embedding")) as tf.Tensor2D;
    const feats: tf.Tensor2D[] = [];
    for (let l = 0; l < blocks; l++) {
      const b = `transformer.resblocks.${l}`;
      const lin = (h: tf.Tensor2D, name: string) => linear(h, p(`${b}.${name}.weight`) as tf.Tensor2D, p(`${b}.${name}.bias`) as tf.Tensor1D);
      const h = layerNorm(x, p(`${b}.attention_norm.weight`) as tf.Tensor1D, p(`${b}.attention_norm.bias`) as tf.Tensor1D, v.layerNormEps) as tf.Tensor2D;
      const q = tf.reshape(lin(h, "attention.wq"), [n, v.numAttentionHeads, v.headDim]) as tf.Tensor3D;
      const k = tf.reshape(lin(h, "attention.wk"), [n, v.numKeyValueHeads, v.headDim]) as tf.Tensor3D;
      const val = tf.reshape(lin(h, "attention.wv"), [n, v.numKeyValueHeads, v.headDim]) as tf.Tensor3D;
      x = tf.add(x, lin(attention(q, k, val), "attention.wo")) as tf.Tensor2D;
      const h2 = layerNorm(x, p(`${b}.ffn_norm.weight`) as tf.Tensor1D, p(`${b}.ffn_norm.bias`) as tf.Tensor1D, v.layerNormEps) as tf.Tensor2D;
      x = tf.add(x, lin(gelu(lin(h2, "feed_forward.w1")) as tf.Tensor2D, "feed_forward.w2")) as tf.Tensor2D;
      feats.push(x);
    }
    return (want.length === 1 ? feats[want[0]] : tf.concat(want.map((l) => feats[l]), 1)) as tf.Tensor2D;
  });
}
