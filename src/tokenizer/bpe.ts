import { fail } from "../core/index.js";
import { MergeEngine } from "./bpe-merge.js";
import { BYTE_TO_CHAR, CHAR_TO_BYTE, decodeUtf8Lossy } from "./byte-level.js";

export { MAX_WORD_BYTES } from "./bpe-merge.js";

/**
 * A byte-level BPE model (vocabulary + ranked merges) that encodes and decodes exactly like Hugging Face
 * `tokenizers` with a ByteLevel pre-tokenizer/decoder, no unk token, no dropout.
 *
 * - encode(word bytes): each byte → its GPT-2 char → vocab id (chars missing from the vocab are silently
 *   dropped, as in `tokenizers` without an unk token); then merges are applied lowest rank first, leftmost
 *   first among equal ranks (the merge engine in `bpe-merge.ts`).
 * - decode: per token, the bytes of its chars when every char is in the GPT-2 byte map, else the token's
 *   own UTF-8 bytes (the ByteLevel decoder rule).
 */
export class BpeModel {
  /** Token string per id (holes are `undefined`). */
  readonly idToToken: readonly (string | undefined)[];
  /** Token string → id. */
  readonly vocab: ReadonlyMap<string, number>;
  /** Merges in rank order, as `[left, right]` token strings. */
  readonly merges: readonly (readonly [string, string])[];
  /** Bytes the ByteLevel decoder emits for each id (undefined for holes). */
  readonly tokenBytes: readonly (Uint8Array | undefined)[];
  /** Byte count of each id's decoded bytes, -1 for holes (hot-loop form of `tokenBytes`). */
  readonly tokenByteLength: Int32Array;

  /** All ids' decoded bytes back to back; id i's are `flatBytes[flatStart[i] .. flatStart[i] + length)`. */
  private readonly flatBytes: Uint8Array;
  private readonly flatStart: Int32Array;
  /**
   * Code points of each id whose bytes are complete, valid UTF-8 on their own (-1 count otherwise): such
   * tokens decode the same alone as inside any sequence, so decode can skip the byte stage for them.
   */
  private readonly cpCount: Int32Array;
  private readonly cpStart: Int32Array;
  private readonly flatCps: Int32Array;

  private readonly byteToId: Int32Array;
  private readonly pairBase: number;
  private readonly pairToMerge: Map<number, number>;
  private readonly mergeNewId: Int32Array;
  private readonly engine: MergeEngine;

  constructor(vocab: ReadonlyMap<string, number>, merges: readonly (readonly [string, string])[]) {
    const fn = "BpeModel";
    let maxId = -1;
    for (const [tok, id] of vocab) {
      if (!Number.isInteger(id) || id < 0) fail(fn, "vocab", `ids must be integers >= 0; got ${id} for ${JSON.stringify(tok)}`);
      if (id > maxId) maxId = id;
    }
    const idToToken: (string | undefined)[] = new Array(maxId + 1).fill(undefined);
    for (const [tok, id] of vocab) {
      if (idToToken[id] !== undefined) fail(fn, "vocab", `must map each id once; id ${id} is used by ${JSON.stringify(idToToken[id])} and ${JSON.stringify(tok)}`);
      idToToken[id] = tok;
    }
    this.idToToken = idToToken;
    this.vocab = vocab;
    this.merges = merges;
    this.byteToId = new Int32Array(256).fill(-1);
    for (let b = 0; b < 256; b++) {
      const id = vocab.get(String.fromCodePoint(BYTE_TO_CHAR[b]));
      if (id !== undefined) this.byteToId[b] = id;
    }
    this.pairBase = maxId + 1;
    this.pairToMerge = new Map();
    this.mergeNewId = new Int32Array(merges.length);
    merges.forEach(([a, b], rank) => {
      const ia = vocab.get(a);
      const ib = vocab.get(b);
      const inew = vocab.get(a + b);
      if (ia === undefined || ib === undefined) fail(fn, "merges", `must only use tokens from the vocab; merge ${rank} is ${JSON.stringify([a, b])}`);
      if (inew === undefined) fail(fn, "merges", `must produce tokens that are in the vocab; merge ${rank} gives ${JSON.stringify(a + b)}`);
      this.mergeNewId[rank] = inew;
      // a repeated pair keeps its last rank (as `tokenizers` does when building its merge map)
      this.pairToMerge.set(ia * this.pairBase + ib, rank);
    });
    this.tokenBytes = idToToken.map((tok) => (tok === undefined ? undefined : tokenToBytes(tok)));
    // one flat buffer: decode copies bytes in a plain loop instead of a typed-array set() per token
    this.tokenByteLength = new Int32Array(idToToken.length).fill(-1);
    this.flatStart = new Int32Array(idToToken.length);
    let flatSize = 0;
    for (const t of this.tokenBytes) flatSize += t?.length ?? 0;
    this.flatBytes = new Uint8Array(flatSize);
    let at = 0;
    this.tokenBytes.forEach((t, id) => {
      if (t === undefined) return;
      this.tokenByteLength[id] = t.length;
      this.flatStart[id] = at;
      this.flatBytes.set(t, at);
      at += t.length;
    });
    this.cpCount = new Int32Array(idToToken.length).fill(-1);
    this.cpStart = new Int32Array(idToToken.length);
    const cps: number[] = [];
    const scratch = new Int32Array(this.flatBytes.length + 1);
    this.tokenBytes.forEach((t, id) => {
      if (t === undefined) return;
      const n = decodeUtf8Lossy(t, t.length, scratch);
      // reject lossy results (U+FFFD stands for bytes it replaced) and truncated sequences
      for (let i = 0; i < n; i++) if (scratch[i] === 0xfffd) return;
      this.cpCount[id] = n;
      this.cpStart[id] = cps.length;
      for (let i = 0; i < n; i++) cps.push(scratch[i]);
    });
    this.flatCps = Int32Array.from(cps);
    this.engine = new MergeEngine(this.pairToMerge, this.mergeNewId, this.pairBase, this.byteToId);
  }

