import { describe, expect, it } from "vitest";
import { BYTE_TO_CHAR } from "../../src/tokenizer/index.js";
import { TokenTable } from "../../src/vocab/index.js";
import { qwen3TextTokenizer } from "../../src/model/index.js";

// A hand-made byte-level BPE file in the tokenizer.json layout: 256 byte chars + merges "Ġ t", "Ġt h", "h e".
const ch = (s: string) => Array.from(new TextEncoder().encode(s), (b) => String.fromCodePoint(BYTE_TO_CHAR[b])).join("");
function file() {
  const vocab: Record<string, number> = {};
  for (let b = 0; b < 256; b++) vocab[String.fromCodePoint(BYTE_TO_CHAR[b])] = b;
  vocab[ch(" t")] = 256;
  vocab[ch(" th")] = 257;
  vocab[ch("he")] = 258;
  return { model: { type: "BPE", vocab, merges: [ch(" t").split("").join(" "), [ch(" t"), "h"], ["h", "e"]] }, normalizer: { type: "NFC" } };
}

describe("qwen3TextTokenizer (pluggable real tokenizer)", () => {
  const table = new TokenTable(); // released ids: specials far above this toy vocab
  const tok = qwen3TextTokenizer(JSON.stringify(file()), table);

  it("applies merges by rank inside Qwen split words and keeps special tokens whole", () => {
    // words: "the" | " the" | "<|im_end|>" special | "9" "9" (digits split one by one)
    const ids = tok.encode("the the<|im_end|>99");
    expect(ids).toEqual([116, 258, 257, 101, table.ids.imEnd, 57, 57]);
    expect(tok.decode(ids)).toBe("the the<|im_end|>99");
  });

  it("NFC-normalises before splitting (é as e + combining acute → one code point)", () => {
    const composed = tok.encode("\u00e9");
    expect(tok.encode("e\u0301")).toEqual(composed);
    expect(composed).toEqual([0xc3, 0xa9].map((b) => b)); // two byte tokens (ids = byte values here)
  });

  it("rejects files that are not a byte-level BPE", () => {
    expect(() => qwen3TextTokenizer({ model: { type: "WordPiece" } }, table)).toThrow(/qwen3TextTokenizer: tokenizerJson must hold a BPE model/);
    expect(() => qwen3TextTokenizer("{", table)).toThrow(/must be valid JSON/);
  });
});
