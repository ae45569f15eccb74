import { describe, fail, parseJson } from "../core/index.js";

/**
 * The library's one reader of Hugging Face `tokenizers` files (tokenizer.json), into a typed spec, for byte-level
 * BPE tokenizers (GPT-2, Qwen2/Qwen3, MolmoAct2, and FAST through its strict `"fast"` profile). Only the parts that change ids are read; any component
 * whose behaviour is not implemented is rejected with a message naming the field, never skipped.
 * `truncation`, `padding` and `post_processor` are not applied (`PreTrainedTokenizerFast` overrides the first
 * two; MolmoAct2's processor adds BOS itself), so they are only recorded.
 */

/** One entry of `added_tokens` (the `tokenizers` AddedToken with its id). */
export interface HfAddedToken {
  id: number;
  content: string;
  /** Special tokens are dropped by `decode(..., skipSpecialTokens)`. */
  special: boolean;
  /** Swallow the whitespace on its left when matched. */
  lstrip: boolean;
  /** Swallow the whitespace on its right when matched. */
  rstrip: boolean;
  /** Only match when not glued to word characters on either side. */
  singleWord: boolean;
  /** Match on the normalized text (true) or on the raw text (false). */
  normalized: boolean;
}

export type HfUnicodeForm = "NFC" | "NFD" | "NFKC" | "NFKD";
export type HfNormalizer = { type: HfUnicodeForm | "Lowercase" } | { type: "Sequence"; normalizers: HfNormalizer[] };

export type HfSplitBehavior = "Isolated" | "Removed" | "MergedWithPrevious" | "MergedWithNext" | "Contiguous";
export type HfPreTokenizer =
  | { type: "ByteLevel"; addPrefixSpace: boolean; useRegex: boolean }
  | { type: "Split"; pattern: { kind: "Regex" | "String"; source: string }; behavior: HfSplitBehavior; invert: boolean }
  | { type: "Sequence"; pretokenizers: HfPreTokenizer[] };

/** `model` of type BPE. */
export interface HfBpeSpec {
  /** `[token, id]` entries in file order. */
  vocab: [string, number][];
  /** Merges in rank order. */
  merges: [string, string][];
  /** How the file stored its merges: `"a b"` strings (tokenizers < 0.20) or `["a", "b"]` pairs. */
  mergesFormat: "strings" | "pairs";
  /** A whole pre-token found in the vocab is taken as one id before any merge. */
  ignoreMerges: boolean;
}

export interface HfTokenizerSpec {
  addedTokens: HfAddedToken[];
  normalizer: HfNormalizer | null;
  preTokenizer: HfPreTokenizer | null;
  model: HfBpeSpec;
  /** ByteLevel or none (then `tokenizers` joins tokens with a space). */
  decoder: { type: "ByteLevel" } | null;
  /** `post_processor.type`, recorded only (never applied here). */
  postProcessor: string | null;
}

/** In `u` mode a surrogate pair is one code point, so this matches only unpaired halves. */
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

/** `describe` with booleans spelled out (it writes "boolean"). */
function show(v: unknown): string {
  return typeof v === "boolean" ? String(v) : describe(v);
}

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function typeName(v: unknown): string {
  return isObj(v) ? JSON.stringify(v.type) : describe(v);
}

/** `model.vocab` (object token → id) as entries; ids must be integers >= 0. */
function parseBpeVocab(fn: string, v: unknown): [string, number][] {
  if (!isObj(v)) fail(fn, "model.vocab", `must be an object of token → id; got ${describe(v)}`);
  const vocab: [string, number][] = [];
  for (const [tok, id] of Object.entries(v)) {
    if (typeof id !== "number" || !Number.isInteger(id) || id < 0) fail(fn, "model.vocab", `ids must be integers >= 0; got ${describe(id)} for ${JSON.stringify(tok)}`);
    vocab.push([tok, id]);
  }
  return vocab;
}

/** `model.merges` in either form: `"left right"` strings or `["left", "right"]` pairs. */
function parseBpeMerges(fn: string, m: unknown): { merges: [string, string][]; mergesFormat: "strings" | "pairs" } {
  if (!Array.isArray(m)) fail(fn, "model.merges", `must be an array; got ${describe(m)}`);
  const merges: [string, string][] = [];
  let format: "strings" | "pairs" = "pairs";
  m.forEach((e: unknown, i: number) => {
    if (typeof e === "string") {
      format = "strings";
      // tokenizers splits the legacy form on spaces and wants exactly two parts
      const sp = e.indexOf(" ");
      if (sp <= 0 || sp === e.length - 1 || e.indexOf(" ", sp + 1) >= 0) fail(fn, "model.merges", `entry ${i} must be "left right"; got ${JSON.stringify(e)}`);
      merges.push([e.slice(0, sp), e.slice(sp + 1)]);
    } else if (Array.isArray(e) && e.length === 2 && typeof e[0] === "string" && typeof e[1] === "string") {
      merges.push([e[0], e[1]]);
    } else {
      fail(fn, "model.merges", `entry ${i} must be "left right" or ["left", "right"]; got ${describe(e)}`);
    }
  });
  return { merges, mergesFormat: format };
}

