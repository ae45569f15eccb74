import { describe, fail, parseJson } from "../core/index.js";
import { IMAGE_TOKEN_NAMES, type ImageTokenName, type TokenIds } from "../vocab/index.js";
import { vitBlocksNeeded, type ExpertConfig, type ActionMode, type AdapterConfig, type DepthGate, type MolmoAct2Config, type TextConfig, type VitConfig } from "./config.js";

const FN = "configFromJson";
type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Field readers with the reference's defaults; every failure names the config.json field. */
class Fields {
  constructor(
    private readonly o: Obj,
    private readonly path: string,
  ) {}
  private at(k: string): string {
    return this.path ? `${this.path}.${k}` : k;
  }
  private raw(k: string): unknown {
    const v = this.o[k];
    return v === null ? undefined : v;
  }
  int(k: string, def: number | undefined, min = 0): number {
    const v = this.raw(k) ?? def;
    if (v === undefined) return fail(FN, this.at(k), "is required; it is missing");
    if (typeof v !== "number" || !Number.isInteger(v) || v < min) fail(FN, this.at(k), `must be an integer >= ${min}; got ${describe(v)}`);
    return v;
  }
  num(k: string, def: number): number {
    const v = this.raw(k) ?? def;
    if (typeof v !== "number" || !Number.isFinite(v)) fail(FN, this.at(k), `must be a finite number; got ${describe(v)}`);
    return v;
  }
  bool(k: string, def: boolean): boolean {
    const v = this.raw(k) ?? def;
    if (typeof v !== "boolean") fail(FN, this.at(k), `must be true or false; got ${describe(v)}`);
    return v;
  }
  str(k: string, def: string): string {
    const v = this.raw(k) ?? def;
    if (typeof v !== "string") fail(FN, this.at(k), `must be a string; got ${describe(v)}`);
    return v;
  }
  optInt(k: string): number | undefined {
    const v = this.raw(k);
    return v === undefined ? undefined : this.int(k, undefined);
  }
  /** A field this library cannot honour unless it has the given value (or is absent). */
  only(k: string, allowed: readonly unknown[], why: string): void {
    const v = this.raw(k);
    if (v !== undefined && !allowed.includes(v)) fail(FN, this.at(k), `${why}; got ${describe(v)}`);
  }
  sub(k: string): Fields {
    const v = this.o[k];
    if (v !== undefined && v !== null && !isObj(v)) fail(FN, this.at(k), `must be an object; got ${describe(v)}`);
    return new Fields((v as Obj) ?? {}, this.at(k));
  }
  has(k: string): boolean {
    return this.raw(k) !== undefined;
  }
  get(k: string): unknown {
    return this.raw(k);
  }
  name(k: string): string {
    return this.at(k);
  }
}

/** Look up the id of a special-token string in the tokenizer (for ids config.json does not hold). */
export type SpecialTokenLookup = (token: string) => number | undefined;

function vitFrom(f: Fields): VitConfig {
  f.only("hidden_act", ["gelu_pytorch_tanh"], 'must be "gelu_pytorch_tanh" (the only ViT activation implemented)');
  const size = f.get("image_default_input_size") ?? [378, 378];
  if (!Array.isArray(size) || size.length !== 2 || !size.every((x) => Number.isInteger(x) && x > 0)) {
    fail(FN, f.name("image_default_input_size"), `must be [height, width] positive integers; got ${JSON.stringify(size)}`);
  }
  const heads = f.int("num_attention_heads", 16, 1);
  const kv = f.int("num_key_value_heads", 16, 1);
  if (heads % kv !== 0) fail(FN, f.name("num_key_value_heads"), `must divide num_attention_heads ${heads}; got ${kv}`);
  return {
    hiddenSize: f.int("hidden_size", 1152, 1),
    intermediateSize: f.int("intermediate_size", 4304, 1),
    numHiddenLayers: f.int("num_hidden_layers", 27, 1),
    numAttentionHeads: heads,
    numKeyValueHeads: kv,
    headDim: f.int("head_dim", 72, 1),
    layerNormEps: f.num("layer_norm_eps", 1e-6),
    imageDefaultInputSize: [size[0], size[1]],
    imagePatchSize: f.int("image_patch_size", 14, 1),
    imageNumPos: f.int("image_num_pos", 577, 1),
  };
}

