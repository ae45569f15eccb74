import * as tf from "@tensorflow/tfjs-core";
import { fail } from "../core/index.js";
import type { KvCache } from "./kv-cache.js";
import type { Qwen3Decoder } from "./llm.js";

/** Hook to edit next-token logits in place before the argmax (constrained decoding, tests). */
export type LogitsProcessor = (logits: Float32Array, generated: readonly number[]) => void;

/**
 * One autoregressive pass over the LLM: owns the KV cache and the logits of the last fed position.
 * `feed` runs one or many tokens (a multi-token forward = the depth replay), `next` picks the
 * greedy next id, optionally constrained to an id range (the 128 depth codes).
 */
export class DecodeSession {
  readonly llm: Qwen3Decoder;
  readonly cache: KvCache;
  /** Ids generated or fed after the prompt (for logits processors). */
  readonly generated: number[] = [];
  /** Number of forward calls and tokens fed (prefill included). */
  forwards = 0;
  tokensFed = 0;
  private last: tf.Tensor1D | null = null;

  constructor(llm: Qwen3Decoder) {
    this.llm = llm;
    this.cache = llm.newCache();
  }

  /**
   * Run `x: [T, d]` (embeddings of `ids`) and keep the last position's logits. `imageBlock` = the
   * processor's `token_type_ids` for the prefill (image tokens attend to each other bidirectionally).
   */
  feedEmbeddings(x: tf.Tensor2D, ids: readonly number[], imageBlock?: ArrayLike<number>): void {
    const logits = tf.tidy(() => {
      const h = this.llm.forward(x, ids, this.cache, imageBlock);
      const lastRow = tf.slice(h, [h.shape[0] - 1, 0], [1, h.shape[1]]) as tf.Tensor2D;
      return tf.reshape(this.llm.logits(lastRow), [-1]) as tf.Tensor1D;
    });
    this.last?.dispose();
    this.last = logits;
    this.forwards++;
    this.tokensFed += ids.length;
  }

  /** Embed and run `ids` in one forward (positions continue from the cache). */
  feed(ids: readonly number[], record = true): void {
    if (ids.length === 0) fail("DecodeSession.feed", "ids", "must hold at least one id; got an empty array");
    const x = this.llm.embed(ids);
    try {
      this.feedEmbeddings(x, ids);
    } finally {
      x.dispose();
    }
    if (record) this.generated.push(...ids);
  }

  /**
   * Greedy next id: argmax over the whole vocabulary, or over `[range[0], range[1])` only
   * (returned as a vocabulary id). With a `processor`, the logits are read back and edited first.
   */
  async next(range?: readonly [number, number], processor?: LogitsProcessor): Promise<number> {
    const last = this.last;
    if (!last) return fail("DecodeSession.next", "this", "must have fed at least one token; got none");
    if (range) {
      const [s, e] = range;
      if (!(Number.isInteger(s) && Number.isInteger(e) && s >= 0 && e > s && e <= last.shape[0])) {
        fail("DecodeSession.next", "range", `must be [start, end) inside [0, ${last.shape[0]}); got [${s}, ${e})`);
      }
    }
    if (processor) {
      const data = Float32Array.from(await last.data());
      processor(data, this.generated);
      const [s, e] = range ?? [0, data.length];
      let best = s;
      for (let i = s + 1; i < e; i++) if (data[i] > data[best]) best = i;
      if (!Number.isFinite(data[best])) fail("DecodeSession.next", "logits", `must be finite; got ${data[best]} at id ${best}`);
      return best;
    }
    const idx = tf.tidy(() => (range ? tf.argMax(tf.slice(last, [range[0]], [range[1] - range[0]])) : tf.argMax(last)));
    const v = (await idx.data())[0];
    idx.dispose();
    return (range ? range[0] : 0) + v;
  }

  /** The last position's logits `[vocab]` (owned by the session). */
  get lastLogits(): tf.Tensor1D {
    return this.last ?? fail("DecodeSession.lastLogits", "this", "must have fed at least one token; got none");
  }

  dispose(): void {
    this.last?.dispose();
    this.last = null;
    this.cache.dispose();
  }
}
