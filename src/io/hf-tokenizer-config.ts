import { describe, fail, parseJson } from "../core/index.js";
import type { HfAddedToken } from "./hf-tokenizer-json.js";

/**
 * `tokenizer_config.json` of a transformers tokenizer: the named special tokens, the added-token table and
 * the few switches that change what a tokenizer call returns. Plain data; unknown keys are ignored.
 */
export interface HfTokenizerConfig {
  bosToken: string | null;
  eosToken: string | null;
  padToken: string | null;
  unkToken: string | null;
  /** `added_tokens_decoder` entries (id → AddedToken), in id order. */
  addedTokensDecoder: HfAddedToken[];
  /** `additional_special_tokens` (transformers < 5), contents in file order. */
  additionalSpecialTokens: string[];
  /**
   * `extra_special_tokens` (transformers 5): a dict `{ name: token }` (then `name` is set) or, as the released
   * MolmoAct2 files store it, a plain list (then `name` is null). Both are accepted.
   */
  extraSpecialTokens: { name: string | null; content: string }[];
  /** `clean_up_tokenization_spaces` (null when absent); applied by transformers' decode, not by `tokenizers`. */
  cleanUpTokenizationSpaces: boolean | null;
  addBosToken: boolean | null;
  addEosToken: boolean | null;
  modelMaxLength: number | null;
  tokenizerClass: string | null;
  /** A template string, or named templates when the file stores a list of `{ name, template }`. */
  chatTemplate: string | Record<string, string> | null;
}

/** `describe` with booleans spelled out (it writes "boolean"). */
function show(v: unknown): string {
  return typeof v === "boolean" ? String(v) : describe(v);
}

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** A token written as a string, as `{ content, ... }` (serialized AddedToken), or null. */
function tokenContent(fn: string, field: string, v: unknown): string | null {
  if (v === null || v === undefined) return null;
  if (typeof v === "string") return v;
  if (isObj(v) && typeof v.content === "string") return v.content;
  return fail(fn, field, `must be a string, an object with a string "content", or null; got ${show(v)}`);
}

function optBool(fn: string, field: string, v: unknown): boolean | null {
  if (v === null || v === undefined) return null;
  if (typeof v !== "boolean") fail(fn, field, `must be true, false or null; got ${show(v)}`);
  return v;
}

function flag(fn: string, field: string, v: unknown, dflt: boolean): boolean {
  if (v === undefined) return dflt;
  if (typeof v !== "boolean") fail(fn, field, `must be true or false; got ${show(v)}`);
  return v;
}

function parseDecoderTable(fn: string, v: unknown): HfAddedToken[] {
  if (v === null || v === undefined) return [];
  if (!isObj(v)) fail(fn, "added_tokens_decoder", `must be an object of id → token; got ${describe(v)}`);
  const out: HfAddedToken[] = [];
  for (const [key, t] of Object.entries(v)) {
    const at = `added_tokens_decoder[${JSON.stringify(key)}]`;
    if (!/^(0|[1-9][0-9]*)$/.test(key)) fail(fn, "added_tokens_decoder", `keys must be integer ids >= 0; got ${JSON.stringify(key)}`);
    if (!isObj(t) || typeof t.content !== "string" || t.content === "") fail(fn, at, `must be an object with a non-empty string "content"; got ${describe(t)}`);
    // transformers' AddedToken defaults: special false, normalized = !special, strips and single_word false
    const special = flag(fn, `${at}.special`, t.special, false);
    out.push({
      id: Number(key),
      content: t.content,
      special,
      lstrip: flag(fn, `${at}.lstrip`, t.lstrip, false),
      rstrip: flag(fn, `${at}.rstrip`, t.rstrip, false),
      singleWord: flag(fn, `${at}.single_word`, t.single_word, false),
      normalized: flag(fn, `${at}.normalized`, t.normalized, !special),
    });
  }
  return out.sort((a, b) => a.id - b.id);
}