function adapterFrom(f: Fields): AdapterConfig {
  f.only("hidden_act", ["silu"], 'must be "silu" (the only projector activation implemented)');
  const layers = f.get("vit_layers") ?? [-3, -9];
  if (!Array.isArray(layers) || layers.length === 0 || !layers.every((x) => Number.isInteger(x))) {
    fail(FN, f.name("vit_layers"), `must be a non-empty list of integers; got ${JSON.stringify(layers)}`);
  }
  const heads = f.int("num_attention_heads", 16, 1);
  const kv = f.int("num_key_value_heads", 16, 1);
  if (heads % kv !== 0) fail(FN, f.name("num_key_value_heads"), `must divide num_attention_heads ${heads}; got ${kv}`);
  return {
    vitLayers: layers as number[],
    poolingAttentionMask: f.bool("pooling_attention_mask", false),
    hiddenSize: f.int("hidden_size", 1152, 1),
    numAttentionHeads: heads,
    numKeyValueHeads: kv,
    headDim: f.int("head_dim", 72, 1),
    intermediateSize: f.int("intermediate_size", 18944, 1),
    textHiddenSize: f.int("text_hidden_size", 3584, 1),
  };
}

function textFrom(f: Fields): TextConfig {
  f.only("hidden_act", ["silu"], 'must be "silu" (the only decoder activation implemented)');
  f.only("rope_scaling_layers", [undefined], "must be null (per-layer RoPE scaling is not implemented)");
  const scaling = f.get("rope_scaling");
  if (isObj(scaling) && (scaling.rope_type ?? scaling.type ?? "default") !== "default") {
    fail(FN, f.name("rope_scaling"), `must be absent or the default RoPE (scaled RoPE variants are not implemented); got ${JSON.stringify(scaling)}`);
  }
  const params = f.get("rope_parameters");
  if (isObj(params) && (params.rope_type ?? "default") !== "default") {
    fail(FN, f.name("rope_parameters.rope_type"), `must be "default" (scaled RoPE variants are not implemented); got ${describe(params.rope_type)}`);
  }
  const theta = isObj(params) && typeof params.rope_theta === "number" ? params.rope_theta : f.num("rope_theta", 1e6);
  const heads = f.int("num_attention_heads", 28, 1);
  const kv = f.has("num_key_value_heads") ? f.int("num_key_value_heads", undefined, 1) : 4;
  if (heads % kv !== 0) fail(FN, f.name("num_key_value_heads"), `must divide num_attention_heads ${heads}; got ${kv}`);
  const normType = f.str("qk_norm_type", "olmo");
  if (normType !== "qwen3" && normType !== "olmo") fail(FN, f.name("qk_norm_type"), `must be "qwen3" or "olmo"; got ${JSON.stringify(normType)}`);
  return {
    hiddenSize: f.int("hidden_size", 3584, 1),
    numAttentionHeads: heads,
    numKeyValueHeads: kv,
    headDim: f.int("head_dim", 128, 2),
    vocabSize: f.int("vocab_size", 152064, 1),
    additionalVocabSize: f.int("additional_vocab_size", 128, 0),
    qkvBias: f.bool("qkv_bias", true),
    numHiddenLayers: f.int("num_hidden_layers", 48, 1),
    intermediateSize: f.int("intermediate_size", 18944, 1),
    ropeTheta: theta,
    useQkNorm: f.bool("use_qk_norm", false),
    qkNormType: normType,
    layerNormEps: f.num("layer_norm_eps", 1e-6),
    normAfter: f.bool("norm_after", false),
    maxPositionEmbeddings: f.int("max_position_embeddings", 4096, 1),
  };
}

function expertFrom(f: Fields, textLayers: number): ExpertConfig {
  f.only("causal_attn", [false], "must be false (a causal action expert is not implemented)");
  const numLayers = f.int("num_layers", textLayers, 1);
  if (numLayers !== textLayers) {
    fail(FN, f.name("num_layers"), `must equal text_config.num_hidden_layers = ${textLayers} (one expert block per LLM layer, as the reference requires); got ${numLayers}`);
  }
  const hidden = f.int("hidden_size", 1024, 1);
  const heads = f.int("num_heads", 16, 1);
  if (hidden % heads !== 0 || (hidden / heads) % 2 !== 0) fail(FN, f.name("num_heads"), `must divide hidden_size ${hidden} into even head sizes; got ${heads}`);
  return {
    hiddenSize: hidden,
    numLayers,
    numHeads: heads,
    mlpRatio: f.num("mlp_ratio", 8 / 3),
    ffnMultipleOf: f.int("ffn_multiple_of", 256, 0),
    timestepEmbedDim: f.int("timestep_embed_dim", 256, 2),
    contextLayerNorm: f.bool("context_layer_norm", true),
    qkNorm: f.bool("qk_norm", true),
    qkNormEps: f.num("qk_norm_eps", 1e-6),
    rope: f.bool("rope", true),
  };
}

