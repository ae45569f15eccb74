/**
 * MolmoAct2 special-token ids (molmoact2.md §1.8). The defaults are derived from the release's
 * token layout (Qwen3 base vocab of 151,669, then setup, control, state, action and depth families);
 * a checkpoint's `config.json` is the authority, so every id can be overridden.
 */
export interface TokenIds {
  endOfText: number;
  imStart: number;
  /** `<|im_end|>`: EOS, also used as BOS. */
  imEnd: number;
  setupStart: number;
  setupEnd: number;
  controlStart: number;
  controlEnd: number;
  stateStart: number;
  stateEnd: number;
  /** `<state_0>`; `<state_i>` = stateTokenStart + i. */
  stateTokenStart: number;
  numStateTokens: number;
  actionOutput: number;
  actionStart: number;
  actionEnd: number;
  /** `<action_0>`; `<action_i>` = actionTokenStart + i. */
  actionTokenStart: number;
  numActionTokens: number;
  depthOutput: number;
  depthStart: number;
  depthEnd: number;
  /** `<depth_0>`; `<depth_i>` = depthTokenStart + i. */
  depthTokenStart: number;
  numDepthTokens: number;
  /** First of the 14 Molmo image tokens (`<im_start>` …), in {@link IMAGE_TOKEN_NAMES} order. */
  imageTokenStart: number;
  /** Image-token ids that differ from `imageTokenStart + index` (a checkpoint's config.json / tokenizer decide). */
  imageTokens?: Readonly<Partial<Record<ImageTokenName, number>>>;
}

/** The released layout (molmoact2.md §1.8, corroborated by third-party tests). */
export const MOLMOACT2_TOKEN_IDS: Readonly<TokenIds> = Object.freeze({
  endOfText: 151643,
  imStart: 151644,
  imEnd: 151645,
  setupStart: 151669,
  setupEnd: 151670,
  controlStart: 151671,
  controlEnd: 151672,
  stateStart: 151673,
  stateEnd: 151674,
  stateTokenStart: 151675,
  numStateTokens: 256,
  actionOutput: 151931,
  actionStart: 151932,
  actionEnd: 151933,
  actionTokenStart: 151934,
  numActionTokens: 2048,
  depthOutput: 153982,
  depthStart: 153983,
  depthEnd: 153984,
  depthTokenStart: 153985,
  numDepthTokens: 128,
  imageTokenStart: 155648,
});

/** The 14 Molmo image tokens, in id order from `imageTokenStart`. */
export const IMAGE_TOKEN_NAMES = [
  "<im_start>",
  "<im_end>",
  "<im_patch>",
  "<im_col>",
  "<low_res_im_start>",
  "<|image|>",
  "<im_low>",
  "<frame_start>",
  "<frame_end>",
  "<|video|>",
  "<|points|>",
  "<|token_index|>",
  "<|vit_index|>",
  "<|vit_loc|>",
] as const;

export type ImageTokenName = (typeof IMAGE_TOKEN_NAMES)[number];