function parseExtra(fn: string, v: unknown): { name: string | null; content: string }[] {
  if (v === null || v === undefined) return [];
  if (Array.isArray(v)) {
    return v.map((t: unknown, i: number) => {
      const c = tokenContent(fn, `extra_special_tokens[${i}]`, t);
      if (c === null) fail(fn, `extra_special_tokens[${i}]`, "must be a token, not null");
      return { name: null, content: c };
    });
  }
  if (isObj(v)) {
    return Object.entries(v).map(([name, t]) => {
      const c = tokenContent(fn, `extra_special_tokens.${name}`, t);
      if (c === null) fail(fn, `extra_special_tokens.${name}`, "must be a token, not null");
      return { name, content: c };
    });
  }
  return fail(fn, "extra_special_tokens", `must be a list or a dict of tokens; got ${describe(v)}`);
}

function parseChatTemplate(fn: string, v: unknown): string | Record<string, string> | null {
  if (v === null || v === undefined) return null;
  if (typeof v === "string") return v;
  if (Array.isArray(v)) {
    const out: Record<string, string> = {};
    v.forEach((t: unknown, i: number) => {
      if (!isObj(t) || typeof t.name !== "string" || typeof t.template !== "string") fail(fn, `chat_template[${i}]`, `must be { name: string, template: string }; got ${describe(t)}`);
      out[t.name] = t.template;
    });
    return out;
  }
  return fail(fn, "chat_template", `must be a string, a list of { name, template } or null; got ${describe(v)}`);
}

/**
 * Parse `tokenizer_config.json` (text or parsed object). Special tokens may be strings, `{ content }`
 * objects or null; `extra_special_tokens` may be a list or a dict; `additional_special_tokens` a list.
 */
export function parseTokenizerConfig(input: string | object): HfTokenizerConfig {
  const fn = "parseTokenizerConfig";
  const j = parseJson(fn, "input", input);
  if (!isObj(j)) fail(fn, "input", `must be a tokenizer_config.json object; got ${describe(j)}`);
  const extraList = j.additional_special_tokens;
  if (extraList !== undefined && extraList !== null && !Array.isArray(extraList)) fail(fn, "additional_special_tokens", `must be a list; got ${describe(extraList)}`);
  const additional = (extraList ?? []).map((t: unknown, i: number) => {
    const c = tokenContent(fn, `additional_special_tokens[${i}]`, t);
    if (c === null) fail(fn, `additional_special_tokens[${i}]`, "must be a token, not null");
    return c;
  });
  const mml = j.model_max_length;
  if (mml !== undefined && mml !== null && (typeof mml !== "number" || !(mml > 0))) fail(fn, "model_max_length", `must be a number > 0 or null; got ${describe(mml)}`);
  const cls = j.tokenizer_class;
  if (cls !== undefined && cls !== null && typeof cls !== "string") fail(fn, "tokenizer_class", `must be a string or null; got ${describe(cls)}`);
  return {
    bosToken: tokenContent(fn, "bos_token", j.bos_token),
    eosToken: tokenContent(fn, "eos_token", j.eos_token),
    padToken: tokenContent(fn, "pad_token", j.pad_token),
    unkToken: tokenContent(fn, "unk_token", j.unk_token),
    addedTokensDecoder: parseDecoderTable(fn, j.added_tokens_decoder),
    additionalSpecialTokens: additional,
    extraSpecialTokens: parseExtra(fn, j.extra_special_tokens),
    cleanUpTokenizationSpaces: optBool(fn, "clean_up_tokenization_spaces", j.clean_up_tokenization_spaces),
    addBosToken: optBool(fn, "add_bos_token", j.add_bos_token),
    addEosToken: optBool(fn, "add_eos_token", j.add_eos_token),
    modelMaxLength: typeof mml === "number" ? mml : null,
    tokenizerClass: typeof cls === "string" ? cls : null,
    chatTemplate: parseChatTemplate(fn, j.chat_template),
  };
}
