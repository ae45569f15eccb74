import { fail } from "../core/index.js";

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
  private readonly pairToMerge: Map<number, number>;
  /** Open-addressing table pair key → merge index (keys and values interleaved; key -1 = empty). */
  private readonly table: Int32Array;
  private readonly tableMask: number;
  private readonly mergeNewId: Int32Array;
  private readonly byteToId: Int32Array;
  // scratch buffers
  private sc = new Int32Array(256);
  private sprev = new Int32Array(256);
  private snext = new Int32Array(256);
  private slen = new Int32Array(256);
  private heap = new Float64Array(256);
  private nodePos = new Int32Array(256);
  private nodeNext = new Int32Array(256);
  private rankHeap = new Int32Array(256);
  private posTmp = new Int32Array(256);
  /** Head node per rank for the bucket algorithm (-1 = empty); always all -1 between calls. */
  private readonly bucketHead: Int32Array;
  /** True when every merge is ranked after every merge that produces one of its parts. */
  readonly monotone: boolean;

  /**
   * @param pairToMerge pair key (`left id · pairBase + right id`) → merge rank
   * @param mergeNewId new token id per merge rank
   * @param byteToId vocab id of each byte's GPT-2 char, -1 when absent
   */
  constructor(pairToMerge: Map<number, number>, mergeNewId: Int32Array, pairBase: number, byteToId: Int32Array) {
    this.pairToMerge = pairToMerge;
    this.mergeNewId = mergeNewId;
    this.pairBase = pairBase;
    this.byteToId = byteToId;
    // pair keys fit in int32 when the vocab has < 46,341 ids: use a flat hash table, else the Map
    if (this.pairBase * this.pairBase < 2 ** 31) {
      let cap = 16;
      while (cap < this.pairToMerge.size * 2) cap *= 2;
      this.table = new Int32Array(cap * 2).fill(-1);
      this.tableMask = cap - 1;
      for (const [k, v] of this.pairToMerge) {
        let slot = hashKey(k) & this.tableMask;
        while (this.table[2 * slot] !== -1) slot = (slot + 1) & this.tableMask;
        this.table[2 * slot] = k;
        this.table[2 * slot + 1] = v;
      }
    } else {
      this.table = new Int32Array(0);
      this.tableMask = -1;
    }
    // monotone merges (true for anything HF BpeTrainer writes): a merge's parts are produced only by lower ranks
    const maxProducer = new Int32Array(this.pairBase).fill(-1);
    const effective: [number, number, number][] = [];
    for (const [key, rank] of this.pairToMerge) effective.push([Math.floor(key / this.pairBase), key % this.pairBase, rank]);
    for (const [, , rank] of effective) {
      const id = this.mergeNewId[rank];
      if (rank > maxProducer[id]) maxProducer[id] = rank;
    }
    this.monotone = effective.every(([a, b, rank]) => maxProducer[a] < rank && maxProducer[b] < rank);
    this.bucketHead = new Int32Array(mergeNewId.length).fill(-1);
  }

  /** Merge index (rank) of a pair key, or -1. */
  private lookup(key: number): number {
    const mask = this.tableMask;
    if (mask < 0) return this.pairToMerge.get(key) ?? -1;
    const t = this.table;
    let slot = hashKey(key) & mask;
    for (;;) {
      const k = t[2 * slot];
      if (k === key) return t[2 * slot + 1];
      if (k === -1) return -1;
      slot = (slot + 1) & mask;
    }
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
    const c = this.sc;
    const prev = this.sprev;
    const next = this.snext;
    const len = this.slen;
    if (n === 1) {
      out.push(c[0]);
      return;
    }
    if (this.nodePos.length < 3 * n) {
      this.nodePos = new Int32Array(3 * n + 16);
      this.nodeNext = new Int32Array(3 * n + 16);
      this.rankHeap = new Int32Array(3 * n + 16);
      this.posTmp = new Int32Array(3 * n + 16);
    }
    const head = this.bucketHead;
    const nodePos = this.nodePos;
    const nodeNext = this.nodeNext;
    const rh = this.rankHeap;
    const tmp = this.posTmp;
    let nodes = 0;
    let rs = 0;
    const base = this.pairBase;
    const newIds = this.mergeNewId;
    // positions are pushed right to left first, so each bucket list starts in ascending order
    for (let i = n - 2; i >= 0; i--) {
      const m = this.lookup(c[i] * base + c[i + 1]);
      if (m < 0) continue;
      if (head[m] === -1) {
        let k = rs++;
        while (k > 0) {
          const p = (k - 1) >> 1;
          if (rh[p] <= m) break;
          rh[k] = rh[p];
          k = p;
        }
        rh[k] = m;
      }
      nodePos[nodes] = i;
      nodeNext[nodes] = head[m];
      head[m] = nodes++;
    }
    while (rs > 0) {
      const r = rh[0];
      const last = rh[--rs];
      if (rs > 0) {
        let k = 0;
        for (;;) {
          let ch = 2 * k + 1;
          if (ch >= rs) break;
          if (ch + 1 < rs && rh[ch + 1] < rh[ch]) ch++;
          if (rh[ch] >= last) break;
          rh[k] = rh[ch];
          k = ch;
        }
        rh[k] = last;
      }
      let cnt = 0;
      let sorted = true;
      for (let node = head[r]; node !== -1; node = nodeNext[node]) {
        const p = nodePos[node];
        if (cnt > 0 && p < tmp[cnt - 1]) sorted = false;
        tmp[cnt++] = p;
      }
      head[r] = -1;
      if (!sorted) tmp.subarray(0, cnt).sort();
      const newId = newIds[r];
      for (let q = 0; q < cnt; q++) {
        const pos = tmp[q];
        if (len[pos] === 0) continue;
        const right = next[pos];
        if (right < 0) continue;
        const cur = this.lookup(c[pos] * base + c[right]);
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
            m = this.lookup(c[pp] * base + newId);
            at = pp;
          } else {
            if (rn < 0) continue;
            m = this.lookup(newId * base + c[rn]);
            at = pos;
          }
          if (m < 0) continue;
          if (head[m] === -1) {
            let k = rs++;
            while (k > 0) {
              const p = (k - 1) >> 1;
              if (rh[p] <= m) break;
              rh[k] = rh[p];
              k = p;
            }
            rh[k] = m;
          }
          nodePos[nodes] = at;
          nodeNext[nodes] = head[m];
          head[m] = nodes++;
        }
      }
    }
    for (let i = 0; i >= 0; i = next[i]) out.push(c[i]);
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
    const base = this.pairBase;
    for (let i = 0; i + 1 < n; i++) {
      const m = this.lookup(c[i] * base + c[i + 1]);
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
      const cur = this.lookup(c[pos] * base + c[right]);
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
          m = this.lookup(c[pp] * base + newId);
          at = pp;
        } else {
          if (rn < 0) continue;
          m = this.lookup(newId * base + c[rn]);
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

function hashKey(k: number): number {
  return Math.imul(k, 0x9e3779b1) >>> 7;
}
