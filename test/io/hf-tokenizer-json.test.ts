import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseHfTokenizerJson, parseHfTokenizerSpec, parseTokenizerConfig } from "../../src/io/index.js";
import { fixturePath, hasFixtures, missingFixtures } from "../fixtures.js";

const QWEN_REGEX = "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";

/** A Qwen2-shaped tokenizer.json (field layout as `tokenizers` 0.23 writes it), tiny vocab. */
function qwenFile(): Record<string, unknown> {
  return {
    version: "1.0",
    truncation: null,
    padding: null,
    added_tokens: [
      { id: 4, content: "<|endoftext|>", single_word: false, lstrip: false, rstrip: false, normalized: false, special: true },
      { id: 5, content: "<think>", single_word: true, lstrip: true, rstrip: false, normalized: true, special: false },
    ],
    normalizer: { type: "NFC" },
    pre_tokenizer: {
      type: "Sequence",
      pretokenizers: [
        { type: "Split", pattern: { Regex: QWEN_REGEX }, behavior: "Isolated", invert: false },
        { type: "ByteLevel", add_prefix_space: false, trim_offsets: false, use_regex: false },
      ],
    },
    post_processor: { type: "ByteLevel", add_prefix_space: false, trim_offsets: false, use_regex: false },
    decoder: { type: "ByteLevel", add_prefix_space: false, trim_offsets: false, use_regex: false },
    model: { type: "BPE", dropout: null, unk_token: null, continuing_subword_prefix: null, end_of_word_suffix: null, fuse_unk: false, byte_fallback: false, ignore_merges: false, vocab: { a: 0, b: 1, ab: 2, "1": 3 }, merges: [["a", "b"]] },
  };
}

