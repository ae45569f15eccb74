/**
 * Allocation-free merge loops for byte-level BPE: a flat pair → rank hash table and the rank-bucket merge loop
 * used with monotone merge lists (see {@link BucketMerger}). Split from bpe-merge.ts, which owns the symbol list.
 */

/** Open-addressing hash table (pair of token ids) → merge rank, stored as `[left, right, rank]` int32 triples. */
export class PairTable {
  private readonly slots: Int32Array;
  private readonly mask: number;
  /** Direct rank matrix for pairs of ids below SMALL (byte-level alphabets sit there): no hashing. */
  private readonly small: Int32Array;

  /** `pairs` yields `[left id, right id, rank]`; a repeated pair keeps the entry given last. */
  constructor(pairs: Iterable<readonly [number, number, number]>, count: number) {
    let cap = 16;
    while (cap < count * 2) cap *= 2;
    this.mask = cap - 1;
    this.slots = new Int32Array(cap * 3).fill(-1);
    this.small = new Int32Array(SMALL * SMALL).fill(-1);
    for (const [l, r, rank] of pairs) {
      let s = hashPair(l, r) & this.mask;
      while (this.slots[3 * s] !== -1 && !(this.slots[3 * s] === l && this.slots[3 * s + 1] === r)) s = (s + 1) & this.mask;
      this.slots[3 * s] = l;
      this.slots[3 * s + 1] = r;
      this.slots[3 * s + 2] = rank;
      if (l < SMALL && r < SMALL) this.small[l * SMALL + r] = rank;
    }
  }

  /** Merge rank of the pair (left, right), or -1. Ids are >= 0. */
  rank(left: number, right: number): number {
    if (left < SMALL && right < SMALL) return this.small[left * SMALL + right];
    const t = this.slots;
    const mask = this.mask;
    let s = hashPair(left, right) & mask;
    for (;;) {
      const k = t[3 * s];
      if (k === left && t[3 * s + 1] === right) return t[3 * s + 2];
      if (k === -1) return -1;
      s = (s + 1) & mask;
    }
  }
}

/** Ids below this use the direct matrix (256·256 int32 = 256 KiB per model). */
const SMALL = 256;

function hashPair(l: number, r: number): number {
  return (Math.imul(l, 0x9e3779b1) ^ Math.imul(r + 0x7f4a7c15, 0x85ebca6b)) >>> 8;
}

/**
 * Rank-bucket BPE merge loop. With monotone merges (every merge ranked after the merges producing its parts) a
 * merge never creates a pair of lower or equal rank, so processing ranks in increasing order, and positions left
 * to right within a rank, applies merges in exactly the (rank, position) order of HF `tokenizers`' heap,
 * including its expired-entry rule (an entry is stale unless the pair now at its position yields the same new id).
 * Buffers are reused between calls; nothing is allocated per word once they have grown.
 */
export class BucketMerger {
  /** Head node per rank (-1 = empty); all -1 between calls. */
  private readonly head: Int32Array;
  /** Last node per rank (valid while head is not -1). */
  private readonly tail: Int32Array;
  /** Bit set of ranks whose bucket is non-empty; all zero between calls. */
  private readonly pending: Int32Array;
  private nodePos = new Int32Array(256);
  private nodeNext = new Int32Array(256);
  private posTmp = new Int32Array(256);
  private sortTmp = new Int32Array(256);
  /** Entries used in the node pool during the current `run`. */
  private nodes = 0;
  /** Highest word of `pending` that may have a bit set during the current `run`. */
  private lastWord = -1;

  constructor(
    private readonly table: PairTable,
    private readonly mergeLeft: Int32Array,
    private readonly mergeRight: Int32Array,
    private readonly newIds: Int32Array,
  ) {
    this.head = new Int32Array(newIds.length).fill(-1);
    this.tail = new Int32Array(newIds.length);
    this.pending = new Int32Array((newIds.length >> 5) + 1);
  }

  /** Append the pair at `pos` to the tail of rank `m`'s bucket, marking the rank pending if it was empty. */
  private enqueue(m: number, pos: number): void {
    const nodes = this.nodes++;
    if (this.head[m] === -1) {
      this.pending[m >> 5] |= 1 << (m & 31);
      if (m >> 5 > this.lastWord) this.lastWord = m >> 5;
      this.head[m] = nodes;
    } else this.nodeNext[this.tail[m]] = nodes;
    this.tail[m] = nodes;
    this.nodePos[nodes] = pos;
    this.nodeNext[nodes] = -1;
  }

