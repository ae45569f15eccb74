import * as tf from "@tensorflow/tfjs-core";
import { fail } from "../core/index.js";
import { MOLMOACT2_TOKENS, type TokenTable } from "../vocab/index.js";

/** Options of {@link contextKeyMask}. */
export interface ContextMaskOptions {
  /** Token table (ids of EOS, `<action_start>`, `<action_end>`, depth tokens); default the released table. */
  tokens?: TokenTable;
  /** Processor attention mask (1/true = real token), length T; default all valid. */
  attentionMask?: ArrayLike<number | boolean>;
  /**
   * Hide every `<|im_end|>` (EOS, also the inserted BOS) and every `<action_start> … <action_end>` span (inclusive; an
   * unclosed start hides to the end). The reference does this when the checkpoint's `action_mode` is `"both"`
   * (the released checkpoints); default true. Set false for `action_mode = "continuous"` checkpoints.
   */
  hideActionAndEos?: boolean;
}

function checkIds(fn: string, tokenIds: ArrayLike<number>): void {
  for (let i = 0; i < tokenIds.length; i++) {
    const v = tokenIds[i];
    if (!Number.isInteger(v) || v < -1) fail(fn, "tokenIds", `must be integer token ids (−1 = padding); got ${v} at [${i}]`);
  }
}

/**
 * Which context positions the action expert may cross-attend to (molmoact2.md §3.4): the encoder mask
 * (`attentionMask`, and never a `−1` padding id), minus EOS tokens and discrete action spans when `hideActionAndEos`.
 * Returns a `Uint8Array` of length T (1 = visible).
 */
export function contextKeyMask(tokenIds: ArrayLike<number>, opts: ContextMaskOptions = {}): Uint8Array {
  checkIds("contextKeyMask", tokenIds);
  const T = tokenIds.length;
  const am = opts.attentionMask;
  if (am && am.length !== T) fail("contextKeyMask", "opts.attentionMask", `must have length ${T} (one per token); got ${am.length}`);
  const ids = (opts.tokens ?? MOLMOACT2_TOKENS).ids;
  const out = new Uint8Array(T);
  for (let i = 0; i < T; i++) out[i] = tokenIds[i] !== -1 && (am ? Boolean(am[i]) : true) ? 1 : 0;
  if (opts.hideActionAndEos ?? true) {
    let inSpan = false;
    for (let i = 0; i < T; i++) {
      const id = tokenIds[i];
      if (id === ids.actionStart) inSpan = true;
      if (inSpan || id === ids.imEnd) out[i] = 0;
      if (id === ids.actionEnd) inSpan = false;
    }
  }
  return out;
}

/**
 * Depth-gate positions: 1 where the token is a depth-family token (`<depth_output>`, `<depth_start>`, `<depth_end>`,
 * `<depth_i>`) and the encoder mask is 1.
 */
export function depthTokenMask(tokenIds: ArrayLike<number>, encoderMask: ArrayLike<number>, tokens: TokenTable = MOLMOACT2_TOKENS): Uint8Array {
  checkIds("depthTokenMask", tokenIds);
  if (encoderMask.length !== tokenIds.length) {
    fail("depthTokenMask", "encoderMask", `must have length ${tokenIds.length}; got ${encoderMask.length}`);
  }
  const out = new Uint8Array(tokenIds.length);
  for (let i = 0; i < tokenIds.length; i++) out[i] = encoderMask[i] && tokens.isDepthToken(tokenIds[i]) ? 1 : 0;
  return out;
}

/**
 * Additive cross-attention bias `[1, T]` float32 from a visibility mask: 0 where visible, `maskValue` where hidden
 * (broadcast over queries). The reference uses `finfo(float32).min`; −1e9 gives the same softmax in float32 and keeps
 * a fully hidden context finite (uniform weights instead of NaN).
 */
export function keyMaskBias(visible: ArrayLike<number>, maskValue = -1e9): tf.Tensor2D {
  const d = new Float32Array(visible.length);
  for (let i = 0; i < visible.length; i++) d[i] = visible[i] ? 0 : maskValue;
  return tf.tensor2d(d, [1, visible.length]);
}
