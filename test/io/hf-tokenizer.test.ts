import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { parseFastProcessorConfig, parseHfTokenizerJson, parseHfTokenizerSpec, serializeFastTokenizerFiles } from "../../src/io/index.js";
import { serializeFastProcessorConfig, serializeFastTokenizerConfig, serializeHfTokenizerJson } from "../../src/io/hf-tokenizer.js";

describe("io/hf-tokenizer", () => {
  const base = { model: { type: "BPE", vocab: { a: 0, b: 1, ab: 2, "1": 3 }, merges: ["a b"] }, pre_tokenizer: { type: "ByteLevel", add_prefix_space: false, use_regex: true }, normalizer: null };

  it("parses both merge formats and keeps integer-like tokens (\"1\") with their ids", () => {
    const a = parseHfTokenizerJson(base);
    expect(a.mergesFormat).toBe("strings");
    expect(a.merges).toEqual([["a", "b"]]);
    const b = parseHfTokenizerJson(JSON.stringify({ ...base, model: { ...base.model, merges: [["a", "b"]] } }));
    expect(b.mergesFormat).toBe("pairs");
    expect(new Map(b.vocab).get("1")).toBe(3);
  });

  it("serializes vocab in id order even for integer-like keys (JS objects would reorder them)", () => {
    const text = serializeHfTokenizerJson({ vocab: ["a", "b", "ab", "1"], merges: [["a", "b"]] });
    expect(text.indexOf('"1": 3')).toBeGreaterThan(text.indexOf('"ab": 2'));
    const round = parseHfTokenizerJson(text);
    expect([...round.vocab].sort((x, y) => x[1] - y[1])).toEqual([["a", 0], ["b", 1], ["ab", 2], ["1", 3]]);
    expect(serializeHfTokenizerJson({ vocab: ["a"], merges: [], mergesFormat: "strings" })).toContain('"merges": []');
    expect(serializeHfTokenizerJson({ vocab: ["a", "b", "ab"], merges: [["a", "b"]], mergesFormat: "strings" })).toContain('"a b"');
  });

  it("rejects malformed input naming the field", () => {
    expect(() => parseHfTokenizerJson({ ...base, model: { ...base.model, merges: ["ab"] } })).toThrow(/model.merges entry 0 must be "left right"/);
    expect(() => parseHfTokenizerJson({ ...base, model: { ...base.model, vocab: { a: -1 } } })).toThrow(/model.vocab ids must be integers >= 0/);
    expect(() => parseHfTokenizerJson({ ...base, pre_tokenizer: { type: "Whitespace" } })).toThrow(/pre_tokenizer must be ByteLevel/);
    expect(() => parseHfTokenizerJson({ ...base, model: { ...base.model, unk_token: "<unk>" } })).toThrow(/model.unk_token must be null/);
    expect(() => parseHfTokenizerJson({ ...base, added_tokens: [{ id: 5 }] })).toThrow(/added_tokens must be empty/);
    expect(() => parseFastProcessorConfig({ scale: 10, vocab_size: 2048, min_token: 1.5 })).toThrow(/min_token must be an integer/);
    expect(() => parseFastProcessorConfig({ scale: 10, vocab_size: 2048, min_token: 0, time_horizon: 0 })).toThrow(/time_horizon must be null or an integer >= 1/);
  });

  it("writes processor/tokenizer configs with sorted keys and clean-up disabled", () => {
    const cfg = serializeFastProcessorConfig({ scale: 10, vocab_size: 512, min_token: -68, time_horizon: null, action_dim: null });
    expect(Object.keys(JSON.parse(cfg))).toEqual(["action_dim", "min_token", "processor_class", "scale", "time_horizon", "vocab_size"]);
    const tc = serializeFastTokenizerConfig();
    expect(JSON.parse(tc).clean_up_tokenization_spaces).toBe(false);
    expect(tc).toContain('"model_max_length": 1000000000000000019884624838656');
    expect(parseFastProcessorConfig(cfg)).toMatchObject({ scale: 10, vocab_size: 512, min_token: -68 });
  });

  it("the FAST reader is the general reader's strict profile: same model as parseHfTokenizerSpec on FAST+", () => {
    const text = readFileSync(new URL("../../assets/fast-plus/tokenizer.json", import.meta.url), "utf8");
    const fast = parseHfTokenizerJson(text);
    const spec = parseHfTokenizerSpec(text);
    expect(fast).toEqual({ vocab: spec.model.vocab, merges: spec.model.merges, mergesFormat: spec.model.mergesFormat });
    expect(spec.addedTokens).toEqual([]);
    expect(spec.normalizer).toBeNull();
  });

  it("what the general reader accepts but FAST does not is rejected by name", () => {
    const seq = { type: "Sequence", pretokenizers: [{ type: "ByteLevel", add_prefix_space: false }] };
    expect(parseHfTokenizerSpec({ ...base, pre_tokenizer: seq }).preTokenizer?.type).toBe("Sequence");
    expect(() => parseHfTokenizerJson({ ...base, pre_tokenizer: seq })).toThrow(/parseHfTokenizerJson: pre_tokenizer must be ByteLevel; got "Sequence"/);
    expect(() => parseHfTokenizerJson({ ...base, normalizer: { type: "NFC" } })).toThrow(/parseHfTokenizerJson: normalizer must be null \(not supported\)/);
    expect(() => parseHfTokenizerJson({ ...base, model: { ...base.model, ignore_merges: true } })).toThrow(/model.ignore_merges must be false \(not supported\)/);
    expect(() => parseHfTokenizerJson({ ...base, pre_tokenizer: { ...base.pre_tokenizer, add_prefix_space: true } })).toThrow(/pre_tokenizer.add_prefix_space must be false/);
    expect(() => parseHfTokenizerJson({ ...base, version: "2.0" })).toThrow(/parseHfTokenizerJson: version must be "1.0"/);
  });

  it("serializeFastTokenizerFiles writes the four files a FAST folder holds, each readable back", () => {
    const cfg = { scale: 10, vocab_size: 512, min_token: -68, time_horizon: null, action_dim: null };
    const files = serializeFastTokenizerFiles({ vocab: ["a", "b", "ab"], merges: [["a", "b"]] }, cfg);
    expect(Object.keys(files).sort()).toEqual(["processor_config.json", "special_tokens_map.json", "tokenizer.json", "tokenizer_config.json"]);
    expect(files["tokenizer.json"]).toBe(serializeHfTokenizerJson({ vocab: ["a", "b", "ab"], merges: [["a", "b"]] }));
    expect(parseFastProcessorConfig(files["processor_config.json"])).toMatchObject(cfg);
    expect(JSON.parse(files["special_tokens_map.json"])).toEqual({});
    expect(() => parseFastProcessorConfig("{ nope")).toThrow(/parseFastProcessorConfig: input must be valid JSON/);
  });
});