function bool(fn: string, field: string, v: unknown, dflt?: boolean): boolean {
  if (v === undefined && dflt !== undefined) return dflt;
  if (typeof v !== "boolean") fail(fn, field, `must be true or false; got ${show(v)}`);
  return v;
}

function parseAddedTokens(fn: string, list: unknown, fast: boolean): HfAddedToken[] {
  if (list === undefined || list === null) return [];
  if (!Array.isArray(list)) fail(fn, "added_tokens", `must be an array; got ${describe(list)}`);
  if (fast && list.length > 0) fail(fn, "added_tokens", `must be empty (FAST tokenizers have none); got ${list.length}`);
  return list.map((t: unknown, i: number): HfAddedToken => {
    const at = `added_tokens[${i}]`;
    if (!isObj(t)) fail(fn, at, `must be an object; got ${describe(t)}`);
    if (typeof t.id !== "number" || !Number.isInteger(t.id) || t.id < 0) fail(fn, `${at}.id`, `must be an integer >= 0; got ${describe(t.id)}`);
    if (typeof t.content !== "string" || t.content === "") fail(fn, `${at}.content`, `must be a non-empty string; got ${describe(t.content)}`);
    if (LONE_SURROGATE.test(t.content)) fail(fn, `${at}.content`, `must be well-formed Unicode (no lone surrogate); got ${JSON.stringify(t.content)}`);
    return {
      id: t.id,
      content: t.content,
      special: bool(fn, `${at}.special`, t.special),
      lstrip: bool(fn, `${at}.lstrip`, t.lstrip),
      rstrip: bool(fn, `${at}.rstrip`, t.rstrip),
      singleWord: bool(fn, `${at}.single_word`, t.single_word),
      normalized: bool(fn, `${at}.normalized`, t.normalized),
    };
  });
}

const UNICODE_FORMS = ["NFC", "NFD", "NFKC", "NFKD"];

function parseNormalizer(fn: string, field: string, n: unknown): HfNormalizer {
  if (!isObj(n)) fail(fn, field, `must be an object or null; got ${describe(n)}`);
  if (typeof n.type === "string" && (UNICODE_FORMS.includes(n.type) || n.type === "Lowercase")) return { type: n.type as HfUnicodeForm | "Lowercase" };
  if (n.type === "Sequence") {
    if (!Array.isArray(n.normalizers)) fail(fn, `${field}.normalizers`, `must be an array; got ${describe(n.normalizers)}`);
    return { type: "Sequence", normalizers: n.normalizers.map((x: unknown, i: number) => parseNormalizer(fn, `${field}.normalizers[${i}]`, x)) };
  }
  return fail(fn, `${field}.type`, `must be NFC, NFD, NFKC, NFKD, Lowercase or Sequence (others are not supported); got ${typeName(n)}`);
}

const BEHAVIORS: HfSplitBehavior[] = ["Isolated", "Removed", "MergedWithPrevious", "MergedWithNext", "Contiguous"];

function parsePreTokenizer(fn: string, field: string, p: unknown): HfPreTokenizer {
  if (!isObj(p)) fail(fn, field, `must be an object or null; got ${describe(p)}`);
  if (p.type === "ByteLevel") {
    return { type: "ByteLevel", addPrefixSpace: bool(fn, `${field}.add_prefix_space`, p.add_prefix_space), useRegex: bool(fn, `${field}.use_regex`, p.use_regex, true) };
  }
  if (p.type === "Split") {
    const pat = p.pattern;
    let pattern: { kind: "Regex" | "String"; source: string };
    if (isObj(pat) && typeof pat.Regex === "string" && pat.String === undefined) pattern = { kind: "Regex", source: pat.Regex };
    else if (isObj(pat) && typeof pat.String === "string" && pat.Regex === undefined) pattern = { kind: "String", source: pat.String };
    else return fail(fn, `${field}.pattern`, `must be {"Regex": string} or {"String": string}; got ${describe(pat)}`);
    if (pattern.source === "") fail(fn, `${field}.pattern`, `must not be empty (an empty pattern matches everywhere); got ""`);
    if (!BEHAVIORS.includes(p.behavior as HfSplitBehavior)) fail(fn, `${field}.behavior`, `must be one of ${BEHAVIORS.join(", ")}; got ${describe(p.behavior)}`);
    return { type: "Split", pattern, behavior: p.behavior as HfSplitBehavior, invert: bool(fn, `${field}.invert`, p.invert, false) };
  }
  if (p.type === "Sequence") {
    if (!Array.isArray(p.pretokenizers)) fail(fn, `${field}.pretokenizers`, `must be an array; got ${describe(p.pretokenizers)}`);
    return { type: "Sequence", pretokenizers: p.pretokenizers.map((x: unknown, i: number) => parsePreTokenizer(fn, `${field}.pretokenizers[${i}]`, x)) };
  }
  return fail(fn, `${field}.type`, `must be ByteLevel, Split or Sequence (others are not supported); got ${typeName(p)}`);
}

