import { fail } from "../core/index.js";
import type { TokenTable } from "../vocab/index.js";

/**
 * Text → LLM ids. MolmoAct2 uses the Qwen3 byte-level BPE (151,669 ids) plus the added special tokens;
 * no Qwen3 `tokenizer.json` ships with this library (nothing is downloaded), so a model takes any
 * implementation of this interface. Special-token strings (`<|im_start|>`, `<state_12>`, `<|image|>` …)
 * must map to the ids of the model's {@link TokenTable}.
 */
export interface TextTokenizer {
  /** Encode a prompt; special-token strings become their single ids (no BOS added). */
  encode(text: string): number[];
  /** Inverse of {@link TextTokenizer.encode} (special ids print as their strings). */
  decode(ids: readonly number[]): string;
  /** The tokenizer's BOS / EOS ids when it has them (the processor inserts BOS, else EOS, as BOS). */
  readonly bosTokenId?: number | null;
  readonly eosTokenId?: number | null;
}

// Candidate special tokens: `<|name|>` and `<name>` / `<name_123>` (lower-case words and underscores).
const SPECIAL_RE = /<\|[a-z_]+\|>|<[a-z_]+(?:_\d+)?>/g;

/** Split `text` into ordinary runs and special-token ids recognised by `table`. */
export function splitSpecial(table: TokenTable, text: string): (string | number)[] {
  const out: (string | number)[] = [];
  let last = 0;
  for (const m of text.matchAll(SPECIAL_RE)) {
    const id = specialId(table, m[0]);
    if (id === undefined) continue;
    const at = m.index ?? 0;
    if (at > last) out.push(text.slice(last, at));
    out.push(id);
    last = at + m[0].length;
  }
  if (last < text.length) out.push(text.slice(last));
  return out;
}

function specialId(table: TokenTable, s: string): number | undefined {
  try {
    return table.id(s);
  } catch {
    return undefined;
  }
}

/**
 * Wrap an ordinary-text encoder (e.g. a Qwen3 BPE loaded from `tokenizer.json` with the tokenizer
 * module's Hugging Face BPE loader) so that the MolmoAct2 special tokens are recognised first.
 */
export function withSpecialTokens(
  table: TokenTable,
  encodeOrdinary: (text: string) => number[],
  decodeOrdinary: (ids: number[]) => string,
): TextTokenizer {
  return {
    encode(text: string): number[] {
      if (typeof text !== "string") fail("TextTokenizer.encode", "text", `must be a string; got ${typeof text}`);
      const ids: number[] = [];
      for (const part of splitSpecial(table, text)) {
        if (typeof part === "number") ids.push(part);
        else ids.push(...encodeOrdinary(part));
      }
      return ids;
    },
    decode(ids: readonly number[]): string {
      let out = "";
      let run: number[] = [];
      const flush = () => {
        if (run.length) out += decodeOrdinary(run);
        run = [];
      };
      for (const id of ids) {
        const name = table.name(id);
        if (name !== undefined) {
          flush();
          out += name;
        } else run.push(id);
      }
      flush();
      return out;
    },
  };
}

/**
 * Deterministic fallback for the tiny / random model: every UTF-8 byte of ordinary text is one id
 * in `[0, 256)` (the tiny config reserves that range); special tokens come from the table. With the
 * released ids this gives valid-but-wrong Qwen3 ids: plug a real Qwen3 tokenizer for real weights.
 */
export function byteTextTokenizer(table: TokenTable): TextTokenizer {
  const enc = new TextEncoder();
  const dec = new TextDecoder();
  return withSpecialTokens(
    table,
    (s) => Array.from(enc.encode(s)),
    (ids) => {
      const bytes: number[] = [];
      let out = "";
      for (const id of ids) {
        if (id >= 0 && id < 256) bytes.push(id);
        else {
          out += dec.decode(new Uint8Array(bytes.splice(0))) + `<|id_${id}|>`;
        }
      }
      return out + dec.decode(new Uint8Array(bytes));
    },
  );
}
