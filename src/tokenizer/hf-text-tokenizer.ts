import { describe, fail } from "../core/index.js";
import { parseHfTokenizerSpec, parseTokenizerConfig, type HfTokenizerConfig, type HfTokenizerSpec } from "../io/index.js";
import { buildAddedVocab, type AddedVocab } from "./added-vocab.js";
import { BpeModel } from "./bpe.js";
import { bytesToByteLevel, CHAR_TO_BYTE } from "./byte-level.js";
import { compilePreTokenizer } from "./pretokenize.js";
import { compileNormalizer } from "./text-normalizer.js";

/** Options of {@link HfTextTokenizer.decode}. */
export interface HfDecodeOptions {
  /** Drop special added tokens (`skip_special_tokens`). Default false. */
  skipSpecialTokens?: boolean;
}

const LONE_SURROGATE = /[\uD800-\uDFFF]/u;
/** Words up to this many UTF-16 units are cached (prompts repeat the same words). */
const CACHE_WORD_MAX = 64;
const CACHE_ENTRIES = 10000;

/** ByteLevel decoder rule for one token: its chars through the GPT-2 byte map, else its own UTF-8. */
function byteLevelBytes(tok: string): Uint8Array {
  const cps = Array.from(tok, (ch) => ch.codePointAt(0) as number);
  if (cps.every((cp) => CHAR_TO_BYTE.has(cp))) return Uint8Array.from(cps, (cp) => CHAR_TO_BYTE.get(cp) as number);
  return new TextEncoder().encode(tok);
}

/**
 * A byte-level BPE text tokenizer read from a Hugging Face `tokenizer.json`, encoding and decoding like the
 * `tokenizers` library (as `PreTrainedTokenizerFast` calls it; no post-processor, so no BOS/EOS is added):
 * added tokens are cut out of the raw text first (leftmost-longest; `normalized: false` ones on the raw
 * text, the others on each normalized piece; lstrip / rstrip / single_word honoured); every other piece goes
 * normalizer → pre-tokenizer (Split / ByteLevel) → BPE (merge ranks, `ignore_merges`) → ids.
 * Not applied: truncation, padding, post-processor and transformers' `clean_up_tokenization_spaces`.
 */
export class HfTextTokenizer {
  /** Model vocabulary entries (transformers' `vocab_size`, added tokens not counted). */
  readonly vocabSize: number;
  /** Distinct tokens including added ones (transformers' `len(tokenizer)`). */
  readonly size: number;
  /** Ids of the config's special tokens; null when absent (or when no tokenizer_config was given). */
  readonly bosTokenId: number | null;
  readonly eosTokenId: number | null;
  readonly padTokenId: number | null;
  readonly unkTokenId: number | null;
  /** Added tokens: content → `{ id, special }`. */
  readonly addedTokens: ReadonlyMap<string, { id: number; special: boolean }>;
  /** The tokenizer_config.json as parsed, when given. */
  readonly config: HfTokenizerConfig | null;

  private readonly bpe: BpeModel;
  private readonly added: AddedVocab;
  private readonly ignoreMerges: boolean;
  private readonly byteLevelDecoder: boolean;
  private readonly normalizeFn: (s: string) => string;
  private readonly preTokenizeFn: (s: string) => string[];
  private readonly addedBytes = new Map<number, Uint8Array>();
  private readonly cache = new Map<string, number[]>();
  private readonly utf8 = new TextEncoder();
  // ignoreBOM: keep a leading U+FEFF, as Rust's from_utf8_lossy does
  private readonly utf8Decoder = new TextDecoder("utf-8", { fatal: false, ignoreBOM: true });