  /** Number of id slots (largest id + 1); ids at or above it are unknown. */
  get size(): number {
    return this.idToToken.length;
  }

  /**
   * BPE-encode one pre-tokenizer word given as UTF-8 `bytes[start..end)`; appends ids to `out`.
   */
  encodeWordBytes(bytes: Uint8Array, start: number, end: number, out: number[]): void {
    this.engine.encodeWord(bytes, start, end, out);
  }

  /**
   * Same as {@link encodeWordBytes} with a chosen algorithm (for tests): `"heap"` is the general min-heap on
   * (rank, position); `"bucket"` needs monotone merges and processes one rank at a time.
   */
  encodeWordBytesWith(method: "heap" | "bucket", bytes: Uint8Array, start: number, end: number, out: number[]): void {
    this.engine.encodeWordWith(method, bytes, start, end, out);
  }

  /** True when every merge is ranked after every merge producing one of its parts (fast bucket path). */
  get monotone(): boolean {
    return this.engine.monotone;
  }

  /**
   * Code points of the concatenated ByteLevel bytes of `ids` when every id is in the vocab and its bytes are
   * complete UTF-8 on their own (then lossy UTF-8 decoding of the whole equals the concatenation, and no
   * U+FFFD can appear); writes them to `out` (grown as needed) and returns `{ cps, length }`, else undefined.
   */
  decodeCodePointsDirect(ids: ArrayLike<number>, out: Int32Array): { cps: Int32Array; length: number } | undefined {
    const counts = this.cpCount;
    const size = counts.length;
    let total = 0;
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i];
      const k = id >= 0 && id < size ? counts[id] : -1;
      if (!(k >= 0)) return undefined;
      total += k;
    }
    const dst = out.length >= total ? out : new Int32Array(total);
    const flat = this.flatCps;
    const starts = this.cpStart;
    let n = 0;
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i];
      const s0 = starts[id];
      const k = counts[id];
      for (let j = 0; j < k; j++) dst[n + j] = flat[s0 + j];
      n += k;
    }
    return { cps: dst, length: n };
  }

  /**
   * Concatenate the ByteLevel-decoded bytes of `ids` into `buf` (grown as needed). Ids outside the vocab
   * are skipped; the caller decides whether that is an error. Stops after `maxBytes` bytes. Returns `{ bytes, length }`.
   */
  decodeBytes<B extends ArrayBufferLike>(ids: ArrayLike<number>, buf: Uint8Array<B>, maxBytes = Infinity): { bytes: Uint8Array<B> | Uint8Array<ArrayBuffer>; length: number } {
    const lens = this.tokenByteLength;
    const size = lens.length;
    let total = 0;
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i];
      if (id >= 0 && id < size && lens[id] > 0) total += lens[id];
    }
    const want = Math.min(total, maxBytes);
    let out: Uint8Array<B> | Uint8Array<ArrayBuffer> = buf;
    if (want > out.length) {
      const o2: Uint8Array<ArrayBuffer> = new Uint8Array(Math.max(out.length * 2, want));
      out = o2;
    }
    const flat = this.flatBytes;
    const starts = this.flatStart;
    let n = 0;
    for (let i = 0; i < ids.length && n < want; i++) {
      const id = ids[i];
      if (!(id >= 0 && id < size)) continue;
      const len = lens[id];
      if (len <= 0) continue;
      const s0 = starts[id];
      const take = Math.min(len, want - n);
      for (let k = 0; k < take; k++) out[n + k] = flat[s0 + k];
      n += take;
    }
    return { bytes: out, length: n };
  }
}

/** ByteLevel decoder rule for one token: byte-map chars → bytes, else the token's own UTF-8. */
function tokenToBytes(tok: string): Uint8Array {
  const cps = Array.from(tok, (ch) => ch.codePointAt(0) as number);
  if (cps.every((cp) => CHAR_TO_BYTE.has(cp))) return Uint8Array.from(cps, (cp) => CHAR_TO_BYTE.get(cp) as number);
  return new TextEncoder().encode(tok);
}
