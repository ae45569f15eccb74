import { fail } from "../core/index.js";
import { BucketMerger, PairTable } from "./bpe-bucket.js";

/** Heap key = rank · 2^22 + position: positions must stay below 2^22 (4 Mi bytes per word). */
const POS_BITS = 4194304;
/** Largest number of bytes one pre-tokenizer word may have. */
export const MAX_WORD_BYTES = POS_BITS - 1;

/**
 * The merge loop of byte-level BPE (HF `tokenizers` `Word::merge_all` semantics): a symbol list per word,
 * merges applied lowest rank first, leftmost first among equal ranks, stale entries skipped when the pair at
 * their position no longer yields the same new id. Two exact algorithms: a min-heap on (rank, position), and a
 * rank-bucket queue for monotone merge lists. Owned by {@link BpeModel}; scratch buffers are reused.
 */
export class MergeEngine {
  private readonly pairBase: number;
  /** Pair (left id, right id) → merge rank. */
  private readonly pairs: PairTable;
  private readonly bucket: BucketMerger;
  private readonly mergeNewId: Int32Array;
  private readonly byteToId: Int32Array;
  // scratch buffers
  private sc = new Int32Array(256);
  private sprev = new Int32Array(256);
  private snext = new Int32Array(256);
  private slen = new Int32Array(256);
  private heap = new Float64Array(256);
  /** True when every merge is ranked after every merge that produces one of its parts. */
  readonly monotone: boolean;

  /**
   * @param pairToMerge pair key (`left id · pairBase + right id`) → merge rank
   * @param mergeNewId new token id per merge rank
   * @param byteToId vocab id of each byte's GPT-2 char, -1 when absent
   */
  constructor(pairToMerge: Map<number, number>, mergeNewId: Int32Array, pairBase: number, byteToId: Int32Array) {
    this.mergeNewId = mergeNewId;
    this.pairBase = pairBase;
    this.byteToId = byteToId;
    const triples: [number, number, number][] = [];
    for (const [key, rank] of pairToMerge) triples.push([Math.floor(key / pairBase), key % pairBase, rank]);
    this.pairs = new PairTable(triples, triples.length);
    const mergeLeft = new Int32Array(mergeNewId.length).fill(-1);
    const mergeRight = new Int32Array(mergeNewId.length).fill(-1);
    for (const [l, r, rank] of triples) {
      mergeLeft[rank] = l;
      mergeRight[rank] = r;
    }
    // monotone merges (true for anything HF BpeTrainer writes): a merge's parts are produced only by lower ranks
    const maxProducer = new Int32Array(this.pairBase).fill(-1);
    const effective = triples;
    for (const [, , rank] of effective) {
      const id = this.mergeNewId[rank];
      if (rank > maxProducer[id]) maxProducer[id] = rank;
    }
    this.monotone = effective.every(([a, b, rank]) => maxProducer[a] < rank && maxProducer[b] < rank);
    this.bucket = new BucketMerger(this.pairs, mergeLeft, mergeRight, mergeNewId);
  }

  private ensure(n: number): void {
    if (this.sc.length >= n) return;
    let m = this.sc.length;
    while (m < n) m *= 2;
    this.sc = new Int32Array(m);
    this.sprev = new Int32Array(m);
    this.snext = new Int32Array(m);
    this.slen = new Int32Array(m);
  }

  /**
   * BPE-encode one pre-tokenizer word given as UTF-8 `bytes[start..end)`; appends ids to `out`.
   */
  encodeWord(bytes: Uint8Array, start: number, end: number, out: number[]): void {
    if (this.monotone) this.encodeBucket(bytes, start, end, out);
    else this.encodeHeap(bytes, start, end, out);
  }

  /**
   * Same as {@link encodeWordBytes} with a chosen algorithm (for tests): `"heap"` is the general min-heap on
   * (rank, position); `"bucket"` needs monotone merges (see constructor) and processes one rank at a time.
   */
  encodeWordWith(method: "heap" | "bucket", bytes: Uint8Array, start: number, end: number, out: number[]): void {
    if (method === "bucket" && !this.monotone) fail("BpeModel.encodeWordBytesWith", "method", "\"bucket\" needs monotone merges (each merge ranked after every merge producing its parts)");
    if (method === "bucket") this.encodeBucket(bytes, start, end, out);
    else this.encodeHeap(bytes, start, end, out);
  }

