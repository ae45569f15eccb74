import * as tf from "@tensorflow/tfjs-core";
import { gelu, getParam, layerNorm, linear, attention, type ParamMap } from "../nn/index.js";
import { featureBlockIndex, type VisionConfig } from "./config.js";

/** Reference parameter-name prefix of the vision tower. */
export const VIT = "model.vision_backbone.image_vit";

/**
 * SigLIP2-style ViT (Molmo `image_vit`): patch embedding as one 2-D matMul over flattened patches,
 * learned position embeddings (no class token), pre-LN blocks (LayerNorm → MHA → residual,
 * LayerNorm → GELU-tanh MLP → residual). Returns the outputs of the blocks named by
 * `featureLayers` (see {@link featureBlockIndex}) concatenated on the feature axis:
 * `[numPatches, width · featureLayers.length]` float32. Blocks after the deepest one needed are skipped.
 *
 * @param patches `[numPatches, patchSize²·3]` from {@link imageToPatches}
 */
export function visionForward(params: ParamMap, v: VisionConfig, patches: tf.Tensor2D): tf.Tensor2D {
  const fn = "visionForward";
  const W = v.width;
  const hd = W / v.heads;
  const n = patches.shape[0];
  const want = v.featureLayers.map((k) => featureBlockIndex(v.layers, k));
  const last = Math.max(...want);
  return tf.tidy(() => {
    const p = (name: string, shape: number[]) => getParam(fn, params, `${VIT}.${name}`, shape);
    let x = linear(patches, p("patch_embedding.weight", [patches.shape[1], W]) as tf.Tensor2D, p("patch_embedding.bias", [W]) as tf.Tensor1D);
    x = tf.add(x, p("positional_embedding", [n, W])) as tf.Tensor2D;
    const feats: tf.Tensor2D[] = new Array(v.layers);
    for (let l = 0; l <= last; l++) {
      const b = `transformer.resblocks.${l}`;
      const lin = (h: tf.Tensor2D, name: string, i: number, o: number) =>
        linear(h, p(`${b}.${name}.weight`, [i, o]) as tf.Tensor2D, p(`${b}.${name}.bias`, [o]) as tf.Tensor1D);
      const h = layerNorm(x, p(`${b}.attention_norm.weight`, [W]) as tf.Tensor1D, p(`${b}.attention_norm.bias`, [W]) as tf.Tensor1D, v.layerNormEps) as tf.Tensor2D;
      const q = tf.reshape(lin(h, "attention.wq", W, W), [n, v.heads, hd]) as tf.Tensor3D;
      const k = tf.reshape(lin(h, "attention.wk", W, W), [n, v.heads, hd]) as tf.Tensor3D;
      const val = tf.reshape(lin(h, "attention.wv", W, W), [n, v.heads, hd]) as tf.Tensor3D;
      x = tf.add(x, lin(attention(q, k, val), "attention.wo", W, W)) as tf.Tensor2D;
      const h2 = layerNorm(x, p(`${b}.ffn_norm.weight`, [W]) as tf.Tensor1D, p(`${b}.ffn_norm.bias`, [W]) as tf.Tensor1D, v.layerNormEps) as tf.Tensor2D;
      x = tf.add(x, lin(gelu(lin(h2, "feed_forward.w1", W, v.mlpDim)) as tf.Tensor2D, "feed_forward.w2", v.mlpDim, W)) as tf.Tensor2D;
      feats[l] = x;
    }
    return tf.concat(want.map((l) => feats[l]), 1) as tf.Tensor2D;
  });
}

/** Parameter names and shapes of the vision tower (`[in, out]` for linear weights). */
export function visionParamShapes(v: VisionConfig): Record<string, number[]> {
  const W = v.width;
  const n = Math.floor(v.imageSize / v.patchSize) ** 2;
  const out: Record<string, number[]> = {
    [`${VIT}.patch_embedding.weight`]: [v.patchSize * v.patchSize * 3, W],
    [`${VIT}.patch_embedding.bias`]: [W],
    [`${VIT}.positional_embedding`]: [n, W],
  };
  for (let l = 0; l < v.layers; l++) {
    const b = `${VIT}.transformer.resblocks.${l}`;
    for (const nm of ["attention_norm", "ffn_norm"]) {
      out[`${b}.${nm}.weight`] = [W];
      out[`${b}.${nm}.bias`] = [W];
    }
    for (const nm of ["wq", "wk", "wv", "wo"]) {
      out[`${b}.attention.${nm}.weight`] = [W, W];
      out[`${b}.attention.${nm}.bias`] = [W];
    }
    out[`${b}.feed_forward.w1.weight`] = [W, v.mlpDim];
    out[`${b}.feed_forward.w1.bias`] = [v.mlpDim];
    out[`${b}.feed_forward.w2.weight`] = [v.mlpDim, W];
    out[`${b}.feed_forward.w2.bias`] = [W];
  }
  return out;
}
