import * as tf from "@tensorflow/tfjs-core";
import { fail } from "../core/index.js";
import type { KvHeads } from "../nn/index.js";

/**
 * Growing per-layer KV cache of the LLM. Layer `l` holds K **after** the per-head QK-norm and RoPE and V raw,
 * plus the token id of every cached position (for the expert's context masks and the depth gate).
 *
 * Stored per KV head as `[T, headDim]` rows — the layout `attentionPrepared` consumes as `KvHeads` (a decode step
 * reads K in place as `K·qᵀ`) — so a step costs one append copy per head and no re-transposing of the cache.
 * {@link layer} gives the `[T, kvHeads, headDim]` view the action expert's KV adapter reads (molmoact2.md §4.1),
 * built on first use after an append. Tensors are owned by the cache: `dispose()` frees them.
 */
export class KvCache {
  readonly numLayers: number;
  private ks: (tf.Tensor2D[] | null)[];
  private vs: (tf.Tensor2D[] | null)[];
  /** Memoised `[T, kvHeads, headDim]` views of {@link layer}, dropped on the layer's next append. */
  private views: ({ k: tf.Tensor3D; v: tf.Tensor3D } | null)[];
  private ids: number[] = [];

  constructor(numLayers: number) {
    this.numLayers = numLayers;
    this.ks = new Array(numLayers).fill(null);
    this.vs = new Array(numLayers).fill(null);
    this.views = new Array(numLayers).fill(null);
  }

  /** Number of cached positions. */
  get length(): number {
    return this.ids.length;
  }

  /** Token ids of the cached positions (copy). */
  get tokenIds(): number[] {
    return [...this.ids];
  }

  /**
   * Layer `l`'s `{ k, v }` as `[T, kvHeads, headDim]` (owned by the cache; do not dispose; valid until the
   * layer's next append). Built once per append (one stack of the heads), not per call.
   */
  layer(l: number): { k: tf.Tensor3D; v: tf.Tensor3D } {
    const kh = this.ks[l];
    const vh = this.vs[l];
    if (!kh || !vh) return fail("KvCache.layer", "l", `must name a filled layer in [0, ${this.numLayers - 1}]; got ${l} (cache length ${this.length})`);
    let view = this.views[l];
    if (!view) {
      // kept: the view outlives any tidy scope the caller is in
      view = { k: tf.keep(tf.stack(kh, 1) as tf.Tensor3D), v: tf.keep(tf.stack(vh, 1) as tf.Tensor3D) };
      this.views[l] = view;
    }
    return view;
  }

  /** Layer `l`'s per-KV-head `k, v: [T, headDim]` (owned by the cache; valid until the layer's next append). */
  heads(l: number): KvHeads {
    const k = this.ks[l];
    const v = this.vs[l];
    if (!k || !v) return fail("KvCache.heads", "l", `must name a filled layer in [0, ${this.numLayers - 1}]; got ${l} (cache length ${this.length})`);
    return { k, v };
  }

  /**
   * Append new positions `k, v: [Tnew, kvHeads, headDim]` to layer `l` (per head, concatenated along time; the
   * old tensors are disposed, the new ones kept outside any tidy scope) and return the layer's heads. Call
   * {@link commitTokens} once per forward after all layers.
   */
  append(l: number, k: tf.Tensor3D, v: tf.Tensor3D): KvHeads {
    const [T, H, hd] = k.shape;
    if (v.rank !== 3 || v.shape.some((d, i) => d !== k.shape[i])) {
      fail("KvCache.append", "v", `must have k's shape [${k.shape.join(", ")}]; got [${v.shape.join(", ")}]`);
    }
    const oldK = this.ks[l];
    const oldV = this.vs[l];
    if (oldK && (oldK.length !== H || oldK[0].shape[1] !== hd)) {
      fail("KvCache.append", "k", `must have ${oldK.length} KV heads of ${oldK[0].shape[1]}; got [${k.shape.join(", ")}]`);
    }
    const grow = (old: tf.Tensor2D[] | null, x: tf.Tensor3D): tf.Tensor2D[] =>
      tf.tidy(() => {
        // the new rows per head: one unstack along the heads for one row (contiguous), else head-major first (a strided
        // unstack of many rows is slow on wasm)
        const parts = (T === 1 ? tf.unstack(x, 1) : tf.unstack(tf.transpose(x, [1, 0, 2]))) as tf.Tensor2D[];
        return old ? parts.map((p, j) => tf.concat([old[j], p], 0) as tf.Tensor2D) : parts;
      });
    const nk = grow(oldK, k).map((t) => tf.keep(t));
    const nv = grow(oldV, v).map((t) => tf.keep(t));
    if (oldK) for (const t of oldK) t.dispose();
    if (oldV) for (const t of oldV) t.dispose();
    this.dropView(l);
    this.ks[l] = nk;
    this.vs[l] = nv;
    return { k: nk, v: nv };
  }

  /** Record the token ids of the positions just appended. */
  commitTokens(ids: readonly number[]): void {
    this.ids.push(...ids);
  }

  /** Free every tensor and empty the cache. */
  dispose(): void {
    for (let l = 0; l < this.numLayers; l++) {
      for (const t of [...(this.ks[l] ?? []), ...(this.vs[l] ?? [])]) t.dispose();
      this.dropView(l);
    }
    this.ks.fill(null);
    this.vs.fill(null);
    this.ids = [];
  }

  private dropView(l: number): void {
    const view = this.views[l];
    if (view) {
      view.k.dispose();
      view.v.dispose();
      this.views[l] = null;
    }
  }
}
