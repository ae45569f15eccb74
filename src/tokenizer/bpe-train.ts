import { fail } from "../core/index.js";

/** Progress of {@link trainBpe}: `phase` and how far it is (`done` of `total`). */
export interface TrainProgress {
  phase: "count" | "merge";
  done: number;
  total: number;
}

export interface TrainBpeOptions {
  /** Stop when the vocabulary has this many entries (alphabet included). */
  vocabSize: number;
  /** Pairs seen fewer times than this are never merged (HF default in FAST `fit`: 2). */
  minFrequency?: number;
  /** Chars that are always in the alphabet (code points), e.g. FAST's raw `chr(0..max-min)`. */
  initialAlphabet?: readonly number[];
  /** New pairs longer than this (in chars) are not counted (HF `max_token_length`; FAST uses 10000). */
  maxTokenLength?: number;
  onProgress?: (p: TrainProgress) => void;
}

export interface TrainBpeResult {
  /** Token strings in id order (id = index). */
  vocab: string[];
  /** Merges in rank order as `[left, right]`; a pair merged twice keeps only its last rank (as HF saves it). */
  merges: [string, string][];
}

const K = 67108864; // 2^26: pair key = a*K + b

interface Entry {
  a: number;
  b: number;
  count: number;
  pos: Set<number>;
}

/** max-heap order of HF `Merge`: higher count first, then smaller (a, b) first. */
function before(x: Entry, y: Entry): boolean {
  if (x.count !== y.count) return x.count > y.count;
  if (x.a !== y.a) return x.a < y.a;
  return x.b < y.b;
}

class Heap {
  items: Entry[] = [];
  get size(): number {
    return this.items.length;
  }
  push(e: Entry): void {
    const it = this.items;
    it.push(e);
    let i = it.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!before(e, it[p])) break;
      it[i] = it[p];
      i = p;
    }
    it[i] = e;
  }
  pop(): Entry {
    const it = this.items;
    const top = it[0];
    const last = it.pop() as Entry;
    if (it.length > 0) {
      let i = 0;
      const n = it.length;
      for (;;) {
        let c = 2 * i + 1;
        if (c >= n) break;
        if (c + 1 < n && before(it[c + 1], it[c])) c++;
        if (!before(it[c], last)) break;
        it[i] = it[c];
        i = c;
      }
      it[i] = last;
    }
    return top;
  }
}

/**
 * Train a BPE vocabulary exactly like Hugging Face `tokenizers` `BpeTrainer` (no special tokens, no
 * prefixes/suffixes, no alphabet limit): alphabet = every char seen ∪ initial alphabet sorted by code point;
 * pair counts weighted by word counts; repeatedly merge the pair with the highest count (ties: smallest
 * (left id, right id)), stale queue entries re-queued with their fresh count; stop at `vocabSize`, an empty
 * queue or a count below `minFrequency`. The merged token reuses an existing id if the string exists.
 *
 * `wordCounts` maps pre-tokenized (byte-level) words to their counts.
 */