  /** Load the word's byte ids into the symbol list; returns the symbol count. */
  private loadSymbols(bytes: Uint8Array, start: number, end: number): number {
    const n0 = end - start;
    if (n0 > MAX_WORD_BYTES) fail("BpeModel.encode", "word", `must have at most ${MAX_WORD_BYTES} bytes; got ${n0}`);
    this.ensure(n0 + 1);
    const c = this.sc;
    const prev = this.sprev;
    const next = this.snext;
    const len = this.slen;
    let n = 0;
    for (let i = start; i < end; i++) {
      const id = this.byteToId[bytes[i]];
      if (id < 0) continue; // char not in vocab, no unk token: dropped
      c[n] = id;
      len[n] = 1;
      prev[n] = n - 1;
      next[n] = n + 1;
      n++;
    }
    if (n > 0) next[n - 1] = -1;
    return n;
  }

  /**
   * Rank-bucket BPE: with monotone merges a merge never creates a pair of lower or equal rank, so processing
   * ranks in increasing order and positions left to right within a rank pops entries in exactly the
   * (rank, position) order of the heap, without a log factor per entry.
   */
  private encodeBucket(bytes: Uint8Array, start: number, end: number, out: number[]): void {
    const n = this.loadSymbols(bytes, start, end);
    if (n === 0) return;
    if (n === 1) out.push(this.sc[0]);
    else this.bucket.run(this.sc, this.sprev, this.snext, n, out);
  }

  /** General min-heap on rank·2^22 + position (any merge list). */
  private encodeHeap(bytes: Uint8Array, start: number, end: number, out: number[]): void {
    const n = this.loadSymbols(bytes, start, end);
    if (n === 0) return;
    const c = this.sc;
    const prev = this.sprev;
    const next = this.snext;
    const len = this.slen;
    if (n === 1) {
      out.push(c[0]);
      return;
    }
    // at most n-1 initial entries + 2 per merge (<= n-1 merges)
    if (this.heap.length < 3 * n) this.heap = new Float64Array(3 * n + 16);
    const h = this.heap;
    let hs = 0;
    for (let i = 0; i + 1 < n; i++) {
      const m = this.pairs.rank(c[i], c[i + 1]);
      if (m >= 0) h[hs++] = m * POS_BITS + i;
    }
    // Floyd heapify (min-heap on rank·2^22 + position)
    for (let start = (hs >> 1) - 1; start >= 0; start--) {
      const v = h[start];
      let i = start;
      for (;;) {
        let child = 2 * i + 1;
        if (child >= hs) break;
        if (child + 1 < hs && h[child + 1] < h[child]) child++;
        if (h[child] >= v) break;
        h[i] = h[child];
        i = child;
      }
      h[i] = v;
    }
    const newIds = this.mergeNewId;
    while (hs > 0) {
      const top = h[0];
      const last = h[--hs];
      if (hs > 0) {
        let i = 0;
        for (;;) {
          let child = 2 * i + 1;
          if (child >= hs) break;
          if (child + 1 < hs && h[child + 1] < h[child]) child++;
          if (h[child] >= last) break;
          h[i] = h[child];
          i = child;
        }
        h[i] = last;
      }
      const rank = Math.floor(top / POS_BITS);
      const pos = top - rank * POS_BITS;
      if (len[pos] === 0) continue;
      const right = next[pos];
      if (right < 0) continue;
      const cur = this.pairs.rank(c[pos], c[right]);
      const newId = newIds[rank];
      if (cur < 0 || newIds[cur] !== newId) continue; // expired entry
      c[pos] = newId;
      len[pos] += len[right];
      const rn = next[right];
      next[pos] = rn;
      len[right] = 0;
      if (rn >= 0) prev[rn] = pos;
      const pp = prev[pos];
      for (let side = 0; side < 2; side++) {
        let m: number;
        let at: number;
        if (side === 0) {
          if (pp < 0) continue;
          m = this.pairs.rank(c[pp], newId);
          at = pp;
        } else {
          if (rn < 0) continue;
          m = this.pairs.rank(newId, c[rn]);
          at = pos;
        }
        if (m < 0) continue;
        const key = m * POS_BITS + at;
        let i = hs++;
        while (i > 0) {
          const p = (i - 1) >> 1;
          if (h[p] <= key) break;
          h[i] = h[p];
          i = p;
        }
        h[i] = key;
      }
    }
    for (let i = 0; i >= 0; i = next[i]) out.push(c[i]);
  }

}