  /** Build from a parsed spec (see {@link parseHfTokenizerSpec}) and an optional parsed tokenizer_config. */
  constructor(spec: HfTokenizerSpec, config?: HfTokenizerConfig | null) {
    const fn = "HfTextTokenizer";
    this.bpe = new BpeModel(new Map(spec.model.vocab), spec.model.merges);
    this.ignoreMerges = spec.model.ignoreMerges;
    this.byteLevelDecoder = spec.decoder !== null;
    this.normalizeFn = compileNormalizer(spec.normalizer);
    this.preTokenizeFn = compilePreTokenizer(spec.preTokenizer, fn);
    this.added = buildAddedVocab(fn, spec.addedTokens, this.bpe.vocab, this.normalizeFn);
    for (const [id, form] of this.added.decodeForm) this.addedBytes.set(id, byteLevelBytes(form));
    this.vocabSize = this.bpe.vocab.size;
    let extra = 0;
    for (const c of this.added.byContent.keys()) if (!this.bpe.vocab.has(c)) extra++;
    this.size = this.vocabSize + extra;
    const addedTokens = new Map<string, { id: number; special: boolean }>();
    for (const [content, id] of this.added.byContent) addedTokens.set(content, { id, special: this.added.special.has(content) });
    this.addedTokens = addedTokens;
    this.config = config ?? null;
    const named = (field: string, tok: string | null): number | null => (tok === null ? null : this.configToken(fn, field, tok));
    this.bosTokenId = named("bos_token", config?.bosToken ?? null);
    this.eosTokenId = named("eos_token", config?.eosToken ?? null);
    this.padTokenId = named("pad_token", config?.padToken ?? null);
    this.unkTokenId = named("unk_token", config?.unkToken ?? null);
    if (config) this.checkConfig(fn, config);
  }

  /** Build from tokenizer.json (text or parsed JSON) and optionally tokenizer_config.json. */
  static fromJson(tokenizerJson: string | object, tokenizerConfigJson?: string | object | null): HfTextTokenizer {
    const spec = parseHfTokenizerSpec(tokenizerJson);
    const config = tokenizerConfigJson === undefined || tokenizerConfigJson === null ? null : parseTokenizerConfig(tokenizerConfigJson);
    return new HfTextTokenizer(spec, config);
  }

  /**
   * A token named by tokenizer_config must already be an added token of tokenizer.json: transformers would
   * otherwise add it as a new special token, changing ids and splits, which this class does not reproduce.
   */
  private configToken(fn: string, field: string, content: string): number {
    const id = this.added.byContent.get(content);
    if (id === undefined) fail(fn, `tokenizerConfigJson.${field}`, `must be an added token of tokenizer.json (transformers would add it; not supported); got ${JSON.stringify(content)}`);
    return id;
  }

  private checkConfig(fn: string, config: HfTokenizerConfig): void {
    config.additionalSpecialTokens.forEach((c, i) => this.configToken(fn, `additional_special_tokens[${i}]`, c));
    config.extraSpecialTokens.forEach((t, i) => this.configToken(fn, `extra_special_tokens[${t.name === null ? i : JSON.stringify(t.name)}]`, t.content));
    for (const e of config.addedTokensDecoder) {
      const field = `tokenizerConfigJson.added_tokens_decoder["${e.id}"]`;
      const t = this.added.byId.get(e.id);
      if (t === undefined || t.content !== e.content) fail(fn, field, `must match tokenizer.json's added token ${e.id} (${t === undefined ? "none" : JSON.stringify(t.content)}); got ${JSON.stringify(e.content)}`);
      const diff = (["special", "lstrip", "rstrip", "singleWord", "normalized"] as const).filter((k) => t[k] !== e[k]);
      if (diff.length > 0) fail(fn, field, `must have the same flags as tokenizer.json (transformers would overwrite them; not supported); ${diff.map((k) => `${k} is ${e[k]} here, ${t[k]} there`).join(", ")}`);
    }
  }

  /** The normalizer alone (identity when the file has none). */
  normalize(text: string): string {
    return this.normalizeFn(text);
  }

  /**
   * The pieces `encode` hands to BPE, before the byte mapping: added tokens as their content, every other
   * piece normalized and pre-tokenized (Python: the `tokens` of an Encoding, un-byte-mapped). For debugging.
   */
  preTokenize(text: string): string[] {
    const out: string[] = [];
    for (const piece of this.added.raw.split(this.checkText("HfTextTokenizer.preTokenize", text))) {
      if ("id" in piece) out.push(this.added.byId.get(piece.id)?.content ?? "");
      else if (piece.text !== "") {
        for (const q of this.added.normalized.split(this.normalizeFn(piece.text))) {
          if ("id" in q) out.push(this.added.decodeForm.get(q.id) ?? "");
          else if (q.text !== "") out.push(...this.preTokenizeFn(q.text));
        }
      }
    }
    return out;
  }