/** config.json key of each image token, in {@link IMAGE_TOKEN_NAMES} terms. */
const IMAGE_ID_KEYS: Partial<Record<ImageTokenName, string>> = {
  "<im_start>": "image_start_token_id",
  "<im_end>": "image_end_token_id",
  "<im_patch>": "image_patch_id",
  "<im_col>": "image_col_id",
  "<low_res_im_start>": "low_res_image_start_token_id",
  "<im_low>": "image_low_res_id",
  "<frame_start>": "frame_start_token_id",
  "<frame_end>": "frame_end_token_id",
};

function tokensFrom(f: Fields, lookup: SpecialTokenLookup | undefined): TokenIds {
  /** An id from config.json (cross-checked against the tokenizer) or, when config.json has none, the tokenizer's. */
  const id = (key: string | undefined, token: string): number => {
    const fromConfig = key ? f.optInt(key) : undefined;
    const fromTok = lookup?.(token);
    if (fromConfig !== undefined && fromTok !== undefined && fromConfig !== fromTok) {
      fail(FN, f.name(key as string), `must match the tokenizer's id of ${token} (${fromTok}); got ${fromConfig}`);
    }
    const v = fromConfig ?? fromTok;
    if (v === undefined) {
      return fail(FN, key ? f.name(key) : token, `is needed (the id of ${token}); config.json has no ${key ?? "field for it"} and ${lookup ? "the tokenizer has no such token" : "no tokenizer was given"}`);
    }
    return v;
  };
  const family = (startKey: string, countKey: string, first: string, defCount: number): [number, number] => {
    const start = id(startKey, first);
    const count = f.has(countKey) ? f.int(countKey, undefined, 1) : defCount;
    if (count < 1) fail(FN, f.name(countKey), `must be >= 1; got ${count}`);
    return [start, count];
  };
  const [stateTokenStart, numStateTokens] = family("state_token_start_id", "num_state_tokens", "<state_0>", 256);
  const [actionTokenStart, numActionTokens] = family("action_token_start_id", "num_action_tokens", "<action_0>", 2048);
  const [depthTokenStart, numDepthTokens] = family("depth_token_start_id", "num_depth_tokens", "<depth_0>", 128);
  const imageTokens: Partial<Record<ImageTokenName, number>> = {};
  for (const name of IMAGE_TOKEN_NAMES) {
    const key = IMAGE_ID_KEYS[name];
    const v = key && f.has(key) ? id(key, name) : lookup?.(name);
    if (v !== undefined) imageTokens[name] = v;
  }
  for (const name of ["<im_start>", "<im_end>", "<im_patch>", "<im_col>", "<|image|>"] as const) {
    if (imageTokens[name] === undefined) fail(FN, IMAGE_ID_KEYS[name] ? f.name(IMAGE_ID_KEYS[name] as string) : name, `is needed (the id of ${name}); neither config.json nor the tokenizer has it`);
  }
  return {
    endOfText: id(undefined, "<|endoftext|>"),
    imStart: id(undefined, "<|im_start|>"),
    imEnd: id(undefined, "<|im_end|>"),
    setupStart: id(undefined, "<setup_start>"),
    setupEnd: id(undefined, "<setup_end>"),
    controlStart: id(undefined, "<control_start>"),
    controlEnd: id(undefined, "<control_end>"),
    stateStart: id("state_start_token_id", "<state_start>"),
    stateEnd: id("state_end_token_id", "<state_end>"),
    stateTokenStart,
    numStateTokens,
    actionOutput: id("action_output_token_id", "<action_output>"),
    actionStart: id("action_start_token_id", "<action_start>"),
    actionEnd: id("action_end_token_id", "<action_end>"),
    actionTokenStart,
    numActionTokens,
    depthOutput: id("depth_output_token_id", "<depth_output>"),
    depthStart: id("depth_start_token_id", "<depth_start>"),
    depthEnd: id("depth_end_token_id", "<depth_end>"),
    depthTokenStart,
    numDepthTokens,
    imageTokenStart: imageTokens["<im_start>"] as number,
    imageTokens,
  };
}

/**
 * A {@link MolmoAct2Config} from a checkpoint's `config.json` (text or parsed object). Absent fields take
 * the reference's defaults (`MolmoAct2Config.__init__` and its sub-configs); ids that config.json does not
 * hold (`<|im_start|>`, setup/control tokens, `<|image|>`) come from `lookup` (the tokenizer's added
 * tokens), and ids present in both must agree. Anything this library cannot honour (another activation,
 * scaled RoPE, a causal expert, `state_format` other than discrete, an expert depth that differs from the
 * LLM's) is an error naming the field.
 */