  /**
   * Merge the symbol list `c[0..n)` (doubly linked through `prev`/`next`, n >= 2) in place and append the final
   * ids to `out`. Removed symbols get `c = -1`.
   */
  run(c: Int32Array, prev: Int32Array, next: Int32Array, n: number, out: number[]): void {
    // each merge adds at most 2 entries: n - 1 initial + 2(n - 1)
    if (this.nodePos.length < 3 * n) {
      this.nodePos = new Int32Array(3 * n + 16);
      this.nodeNext = new Int32Array(3 * n + 16);
      this.posTmp = new Int32Array(3 * n + 16);
      this.sortTmp = new Int32Array(3 * n + 16);
    }
    const table = this.table;
    const head = this.head;
    const tail = this.tail;
    const nodePos = this.nodePos;
    const nodeNext = this.nodeNext;
    const pending = this.pending;
    this.lastWord = -1;
    const tmp = this.posTmp;
    const newIds = this.newIds;
    this.nodes = 0;
    // entries are appended at a bucket's tail: the initial ones, then each later rank pass's, each in ascending
    // position order, so most buckets come out sorted and the rest are a few ascending runs
    for (let i = 0; i < n - 1; i++) {
      const m = table.rank(c[i], c[i + 1]);
      if (m < 0) continue;
      this.enqueue(m, i);
    }
    // ranks with a non-empty bucket are bits of `pending`; with monotone merges every new entry's rank is above
    // the one being processed, so a forward scan over the bit words visits ranks in increasing order
    for (let w = 0; w <= this.lastWord; ) {
      const bits = pending[w];
      if (bits === 0) {
        w++;
        continue;
      }
      const low = bits & -bits;
      pending[w] = bits ^ low;
      const r = (w << 5) + 31 - Math.clz32(low);
      let cnt = 0;
      let sorted = true;
      for (let node = head[r]; node !== -1; node = nodeNext[node]) {
        const p = nodePos[node];
        if (cnt > 0 && p < tmp[cnt - 1]) sorted = false;
        tmp[cnt++] = p;
      }
      head[r] = -1;
      if (!sorted) {
        if (cnt <= 16) insertionSort(tmp, cnt);
        else this.mergeRuns(cnt);
      }
      const newId = newIds[r];
      const ml = this.mergeLeft[r];
      const mr = this.mergeRight[r];
      for (let q = 0; q < cnt; q++) {
        const pos = tmp[q];
        const left = c[pos];
        if (left < 0) continue; // removed by an earlier merge
        const right = next[pos];
        if (right < 0) continue;
        const rightId = c[right];
        // expired entry: HF skips an entry unless the pair now at its position yields the entry's token. The
        // string of the pair at a position only grows (its left symbol grows by absorbing its right neighbour,
        // the neighbour by absorbing its own), so that token can only come from the very same pair
        if (left !== ml || rightId !== mr) continue;
        c[pos] = newId;
        c[right] = -1;
        const rn = next[right];
        next[pos] = rn;
        if (rn >= 0) prev[rn] = pos;
        const pp = prev[pos];
        if (pp >= 0) {
          const m = table.rank(c[pp], newId);
          if (m >= 0) {
            this.enqueue(m, pp);
          }
        }
        // When this pass's next entry merges rn with its right neighbour (it will: nothing changes in between),
        // the pair (newId, c[rn]) is gone for good, so its entry would only ever be skipped as expired: not
        // creating it saves a lookup (long runs of one char merge like this, pair after pair).
        if (rn >= 0 && !(q + 1 < cnt && tmp[q + 1] === rn && c[rn] === ml && next[rn] >= 0 && c[next[rn]] === mr)) {
          const m = table.rank(newId, c[rn]);
          if (m >= 0) {
            this.enqueue(m, pos);
          }
        }
      }
    }
    for (let i = 0; i >= 0; i = next[i]) out.push(c[i]);
  }

  /**
   * Sort `posTmp[0..cnt)` ascending. A collected bucket is a few ascending runs (see `run`), so a natural
   * merge sort is close to linear, and unlike TypedArray#sort it allocates nothing.
   */
  private mergeRuns(cnt: number): void {
    let a = this.posTmp;
    let b = this.sortTmp;
    for (;;) {
      let runs = 0;
      let lo = 0;
      let o = 0;
      while (lo < cnt) {
        let mid = lo + 1;
        while (mid < cnt && a[mid] >= a[mid - 1]) mid++;
        let hi = mid;
        if (mid < cnt) {
          hi = mid + 1;
          while (hi < cnt && a[hi] >= a[hi - 1]) hi++;
        }
        let p = lo;
        let q = mid;
        while (p < mid && q < hi) b[o++] = a[p] <= a[q] ? a[p++] : a[q++];
        while (p < mid) b[o++] = a[p++];
        while (q < hi) b[o++] = a[q++];
        runs++;
        lo = hi;
      }
      const t = a;
      a = b;
      b = t;
      if (runs <= 1) break;
    }
    if (a !== this.posTmp) this.posTmp.set(a.subarray(0, cnt));
  }
}

/** For short buckets: insertion sort beats a general sort and allocates nothing. */
function insertionSort(a: Int32Array, n: number): void {
  for (let i = 1; i < n; i++) {
    const v = a[i];
    let j = i - 1;
    while (j >= 0 && a[j] > v) {
      a[j + 1] = a[j];
      j--;
    }
    a[j + 1] = v;
  }
}