describe("parseHfTokenizerSpec", () => {
  it("reads a Qwen-style file: added tokens with every flag, NFC, Split + ByteLevel, pair merges", () => {
    const spec = parseHfTokenizerSpec(JSON.stringify(qwenFile()));
    expect(spec.addedTokens).toEqual([
      { id: 4, content: "<|endoftext|>", special: true, lstrip: false, rstrip: false, singleWord: false, normalized: false },
      { id: 5, content: "<think>", special: false, lstrip: true, rstrip: false, singleWord: true, normalized: true },
    ]);
    expect(spec.normalizer).toEqual({ type: "NFC" });
    expect(spec.preTokenizer).toEqual({
      type: "Sequence",
      pretokenizers: [
        { type: "Split", pattern: { kind: "Regex", source: QWEN_REGEX }, behavior: "Isolated", invert: false },
        { type: "ByteLevel", addPrefixSpace: false, useRegex: false },
      ],
    });
    expect(spec.model).toEqual({ vocab: [["1", 3], ["a", 0], ["b", 1], ["ab", 2]], merges: [["a", "b"]], mergesFormat: "pairs", ignoreMerges: false });
    expect(spec.decoder).toEqual({ type: "ByteLevel" });
    expect(spec.postProcessor).toBe("ByteLevel");
  });

  it("reads string merges, ignore_merges, String patterns, every behavior, nested Sequences and defaults", () => {
    const f = qwenFile();
    f.model = { type: "BPE", vocab: { a: 0, b: 1, ab: 2 }, merges: ["a b"], ignore_merges: true };
    f.normalizer = { type: "Sequence", normalizers: [{ type: "NFKC" }, { type: "Sequence", normalizers: [{ type: "Lowercase" }, { type: "NFD" }, { type: "NFKD" }] }] };
    const behaviors = ["Isolated", "Removed", "MergedWithPrevious", "MergedWithNext", "Contiguous"];
    f.pre_tokenizer = { type: "Sequence", pretokenizers: [...behaviors.map((behavior) => ({ type: "Split", pattern: { String: "-" }, behavior, invert: true })), { type: "ByteLevel", add_prefix_space: true }] };
    f.decoder = null;
    f.post_processor = null;
    delete f.added_tokens;
    const spec = parseHfTokenizerSpec(f);
    expect(spec.model).toMatchObject({ merges: [["a", "b"]], mergesFormat: "strings", ignoreMerges: true });
    expect(spec.normalizer).toEqual({ type: "Sequence", normalizers: [{ type: "NFKC" }, { type: "Sequence", normalizers: [{ type: "Lowercase" }, { type: "NFD" }, { type: "NFKD" }] }] });
    const pre = spec.preTokenizer as { pretokenizers: unknown[] };
    expect(pre.pretokenizers.slice(0, 5)).toEqual(behaviors.map((behavior) => ({ type: "Split", pattern: { kind: "String", source: "-" }, behavior, invert: true })));
    // use_regex defaults to true, as in tokenizers' serde default
    expect(pre.pretokenizers[5]).toEqual({ type: "ByteLevel", addPrefixSpace: true, useRegex: true });
    expect([spec.decoder, spec.postProcessor, spec.addedTokens]).toEqual([null, null, []]);
  });

  it.each([
    ["normalizer", { type: "Replace", pattern: { String: " " }, content: "▁" }, /parseHfTokenizerSpec: normalizer.type must be NFC, NFD, NFKC, NFKD, Lowercase or Sequence \(others are not supported\); got "Replace"/],
    ["normalizer", { type: "Sequence", normalizers: [{ type: "NFC" }, { type: "Strip" }] }, /normalizer.normalizers\[1\].type must be .*got "Strip"/],
    ["pre_tokenizer", { type: "Metaspace" }, /pre_tokenizer.type must be ByteLevel, Split or Sequence \(others are not supported\); got "Metaspace"/],
    ["pre_tokenizer", { type: "Sequence", pretokenizers: [{ type: "Split", pattern: { Regex: "x" }, behavior: "Merged", invert: false }] }, /pre_tokenizer.pretokenizers\[0\].behavior must be one of Isolated, Removed, MergedWithPrevious, MergedWithNext, Contiguous; got "Merged"/],
    ["pre_tokenizer", { type: "Split", pattern: "x", behavior: "Isolated" }, /pre_tokenizer.pattern must be \{"Regex": string\} or \{"String": string\}/],
    ["pre_tokenizer", { type: "Split", pattern: { String: "" }, behavior: "Isolated" }, /pre_tokenizer.pattern must not be empty/],
    ["pre_tokenizer", { type: "ByteLevel" }, /pre_tokenizer.add_prefix_space must be true or false; got undefined/],
    ["decoder", { type: "Metaspace" }, /decoder must be ByteLevel or null \(others are not supported\); got "Metaspace"/],
    ["model", { type: "WordPiece", vocab: {} }, /model.type must be "BPE"; got "WordPiece"/],
    ["model", { type: "BPE", vocab: {}, merges: [], byte_fallback: true }, /model.byte_fallback must be false \(not supported\); got true/],
    ["model", { type: "BPE", vocab: {}, merges: [], unk_token: "<unk>" }, /model.unk_token must be null \(not supported\); got "<unk>"/],
    ["model", { type: "BPE", vocab: {}, merges: [], dropout: 0.1 }, /model.dropout must be null/],
    ["model", { type: "BPE", vocab: { a: 1.5 }, merges: [] }, /model.vocab ids must be integers >= 0; got 1.5 for "a"/],
    ["model", { type: "BPE", vocab: {}, merges: ["a b c"] }, /model.merges entry 0 must be "left right"; got "a b c"/],
    ["added_tokens", [{ id: 1, content: "", special: true, lstrip: false, rstrip: false, single_word: false, normalized: false }], /added_tokens\[0\].content must be a non-empty string/],
    ["added_tokens", [{ id: 1, content: "<x>", special: true, rstrip: false, single_word: false, normalized: false }], /added_tokens\[0\].lstrip must be true or false; got undefined/],
    ["added_tokens", [{ id: -1, content: "<x>" }], /added_tokens\[0\].id must be an integer >= 0; got -1/],
    ["added_tokens", [{ id: 1, content: "a\ud800" }], /added_tokens\[0\].content must be well-formed Unicode/],
    ["version", "2.0", /version must be "1.0"; got "2.0"/],
  ])("rejects %s %j naming the field", (field, value, message) => {
    expect(() => parseHfTokenizerSpec({ ...qwenFile(), [field]: value })).toThrow(message);
  });

  it("rejects input that is not a tokenizer.json object", () => {
    expect(() => parseHfTokenizerSpec("{")).toThrow(/parseHfTokenizerSpec: input must be valid JSON/);
    expect(() => parseHfTokenizerSpec([])).toThrow(/input must be a tokenizer.json object; got array\(0\)/);
  });

  it("keeps the strict FAST parser's behaviour: it still refuses what FAST files never have", () => {
    const fast = { model: { type: "BPE", vocab: { a: 0, b: 1, ab: 2 }, merges: ["a b"] }, pre_tokenizer: { type: "ByteLevel", add_prefix_space: false, use_regex: true }, normalizer: null };
    expect(parseHfTokenizerJson(fast)).toEqual({ vocab: [["a", 0], ["b", 1], ["ab", 2]], merges: [["a", "b"]], mergesFormat: "strings" });
    expect(() => parseHfTokenizerJson(qwenFile())).toThrow(/parseHfTokenizerJson: normalizer must be null/);
    expect(() => parseHfTokenizerJson({ ...fast, model: { ...fast.model, ignore_merges: true } })).toThrow(/parseHfTokenizerJson: model.ignore_merges must be false/);
    expect(() => parseHfTokenizerJson({ ...fast, model: { ...fast.model, merges: [1] } })).toThrow(/parseHfTokenizerJson: model.merges entry 0 must be "left right" or \["left", "right"\]; got 1/);
  });
});

