import { fail } from "../core/index.js";
import type { HfAddedToken } from "../io/index.js";
import { AddedTokenMatcher, type AddedTokenRule } from "./added-tokens.js";

/** The added vocabulary of a tokenizer.json, built the way `tokenizers` loads it. */
export interface AddedVocab {
  /** Content → id. */
  byContent: ReadonlyMap<string, number>;
  /** Id → the token (its flags as last loaded). */
  byId: ReadonlyMap<number, HfAddedToken>;
  /**
   * Id → the string `tokenizers` gives back for it (id_to_token, decode): the normalized content for a
   * `normalized: true` token, else the content.
   */
  decodeForm: ReadonlyMap<number, string>;
  /** Contents of special tokens (decode drops a token whose decode form is one of these). */
  special: ReadonlySet<string>;
  /** Matcher on the raw text (`normalized: false` tokens). */
  raw: AddedTokenMatcher;
  /** Matcher on normalized pieces (`normalized: true` tokens, patterns normalized). */
  normalized: AddedTokenMatcher;
}

function same(a: HfAddedToken, b: HfAddedToken): boolean {
  return a.content === b.content && a.special === b.special && a.lstrip === b.lstrip && a.rstrip === b.rstrip && a.singleWord === b.singleWord && a.normalized === b.normalized;
}

/**
 * Add the file's tokens one by one in file order, as `tokenizers` does when it reads tokenizer.json: a
 * content already in the model vocab keeps that id, a new one gets the next id (model vocab size, then
 * largest added id + 1). The file's `id` must equal that id: otherwise `tokenizers` would warn and use its
 * own, so the file does not mean what it says and is rejected.
 */
export function buildAddedVocab(fn: string, tokens: readonly HfAddedToken[], modelVocab: ReadonlyMap<string, number>, normalize: (s: string) => string): AddedVocab {
  const byContent = new Map<string, number>();
  const byId = new Map<number, HfAddedToken>();
  const special = new Set<string>();
  const specialList: HfAddedToken[] = [];
  const plainList: HfAddedToken[] = [];
  const modelSize = modelVocab.size;
  let maxAdded = -1;
  tokens.forEach((t, k) => {
    if (t.special && !special.has(t.content)) {
      special.add(t.content);
      specialList.push(t);
    }
    let id = byContent.get(t.content) ?? modelVocab.get(t.content);
    if (id === undefined) id = maxAdded < 0 ? modelSize : maxAdded >= modelSize || modelSize === 0 ? maxAdded + 1 : modelSize;
    if (id !== t.id) fail(fn, `tokenizerJson.added_tokens[${k}].id`, `must be ${id}, the id tokenizers assigns to ${JSON.stringify(t.content)} when loading the file in order; got ${t.id}`);
    // an identical token already loaded is ignored
    const prev = byId.get(id);
    if (prev !== undefined && same(prev, t)) return;
    byContent.set(t.content, id);
    byId.set(id, t);
    if (id > maxAdded) maxAdded = id;
    if (!special.has(t.content)) plainList.push(t);
  });
  const rawRules: AddedTokenRule[] = [];
  const normRules: AddedTokenRule[] = [];
  // tokenizers partitions its lists by each entry's own `normalized` flag and reads the strip flags by id
  for (const t of [...specialList, ...plainList]) {
    const id = byContent.get(t.content) as number;
    const cur = byId.get(id) as HfAddedToken;
    const rule = { id, lstrip: cur.lstrip, rstrip: cur.rstrip, singleWord: cur.singleWord };
    if (!t.normalized) rawRules.push({ pattern: t.content, ...rule });
    else {
      const pattern = normalize(t.content);
      if (pattern === "") fail(fn, "tokenizerJson.added_tokens", `must not hold a normalized token that normalizes to nothing; got ${JSON.stringify(t.content)}`);
      normRules.push({ pattern, ...rule });
    }
  }
  const decodeForm = new Map<number, string>();
  for (const [id, t] of byId) decodeForm.set(id, t.normalized ? normalize(t.content) : t.content);
  return { byContent, byId, decodeForm, special, raw: new AddedTokenMatcher(rawRules), normalized: new AddedTokenMatcher(normRules) };
}