export function trainBpe(wordCounts: ReadonlyMap<string, number>, opts: TrainBpeOptions): TrainBpeResult {
  const fn = "trainBpe";
  const vocabSize = opts.vocabSize;
  if (!Number.isInteger(vocabSize) || vocabSize < 1) fail(fn, "vocabSize", `must be an integer >= 1; got ${vocabSize}`);
  const minFrequency = opts.minFrequency ?? 0;
  const maxLen = opts.maxTokenLength ?? Number.MAX_SAFE_INTEGER;
  const progress = opts.onProgress;

  // 2. alphabet
  const alpha = new Set<number>(opts.initialAlphabet ?? []);
  for (const w of wordCounts.keys()) for (const ch of w) alpha.add(ch.codePointAt(0) as number);
  const idToWord: string[] = [];
  const wordToId = new Map<string, number>();
  for (const cp of [...alpha].sort((x, y) => x - y)) {
    const s = String.fromCodePoint(cp);
    wordToId.set(s, idToWord.length);
    idToWord.push(s);
  }
  if (idToWord.length >= K) fail(fn, "wordCounts", `must have fewer than ${K} distinct chars; got ${idToWord.length}`);

  // 3. tokenize words
  const words: number[][] = [];
  const lens: number[][] = [];
  const counts: number[] = [];
  for (const [w, cnt] of wordCounts) {
    const ids: number[] = [];
    for (const ch of w) ids.push(wordToId.get(ch) as number);
    words.push(ids);
    lens.push(ids.map(() => 1));
    counts.push(cnt);
  }

  // 4. pair counts
  const pairCounts = new Map<number, number>();
  let whereToUpdate = new Map<number, Set<number>>();
  words.forEach((w, i) => {
    for (let j = 0; j + 1 < w.length; j++) {
      const key = w[j] * K + w[j + 1];
      pairCounts.set(key, (pairCounts.get(key) ?? 0) + counts[i]);
      let s = whereToUpdate.get(key);
      if (!s) whereToUpdate.set(key, (s = new Set()));
      s.add(i);
    }
    if (progress && (i & 1023) === 0) progress({ phase: "count", done: i, total: words.length });
  });
  progress?.({ phase: "count", done: words.length, total: words.length });
  const queue = new Heap();
  const flush = () => {
    for (const [key, pos] of whereToUpdate) {
      const count = pairCounts.get(key) as number;
      if (count > 0) queue.push({ a: Math.floor(key / K), b: key % K, count, pos });
    }
    whereToUpdate = new Map();
  };
  flush();

  // 5. merges
  const merges: [number, number, number][] = [];
  const target = Math.max(vocabSize - idToWord.length, 0);
  for (;;) {
    if (wordToId.size >= vocabSize) break;
    if (queue.size === 0) break;
    const top = queue.pop();
    const key = top.a * K + top.b;
    const fresh = pairCounts.get(key) as number;
    if (top.count !== fresh) {
      top.count = fresh;
      queue.push(top);
      continue;
    }
    if (top.count < 1 || minFrequency > top.count) break;
    const newToken = idToWord[top.a] + idToWord[top.b];
    let newId = wordToId.get(newToken);
    if (newId === undefined) {
      newId = idToWord.length;
      idToWord.push(newToken);
      wordToId.set(newToken, newId);
    }
    merges.push([top.a, top.b, newId]);
    for (const iw of top.pos) {
      const changes = mergeWord(words[iw], lens[iw], top.a, top.b, newId, maxLen);
      for (let c = 0; c < changes.length; c += 2) {
        const pk = changes[c];
        const change = changes[c + 1];
        pairCounts.set(pk, (pairCounts.get(pk) ?? 0) + change * counts[iw]);
        if (change > 0) {
          let s = whereToUpdate.get(pk);
          if (!s) whereToUpdate.set(pk, (s = new Set()));
          s.add(iw);
        }
      }
    }
    flush();
    progress?.({ phase: "merge", done: merges.length, total: target });
  }

  // a pair merged twice keeps its last rank only (HF builds a pair → (rank, id) map before saving)
  const lastRank = new Map<number, number>();
  merges.forEach(([a, b], r) => lastRank.set(a * K + b, r));
  const out: [string, string][] = [];
  merges.forEach(([a, b], r) => {
    if (lastRank.get(a * K + b) === r) out.push([idToWord[a], idToWord[b]]);
  });
  return { vocab: idToWord, merges: out };
}

/**
 * HF `Word::merge`: replace every (c1, c2) left to right; returns flattened [pairKey, change, ...] with the
 * -1/+1 pair-count changes around each merge (new pairs only if shorter than `maxLen` chars).
 */
function mergeWord(w: number[], lens: number[], c1: number, c2: number, rep: number, maxLen: number): number[] {
  const changes: number[] = [];
  let i = 0;
  while (i < w.length) {
    if (w[i] === c1 && i + 1 < w.length && w[i + 1] === c2) {
      const newLen = lens[i] + lens[i + 1];
      if (i > 0) {
        changes.push(w[i - 1] * K + c1, -1);
        if (lens[i - 1] + newLen < maxLen) changes.push(w[i - 1] * K + rep, 1);
      }
      w.splice(i, 2, rep);
      lens.splice(i, 2, newLen);
      if (i < w.length - 1) {
        changes.push(c2 * K + w[i + 1], -1);
        if (lens[i + 1] + newLen < maxLen) changes.push(rep * K + w[i + 1], 1);
      }
    }
    i++;
  }
  return changes;
}