describe.skipIf(missingFixtures("molmoact2-tiny tokenizer.json", "molmoact2-tiny"))("parseHfTokenizerSpec on molmoact2-tiny/tokenizer.json", () => {
  it("reads 256 byte tokens, no merges and 2461 special added tokens at ids 256..2716", () => {
    const spec = parseHfTokenizerSpec(hasFixtures ? readFileSync(fixturePath("molmoact2-tiny", "tokenizer.json"), "utf8") : "{}");
    expect(spec.model.vocab).toHaveLength(256);
    expect(spec.model.merges).toEqual([]);
    expect(spec.addedTokens).toHaveLength(2461);
    expect(spec.addedTokens.map((t) => t.id)).toEqual(Array.from({ length: 2461 }, (_, i) => 256 + i));
    expect(spec.addedTokens.every((t) => t.special && !t.normalized && !t.lstrip && !t.rstrip && !t.singleWord)).toBe(true);
    expect(spec.addedTokens[2]).toMatchObject({ id: 258, content: "<|im_end|>" });
    expect([spec.normalizer, spec.preTokenizer, spec.decoder, spec.postProcessor]).toEqual([null, { type: "ByteLevel", addPrefixSpace: false, useRegex: true }, { type: "ByteLevel" }, null]);
  });
});

describe("parseTokenizerConfig", () => {
  it("reads special tokens as strings, {content} objects or null, and the added-token table in id order", () => {
    const cfg = parseTokenizerConfig(
      JSON.stringify({
        bos_token: null,
        eos_token: "<|im_end|>",
        pad_token: { __type: "AddedToken", content: "<|endoftext|>", lstrip: false, normalized: false, rstrip: false, single_word: false },
        added_tokens_decoder: {
          "151644": { content: "<|im_start|>", lstrip: false, normalized: false, rstrip: false, single_word: false, special: true },
          "151643": { content: "<|endoftext|>", special: true },
          "151667": { content: "<think>", special: false },
        },
        additional_special_tokens: ["<|im_start|>", { content: "<|im_end|>" }],
        clean_up_tokenization_spaces: false,
        model_max_length: 131072,
        tokenizer_class: "Qwen2Tokenizer",
        chat_template: "{{ messages }}",
        errors: "replace",
      }),
    );
    expect([cfg.bosToken, cfg.eosToken, cfg.padToken, cfg.unkToken]).toEqual([null, "<|im_end|>", "<|endoftext|>", null]);
    expect(cfg.addedTokensDecoder.map((t) => t.id)).toEqual([151643, 151644, 151667]);
    // transformers' AddedToken defaults: normalized = !special, other flags false
    expect(cfg.addedTokensDecoder[0]).toEqual({ id: 151643, content: "<|endoftext|>", special: true, lstrip: false, rstrip: false, singleWord: false, normalized: false });
    expect(cfg.addedTokensDecoder[2]).toMatchObject({ special: false, normalized: true });
    expect(cfg.additionalSpecialTokens).toEqual(["<|im_start|>", "<|im_end|>"]);
    expect(cfg.extraSpecialTokens).toEqual([]);
    expect([cfg.cleanUpTokenizationSpaces, cfg.modelMaxLength, cfg.tokenizerClass, cfg.chatTemplate]).toEqual([false, 131072, "Qwen2Tokenizer", "{{ messages }}"]);
    expect([cfg.addBosToken, cfg.addEosToken]).toEqual([null, null]);
  });

  it("accepts extra_special_tokens as a list (released MolmoAct2 files) or as a dict (transformers 5)", () => {
    expect(parseTokenizerConfig({ extra_special_tokens: ["<im_patch>", { content: "<im_col>" }] }).extraSpecialTokens).toEqual([
      { name: null, content: "<im_patch>" },
      { name: null, content: "<im_col>" },
    ]);
    expect(parseTokenizerConfig({ extra_special_tokens: { image_token: "<|image|>" } }).extraSpecialTokens).toEqual([{ name: "image_token", content: "<|image|>" }]);
    expect(parseTokenizerConfig({ chat_template: [{ name: "default", template: "x" }] }).chatTemplate).toEqual({ default: "x" });
  });

  it.each([
    [{ eos_token: 5 }, /parseTokenizerConfig: eos_token must be a string, an object with a string "content", or null; got 5/],
    [{ extra_special_tokens: "x" }, /extra_special_tokens must be a list or a dict of tokens; got "x"/],
    [{ extra_special_tokens: [null] }, /extra_special_tokens\[0\] must be a token, not null/],
    [{ additional_special_tokens: { a: "b" } }, /additional_special_tokens must be a list; got object/],
    [{ added_tokens_decoder: { x: { content: "a" } } }, /added_tokens_decoder keys must be integer ids >= 0; got "x"/],
    [{ added_tokens_decoder: { "3": { content: "a", lstrip: "no" } } }, /added_tokens_decoder\["3"\].lstrip must be true or false; got "no"/],
    [{ clean_up_tokenization_spaces: "yes" }, /clean_up_tokenization_spaces must be true, false or null/],
    [{ chat_template: [{ name: "x" }] }, /chat_template\[0\] must be \{ name: string, template: string \}/],
  ])("rejects %j naming the field", (cfg, message) => {
    expect(() => parseTokenizerConfig(cfg)).toThrow(message);
  });
});
