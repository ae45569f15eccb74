import * as tf from "@tensorflow/tfjs-core";
import { fail } from "../core/index.js";

/**
 * Growing per-layer KV cache of the LLM. Layer `l` holds `k: [T, kvHeads, headDim]` **after** the
 * per-head QK-norm and RoPE, and `v: [T, kvHeads, headDim]` raw — exactly what the action expert's
 * KV adapter reads (molmoact2.md §4.1) — plus the token id of every cached position (for the
 * expert's context masks and the depth gate). Tensors are owned by the cache: `dispose()` frees them.
 */
export class KvCache {
  readonly numLayers: number;
  private ks: (tf.Tensor3D | null)[];
  private vs: (tf.Tensor3D | null)[];
  private ids: number[] = [];

  constructor(numLayers: number) {
    this.numLayers = numLayers;
    this.ks = new Array(numLayers).fill(null);
    this.vs = new Array(numLayers).fill(null);
  }

  /** Number of cached positions. */
  get length(): number {
    return this.ids.length;
  }

  /** Token ids of the cached positions (copy). */
  get tokenIds(): number[] {
    return [...this.ids];
  }

  /** Layer `l`'s `{ k, v }` (`[T, kvHeads, headDim]`, owned by the cache; do not dispose). */
  layer(l: number): { k: tf.Tensor3D; v: tf.Tensor3D } {
    const k = this.ks[l];
    const v = this.vs[l];
    if (!k || !v) return fail("KvCache.layer", "l", `must name a filled layer in [0, ${this.numLayers - 1}]; got ${l} (cache length ${this.length})`);
    return { k, v };
  }

  /**
   * Append new positions to layer `l` (concatenated along time; the old tensors are disposed, the new
   * ones kept outside any tidy scope). Call {@link commitTokens} once per forward after all layers.
   */
  append(l: number, k: tf.Tensor3D, v: tf.Tensor3D): { k: tf.Tensor3D; v: tf.Tensor3D } {
    const oldK = this.ks[l];
    const oldV = this.vs[l];
    const nk = tf.keep(oldK ? (tf.concat([oldK, k], 0) as tf.Tensor3D) : k.clone());
    const nv = tf.keep(oldV ? (tf.concat([oldV, v], 0) as tf.Tensor3D) : v.clone());
    oldK?.dispose();
    oldV?.dispose();
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
    for (const t of [...this.ks, ...this.vs]) t?.dispose();
    this.ks.fill(null);
    this.vs.fill(null);
    this.ids = [];
  }
}