export function configFromJson(input: string | object, lookup?: SpecialTokenLookup): MolmoAct2Config {
  const j = parseJson(FN, "config.json", input);
  if (!isObj(j)) fail(FN, "config.json", `must be a JSON object; got ${describe(j)}`);
  const f = new Fields(j, "");
  f.only("model_type", ["molmoact2"], 'must be "molmoact2"');
  f.only("state_format", ["discrete"], 'must be "discrete" (the only state format of the HF export)');
  f.only("use_frame_special_tokens", [true, false], "must be a boolean");
  const text = textFrom(f.sub("text_config"));
  const addExpert = f.bool("add_action_expert", true);
  const actionMode = f.str("action_mode", "both");
  if (!["continuous", "discrete", "both"].includes(actionMode)) fail(FN, "action_mode", `must be "continuous", "discrete" or "both"; got ${JSON.stringify(actionMode)}`);
  const gate = f.bool("action_expert_depth_gate", false);
  const perLayer = f.bool("action_expert_depth_gate_per_layer", false);
  const eos = f.get("eos_token_id");
  const eosId = Array.isArray(eos) ? eos[0] : eos;
  const tokens = tokensFrom(f, lookup);
  const cfg: MolmoAct2Config = {
    vit: vitFrom(f.sub("vit_config")),
    adapter: adapterFrom(f.sub("adapter_config")),
    text,
    expert: addExpert ? expertFrom(f.sub("action_expert_config"), text.numHiddenLayers) : null,
    tokens,
    eosTokenId: typeof eosId === "number" ? eosId : tokens.imEnd,
    padTokenId: f.optInt("pad_token_id") ?? null,
    maxActionDim: f.int("max_action_dim", 32, 1),
    maxActionHorizon: f.int("max_action_horizon", 30, 1),
    nObsSteps: f.int("n_obs_steps", 30, 1),
    actionMode: actionMode as ActionMode,
    flowMatchingNumSteps: f.int("flow_matching_num_steps", 10, 1),
    maskActionDimPadding: f.bool("mask_action_dim_padding", true),
    enableDepthReasoning: f.bool("enable_depth_reasoning", false),
    numDepthCodes: f.int("num_depth_codes", 100, 1),
    depthGate: (addExpert && gate ? (perLayer ? "per_layer" : "shared") : "none") as DepthGate,
    numStateTokens: tokens.numStateTokens,
    addSetupTokens: f.bool("add_setup_tokens", true),
    addControlTokens: f.bool("add_control_tokens", true),
    normStatsFilename: f.str("norm_stats_filename", "norm_stats.json"),
  };
  checkConfig(cfg);
  return cfg;
}

/** Cross-field rules (also run on hand-built configs by the model constructor). */
export function checkConfig(cfg: MolmoAct2Config): void {
  const fn = "MolmoAct2Config";
  vitBlocksNeeded(cfg);
  const side = Math.round(Math.sqrt(cfg.vit.imageNumPos));
  const [h, w] = cfg.vit.imageDefaultInputSize;
  const ph = Math.floor(h / cfg.vit.imagePatchSize);
  const pw = Math.floor(w / cfg.vit.imagePatchSize);
  if (side * side !== cfg.vit.imageNumPos) fail(fn, "vit.imageNumPos", `must be a square number (a square grid of learned positions); got ${cfg.vit.imageNumPos}`);
  if (side !== ph || side !== pw) {
    fail(fn, "vit.imageNumPos", `must be the patch grid of image_default_input_size (${ph}×${pw} = ${ph * pw}): resizing the position embedding (the reference's antialiased bicubic) is not implemented; got a ${side}×${side} grid`);
  }
  if (cfg.adapter.textHiddenSize !== cfg.text.hiddenSize) fail(fn, "adapter.textHiddenSize", `must equal text.hiddenSize ${cfg.text.hiddenSize}; got ${cfg.adapter.textHiddenSize}`);
  const t = cfg.tokens;
  const embRows = cfg.text.vocabSize + cfg.text.additionalVocabSize;
  for (const [k, v] of Object.entries(t)) {
    if (typeof v === "number" && k !== "numStateTokens" && k !== "numActionTokens" && k !== "numDepthTokens" && (v < 0 || v >= embRows)) {
      fail(fn, `tokens.${k}`, `must be an id below the ${embRows} embedding rows; got ${v}`);
    }
  }
  if (t.depthTokenStart + t.numDepthTokens > cfg.text.vocabSize || t.actionTokenStart + t.numActionTokens > cfg.text.vocabSize) {
    fail(fn, "text.vocabSize", `must cover every action and depth token (lm_head rows); got ${cfg.text.vocabSize}`);
  }
  if (cfg.enableDepthReasoning) {
    const g = Math.round(Math.sqrt(cfg.numDepthCodes));
    if (g * g !== cfg.numDepthCodes) fail(fn, "numDepthCodes", `must be a square number (a g×g grid of depth cells); got ${cfg.numDepthCodes}`);
  }
}