  private checkText(fn: string, text: string): string {
    if (typeof text !== "string") fail(fn, "text", `must be a string; got ${describe(text)}`);
    const bad = LONE_SURROGATE.exec(text);
    if (bad) fail(fn, "text", `must be well-formed UTF-16 (tokenizers takes UTF-8); got a lone surrogate at index ${bad.index}`);
    return text;
  }

  /** Text → ids. No special tokens are added around it; special-token strings in the text become their ids. */
  encode(text: string): number[] {
    const out: number[] = [];
    for (const piece of this.added.raw.split(this.checkText("HfTextTokenizer.encode", text))) {
      if ("id" in piece) out.push(piece.id);
      else if (piece.text !== "") this.encodeSegment(piece.text, out);
    }
    return out;
  }

  private encodeSegment(raw: string, out: number[]): void {
    for (const piece of this.added.normalized.split(this.normalizeFn(raw))) {
      if ("id" in piece) out.push(piece.id);
      else if (piece.text !== "") for (const word of this.preTokenizeFn(piece.text)) this.encodeWord(word, out);
    }
  }

  private encodeWord(word: string, out: number[]): void {
    const hit = this.cache.get(word);
    if (hit) {
      for (const id of hit) out.push(id);
      return;
    }
    const bytes = this.utf8.encode(word);
    const ids: number[] = [];
    const whole = this.ignoreMerges ? this.bpe.vocab.get(bytesToByteLevel(bytes)) : undefined;
    if (whole !== undefined) ids.push(whole);
    else this.bpe.encodeWordBytes(bytes, 0, bytes.length, ids);
    if (word.length <= CACHE_WORD_MAX) {
      if (this.cache.size >= CACHE_ENTRIES) this.cache.clear();
      this.cache.set(word, ids);
    }
    for (const id of ids) out.push(id);
  }

  /**
   * Ids → text, like `tokenizers` decode: ids that are neither added nor in the vocab are skipped (as
   * `tokenizers` does); `skipSpecialTokens` drops a token whose string ({@link idToToken}) is the content of
   * a special token (so a special `normalized: true` token that the normalizer changes is kept, as in
   * `tokenizers` 0.23); the ByteLevel decoder maps tokens back to bytes and invalid UTF-8 becomes U+FFFD;
   * without a decoder the tokens are joined with spaces.
   */
  decode(ids: readonly number[], options: HfDecodeOptions = {}): string {
    const fn = "HfTextTokenizer.decode";
    if (!Array.isArray(ids)) fail(fn, "ids", `must be an array of integer ids; got ${describe(ids)}`);
    const skip = options.skipSpecialTokens ?? false;
    const parts: Uint8Array[] = [];
    const words: string[] = [];
    let total = 0;
    ids.forEach((id, i) => {
      if (!Number.isInteger(id) || id < 0) fail(fn, "ids", `must hold integers >= 0; got ${describe(id)} at [${i}]`);
      const added = this.added.decodeForm.get(id);
      const tok = added !== undefined ? added : this.bpe.idToToken[id];
      if (tok === undefined || (skip && this.added.special.has(tok))) return;
      if (!this.byteLevelDecoder) {
        words.push(tok);
        return;
      }
      const b = added !== undefined ? (this.addedBytes.get(id) as Uint8Array) : (this.bpe.tokenBytes[id] as Uint8Array);
      parts.push(b);
      total += b.length;
    });
    if (!this.byteLevelDecoder) return words.join(" ");
    const buf = new Uint8Array(total);
    let at = 0;
    for (const p of parts) {
      buf.set(p, at);
      at += p.length;
    }
    return this.utf8Decoder.decode(buf);
  }

  /** Id of a token string (added tokens first, then the model vocab), or undefined. */
  tokenToId(token: string): number | undefined {
    return this.added.byContent.get(token) ?? this.bpe.vocab.get(token);
  }

  /**
   * Token string of an id (added tokens first, then the model vocab), or undefined. Like `tokenizers`, a
   * `normalized: true` added token comes back normalized (`"MASK"` under Lowercase → `"mask"`).
   */
  idToToken(id: number): string | undefined {
    return this.added.decodeForm.get(id) ?? this.bpe.idToToken[id];
  }

  /** Whether `id` is an added token flagged special. */
  isSpecial(id: number): boolean {
    const t = this.added.byId.get(id);
    return t !== undefined && this.added.special.has(t.content);
  }
}