function parseBpe(fn: string, model: unknown, fast: boolean): HfBpeSpec {
  if (!isObj(model)) fail(fn, "model", `must be an object; got ${describe(model)}`);
  if (model.type !== "BPE") fail(fn, "model.type", `must be "BPE"; got ${describe(model.type)}`);
  for (const k of ["dropout", "unk_token", "continuing_subword_prefix", "end_of_word_suffix"] as const) {
    if (model[k] !== null && model[k] !== undefined) fail(fn, `model.${k}`, `must be null (not supported); got ${show(model[k])}`);
  }
  if (model.byte_fallback !== undefined && model.byte_fallback !== false) fail(fn, "model.byte_fallback", `must be false (not supported); got ${show(model.byte_fallback)}`);
  const ignoreMerges = bool(fn, "model.ignore_merges", model.ignore_merges, false);
  if (fast && ignoreMerges) fail(fn, "model.ignore_merges", "must be false (not supported); got true");
  const vocab = parseBpeVocab(fn, model.vocab);
  return { vocab, ...parseBpeMerges(fn, model.merges), ignoreMerges };
}

/**
 * Parse a tokenizer.json (text or parsed object) into a {@link HfTokenizerSpec}: added tokens with all their
 * flags; normalizer null / NFC / NFD / NFKC / NFKD / Lowercase / Sequence; pre-tokenizer ByteLevel / Split
 * (Regex or String pattern, any behavior, invert) / Sequence; model BPE (vocab, merges in both forms,
 * ignore_merges; no dropout, unk token, subword prefix/suffix or byte fallback); decoder ByteLevel or null.
 * Anything else throws, naming the field and the type found.
 */
export function parseHfTokenizerSpec(input: string | object): HfTokenizerSpec {
  return readTokenizerJson("parseHfTokenizerSpec", input, "general");
}

/**
 * The one tokenizer.json reader. `"fast"` is the FAST (`UniversalActionProcessor`) subset, checked while
 * reading so that messages name what FAST supports: no added tokens, no normalizer, one ByteLevel
 * pre-tokenizer without prefix space and with its regex, no `ignore_merges`. `fn` names the caller in errors.
 */
export function readTokenizerJson(fn: string, input: string | object, profile: "general" | "fast"): HfTokenizerSpec {
  const fast = profile === "fast";
  const j = parseJson(fn, "input", input);
  if (!isObj(j)) fail(fn, "input", `must be a tokenizer.json object; got ${describe(j)}`);
  if (j.version !== undefined && j.version !== "1.0") fail(fn, "version", `must be "1.0"; got ${describe(j.version)}`);
  const dec = j.decoder;
  if (dec !== null && dec !== undefined && (!isObj(dec) || dec.type !== "ByteLevel")) fail(fn, "decoder", `must be ByteLevel or null (others are not supported); got ${typeName(dec)}`);
  const pp = j.post_processor;
  if (pp !== null && pp !== undefined && (!isObj(pp) || typeof pp.type !== "string")) fail(fn, "post_processor", `must be an object with a type or null; got ${describe(pp)}`);
  const hasNormalizer = j.normalizer !== null && j.normalizer !== undefined;
  if (fast && hasNormalizer) fail(fn, "normalizer", `must be null (not supported); got ${describe(j.normalizer)}`);
  const pre = j.pre_tokenizer;
  if (fast) {
    if (!isObj(pre) || pre.type !== "ByteLevel") fail(fn, "pre_tokenizer", `must be ByteLevel; got ${typeName(pre)}`);
    if (pre.add_prefix_space === true) fail(fn, "pre_tokenizer.add_prefix_space", "must be false (not supported); got true");
    if (pre.use_regex === false) fail(fn, "pre_tokenizer.use_regex", "must be true (not supported); got false");
  }
  return {
    addedTokens: parseAddedTokens(fn, j.added_tokens, fast),
    normalizer: hasNormalizer ? parseNormalizer(fn, "normalizer", j.normalizer) : null,
    preTokenizer: pre === null || pre === undefined ? null : parsePreTokenizer(fn, "pre_tokenizer", pre),
    model: parseBpe(fn, j.model, fast),
    decoder: isObj(dec) ? { type: "ByteLevel" } : null,
    postProcessor: isObj(pp) ? (pp.type as string) : null,
  };
}
