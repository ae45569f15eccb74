// The checkpoints the model-vs-torch bench runs: the tiny reference fixture and two random ones in the
// reference layout whose widths, head counts and head dims are those of the release family (SigLIP2 ViTs
// with patch 14, Qwen3 text models, the DiT expert), with fewer blocks so that a 2-core CPU finishes in minutes.

/** The reference `config.json` fields that one generated size overrides (nested as in `MolmoAct2Config.to_dict()`). */
export interface SizeSpec {
  /** Short name used in tables and in the cache folder. */
  name: string;
  /** One line: what the shapes are after. */
  about: string;
  vit: { width: number; mlp: number; heads: number; headDim: number; layers: number; featureLayers: [number, number]; crop: number };
  /** Connector MLP width (the projector's intermediate size). */
  connectorMlp: number;
  text: { width: number; heads: number; kvHeads: number; headDim: number; mlp: number; layers: number };
  /** Expert blocks = text layers (each block reads one LLM layer's K/V). */
  expert: { width: number; heads: number; ffnMultipleOf: number; timestepEmbedDim: number };
  /** Timed runs per mode (the first continuous call of each side is an untimed warm-up). */
  runs: { continuous: number; think: number; discrete: number; decodeTokens: number };
}

/**
 * ~100 M parameters: a SigLIP-B-class ViT (width 768, 12 heads of 64; 4 blocks built, crop 224 = 16×16
 * patches), a Qwen3-0.6B-shaped text model (width 1024, 16 heads of 128, 8 KV heads, MLP 3072; 3 layers) and a
 * 512-wide expert.
 */
export const SIZE_100M: SizeSpec = {
  name: "s100m",
  about: "SigLIP-B-class ViT 768 (4 of 6 blocks built, crop 224), Qwen3-0.6B-shaped text 1024 × 3 layers, expert 512",
  vit: { width: 768, mlp: 3072, heads: 12, headDim: 64, layers: 6, featureLayers: [-3, -5], crop: 224 },
  connectorMlp: 3072,
  text: { width: 1024, heads: 16, kvHeads: 8, headDim: 128, mlp: 3072, layers: 3 },
  expert: { width: 512, heads: 8, ffnMultipleOf: 256, timestepEmbedDim: 256 },
  runs: { continuous: 3, think: 2, discrete: 1, decodeTokens: 16 },
};

/**
 * The largest release-width checkpoint the wasm backend can run (~360 M parameters): SigLIP2 so400m-class ViT
 * (width 1152, 16 heads of 72, MLP 4304; 4 blocks built, crop 378 = 27×27 patches as released), connector
 * MLP 9728, Qwen3-4B-shaped text model (width 2560, 32 heads of 128, 8 KV heads, MLP 9728; 2 of its 36
 * layers) and the release's 768-wide expert. The ~480 M version with 3 text layers was generated and ran out
 * of wasm memory at its first matmul: the heap holds the float32 parameters, the model's derived tensors and
 * XNNPACK's packed copy of every matmul weight, ~2.4× the parameters in all (see docs/benchmarks.md).
 */
export const SIZE_LARGE: SizeSpec = {
  name: "s360m",
  about: "SigLIP2 so400m-class ViT 1152 (4 of 6 blocks built, crop 378), Qwen3-4B-shaped text 2560 × 2 layers, expert 768",
  vit: { width: 1152, mlp: 4304, heads: 16, headDim: 72, layers: 6, featureLayers: [-3, -5], crop: 378 },
  connectorMlp: 9728,
  text: { width: 2560, heads: 32, kvHeads: 8, headDim: 128, mlp: 9728, layers: 2 },
  expert: { width: 768, heads: 8, ffnMultipleOf: 256, timestepEmbedDim: 256 },
  runs: { continuous: 2, think: 1, discrete: 1, decodeTokens: 12 },
};

type Json = Record<string, unknown>;

/**
 * The reference `config.json` of a size: the tiny fixture's (token ids, vocabulary, depth gate, action and
 * flow settings stay) with the widths and depths replaced.
 */
export function sizedConfigJson(template: Json, s: SizeSpec): Json {
  const cfg = structuredClone(template);
  const vit = cfg.vit_config as Json;
  const adapter = cfg.adapter_config as Json;
  const text = cfg.text_config as Json;
  const expert = cfg.action_expert_config as Json;
  const grid = s.vit.crop / 14;
  Object.assign(vit, {
    hidden_size: s.vit.width,
    intermediate_size: s.vit.mlp,
    num_hidden_layers: s.vit.layers,
    num_attention_heads: s.vit.heads,
    num_key_value_heads: s.vit.heads,
    head_dim: s.vit.headDim,
    image_default_input_size: [s.vit.crop, s.vit.crop],
    image_num_pos: grid * grid,
  });
  Object.assign(adapter, {
    vit_layers: [...s.vit.featureLayers],
    hidden_size: s.vit.width,
    num_attention_heads: s.vit.heads,
    num_key_value_heads: s.vit.heads,
    head_dim: s.vit.headDim,
    intermediate_size: s.connectorMlp,
    text_hidden_size: s.text.width,
  });
  Object.assign(text, {
    hidden_size: s.text.width,
    num_attention_heads: s.text.heads,
    num_key_value_heads: s.text.kvHeads,
    head_dim: s.text.headDim,
    intermediate_size: s.text.mlp,
    num_hidden_layers: s.text.layers,
  });
  Object.assign(expert, {
    hidden_size: s.expert.width,
    num_layers: s.text.layers,
    num_heads: s.expert.heads,
    ffn_multiple_of: s.expert.ffnMultipleOf,
    timestep_embed_dim: s.expert.timestepEmbedDim,
  });
  return cfg;
}

/** The processor config of a size: the fixture's with the crop size replaced. */
export function sizedProcessorJson(template: Json, s: SizeSpec): Json {
  const p = structuredClone(template);
  const size = { height: s.vit.crop, width: s.vit.crop };
  (p.image_processor as Json).size = size;
  (p.video_processor as Json).size = { ...size };
  return p;
}
