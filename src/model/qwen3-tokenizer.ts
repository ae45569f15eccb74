import { describe, fail, parseJson } from "../core/index.js";
import { BpeModel } from "../tokenizer/index.js";
import type { TokenTable } from "../vocab/index.js";
import { withSpecialTokens, type TextTokenizer } from "./text-tokenizer.js";

/**
 * Qwen2/Qwen3 pre-tokenizer split (the `Split` regex of their tokenizer.json): contractions, letters
 * with one optional leading non-letter, single digits, punctuation runs, newlines, spaces.
 */
export const QWEN_SPLIT = /(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+/gu;

/**
 * A Qwen3 text tokenizer from its Hugging Face `tokenizer.json` (text or parsed object): NFC
 * normalisation, the Qwen split regex, byte-level BPE (`model.vocab` / `model.merges`, through the
 * tokenizer module's `BpeModel`), and MolmoAct2's special tokens from `table` (their ids come from the
 * checkpoint's config, not from the file's `added_tokens`). Nothing is downloaded: pass the file's
 * contents. Not verified against the released vocabulary (none is available offline).
 */
export function qwen3TextTokenizer(tokenizerJson: string | object, table: TokenTable): TextTokenizer {
  const fn = "qwen3TextTokenizer";
  const j = parseJson(fn, "tokenizerJson", tokenizerJson);
  const model = (j as { model?: { type?: unknown; vocab?: unknown; merges?: unknown } } | null)?.model;
  if (!model || model.type !== "BPE") fail(fn, "tokenizerJson", `must hold a BPE model (model.type "BPE"); got ${describe(model?.type)}`);
  if (!model.vocab || typeof model.vocab !== "object") fail(fn, "tokenizerJson.model.vocab", `must be an object token → id; got ${describe(model.vocab)}`);
  if (!Array.isArray(model.merges)) fail(fn, "tokenizerJson.model.merges", `must be an array; got ${describe(model.merges)}`);
  const vocab = new Map(Object.entries(model.vocab as Record<string, number>));
  const merges = (model.merges as unknown[]).map((m, i): [string, string] => {
    if (Array.isArray(m) && m.length === 2) return [String(m[0]), String(m[1])];
    if (typeof m === "string") {
      const k = m.indexOf(" ", 1);
      if (k > 0) return [m.slice(0, k), m.slice(k + 1)];
    }
    return fail(fn, "tokenizerJson.model.merges", `must be "a b" strings or [a, b] pairs; got ${describe(m)} at [${i}]`);
  });
  const bpe = new BpeModel(vocab, merges);
  const enc = new TextEncoder();
  const dec = new TextDecoder();
  let buf: Uint8Array = new Uint8Array(256);
  return withSpecialTokens(
    table,
    (text) => {
      const out: number[] = [];
      for (const m of text.normalize("NFC").matchAll(QWEN_SPLIT)) {
        const bytes = enc.encode(m[0]);
        bpe.encodeWordBytes(bytes, 0, bytes.length, out);
      }
      return out;
    },
    (ids) => {
      const r = bpe.decodeBytes(ids, buf);
      buf = r.bytes;
      return dec.decode(r.bytes.subarray(0, r.length));
    },
  );
}
