import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { toRows, VlaError } from "../../src/core/index.js";
import { OpenFastTokenizer, loadFastPlus } from "../../src/tokenizer/index.js";
import { BpeModel } from "../../src/tokenizer/bpe.js";
import { FAST_PLUS_DIR, fastPlus, maxAbsDiff } from "./helpers.js";

function smooth(T: number, D: number, phase = 0): number[][] {
  return Array.from({ length: T }, (_, t) => Array.from({ length: D }, (_, d) => 0.6 * Math.sin((t / T) * Math.PI * (1 + d * 0.3) + phase + d)));
}

describe("OpenFastTokenizer API", () => {
  const tok = fastPlus();

  it("loads FAST+ from assets/ (Node) with the documented constants", async () => {
    const t = await loadFastPlus();
    expect(t.scale).toBe(10);
    expect(t.minToken).toBe(-354);
    expect(t.vocabSize).toBe(2048);
    expect(t.configVocabSize).toBe(2048);
    expect(t.mergesFormat).toBe("strings");
    expect(t.model.merges.length).toBe(1792);
  });

  it("encode accepts number[][], Float64Array and Float32Array with { horizon, dim }; encodeBatch maps encode", () => {
    const c = smooth(30, 7);
    const ids = tok.encode(c);
    expect(ids.length).toBeGreaterThan(0);
    expect(tok.encode(Float64Array.from(c.flat()), { horizon: 30, dim: 7 })).toEqual(ids);
    const f32 = Float32Array.from(c.flat());
    expect(tok.encode(f32, { horizon: 30, dim: 7 })).toEqual(tok.encode(Array.from({ length: 30 }, (_, t) => Array.from(f32.subarray(t * 7, t * 7 + 7)))));
    expect(tok.encodeBatch([c, smooth(10, 3)])).toEqual([ids, tok.encode(smooth(10, 3))]);
  });

  it("validates arguments with messages naming the function and argument", () => {
    expect(() => tok.encode([[1, 2], [3]])).toThrow(/OpenFastTokenizer.encode: chunk must be rectangular/);
    expect(() => tok.encode(new Float64Array(6))).toThrow(/OpenFastTokenizer.encode: shape must give \{ horizon, dim \}/);
    expect(() => tok.encode(new Float64Array(5), { horizon: 2, dim: 3 })).toThrow(/chunk must have horizon\*dim = 2\*3 = 6 values; got 5/);
    expect(() => tok.encode([])).toThrow(VlaError);
    expect(() => tok.decode([1], { horizon: 0, dim: 2 })).toThrow(/OpenFastTokenizer.decode: horizon must be an integer >= 1; got 0/);
    expect(() => tok.decode([1], { horizon: 2 } as never)).toThrow(/decode: dim must be an integer/);
    expect(() => tok.decode("1 2" as never, { horizon: 1, dim: 1 })).toThrow(/decode: ids must be an array/);
    expect(() => tok.decode([1], { horizon: 1, dim: 1, compat: "upstream" as never })).toThrow(/compat must be one of "strict", "reference"/);
    expect(() => tok.encodeBatch("x" as never)).toThrow(/encodeBatch: chunks must be an array/);
  });

  it("has no sticky shape state: decode always uses the shape it is given (upstream keeps the last one)", () => {
    const a = smooth(10, 2);
    const b = smooth(50, 2, 1);
    const ia = tok.encode(a);
    const ib = tok.encode(b);
    const r1 = tok.decode(ia, { horizon: 10, dim: 2 });
    expect(r1.ok).toBe(true);
    const r2 = tok.decode(ib, { horizon: 50, dim: 2 });
    expect(r2.ok && r2.actions.shape).toEqual([50, 2]);
  });

  it("decode results: strict failures are values with reasons; reference failures carry zeros; relaxed pads/truncates", () => {
    const c = smooth(30, 6);
    const ids = tok.encode(c);
    const ok = tok.decode(ids, { horizon: 30, dim: 6 });
    expect(ok.ok).toBe(true);
    if (ok.ok) {
      expect(ok.actions.data).toBeInstanceOf(Float64Array);
      expect(ok.actions.shape).toEqual([30, 6]);
      expect(ok.actions.data.length).toBe(180);
      expect(ok.actions.get(3, 2)).toBe(ok.actions.data[3 * 6 + 2]);
      expect(maxAbsDiff(ok.actions, c)).toBeLessThan(0.05 * Math.sqrt(30));
    }
    expect(tok.decode([], { horizon: 30, dim: 6 })).toMatchObject({ ok: false, reason: "empty", got: 0, expected: 180 });
    expect(tok.decode([1.5], { horizon: 1, dim: 1 })).toMatchObject({ ok: false, reason: "invalid-id", index: 0 });
    expect(tok.decode([NaN], { horizon: 1, dim: 1 })).toMatchObject({ ok: false, reason: "invalid-id" });
    expect(tok.decode([...ids, 99999], { horizon: 30, dim: 6 })).toMatchObject({ ok: false, reason: "unknown-id", index: ids.length });
    const ref = tok.decode([-1], { horizon: 2, dim: 2, compat: "reference" });
    expect(ref).toMatchObject({ ok: false, reason: "invalid-id" });
    expect(!ref.ok && ref.actions && toRows(ref.actions)).toEqual([[0, 0], [0, 0]]);
    const relaxed = tok.decode(ids.slice(0, -1), { horizon: 30, dim: 6, relaxed: true });
    expect(relaxed.ok).toBe(true);
  });

  it("a huge id list of long tokens fails fast without materializing its bytes (never hangs)", () => {
    const longest = tok.model.tokenBytes.reduce((best, t, id) => (t && t.length > (tok.model.tokenBytes[best]?.length ?? 0) ? id : best), 0);
    const ids = new Array(200_000).fill(longest); // ~600 MB of bytes if concatenated
    expect(tok.decode(ids, { horizon: 30, dim: 6 })).toMatchObject({ ok: false, reason: "wrong-length", expected: 180 });
    const relaxed = tok.decode(ids, { horizon: 30, dim: 6, relaxed: true });
    expect(relaxed.ok && relaxed.coefficients.data.every((c) => c === 0)).toBe(true); // the longest FAST+ token is zeros
  });

  it("save() writes a folder that load() reads back identically; FAST+ re-serializes to the official bytes", async () => {
    const dir = mkdtempSync(join(tmpdir(), "vla-fast-"));
    try {
      await tok.save(dir);
      expect(readFileSync(join(dir, "tokenizer.json"), "utf8")).toBe(readFileSync(join(FAST_PLUS_DIR, "tokenizer.json"), "utf8"));
      expect(JSON.parse(readFileSync(join(dir, "tokenizer_config.json"), "utf8")).clean_up_tokenization_spaces).toBe(false);
      expect(JSON.parse(readFileSync(join(dir, "special_tokens_map.json"), "utf8"))).toEqual({});
      expect(JSON.parse(readFileSync(join(dir, "processor_config.json"), "utf8"))).toMatchObject({ scale: 10, min_token: -354, vocab_size: 2048, time_horizon: null, action_dim: null, processor_class: "UniversalActionProcessor" });
      const back = await OpenFastTokenizer.load(dir);
      const c = smooth(30, 14);
      expect(back.encode(c)).toEqual(tok.encode(c));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("merges as 'a b' strings and as [a, b] pairs load to the same tokenizer", () => {
    const json = JSON.parse(readFileSync(join(FAST_PLUS_DIR, "tokenizer.json"), "utf8"));
    json.model.merges = json.model.merges.map((m: string) => m.split(" "));
    const pairs = OpenFastTokenizer.fromJSON({ tokenizer: json, processorConfig: { scale: 10, vocab_size: 2048, min_token: -354, time_horizon: null, action_dim: null } });
    expect(pairs.mergesFormat).toBe("pairs");
    for (const [T, D] of [[30, 14], [50, 32], [7, 3]]) {
      const c = smooth(T, D, T);
      expect(pairs.encode(c)).toEqual(tok.encode(c));
    }
  });

  it("rejects unsupported tokenizer.json features with a message naming the field", () => {
    const json = JSON.parse(readFileSync(join(FAST_PLUS_DIR, "tokenizer.json"), "utf8"));
    const cfg = { scale: 10, vocab_size: 2048, min_token: -354 };
    expect(() => OpenFastTokenizer.fromJSON({ tokenizer: { ...json, normalizer: { type: "NFC" } }, processorConfig: cfg })).toThrow(/normalizer must be null/);
    expect(() => OpenFastTokenizer.fromJSON({ tokenizer: { ...json, model: { ...json.model, type: "WordPiece" } }, processorConfig: cfg })).toThrow(/model.type must be "BPE"/);
    expect(() => OpenFastTokenizer.fromJSON({ tokenizer: json, processorConfig: { ...cfg, scale: 0 } })).toThrow(/scale must be a finite number > 0/);
    expect(() => OpenFastTokenizer.fromJSON({ tokenizer: "{", processorConfig: cfg })).toThrow(/must be valid JSON/);
    expect(() => new BpeModel(new Map([["a", 0]]), [["a", "b"]])).toThrow(/merges must only use tokens from the vocab/);
  });

  it("fit() trains on chunks of different lengths, reports progress, and round-trips its own output", () => {
    const chunks = Array.from({ length: 60 }, (_, i) => smooth(10 + (i % 3) * 10, 4, i * 0.1));
    const phases = new Set<string>();
    const t = OpenFastTokenizer.fit(chunks, { vocabSize: 300, onProgress: (p) => phases.add(p.phase) });
    expect([...phases]).toEqual(["quantize", "count", "merge"]);
    expect(t.fitInfo?.realizedVocabSize).toBeLessThanOrEqual(300);
    for (const c of chunks.slice(0, 5)) {
      const r = t.decode(t.encode(c), { horizon: c.length, dim: 4 });
      expect(r.ok).toBe(true);
      if (r.ok) expect(maxAbsDiff(r.actions, c)).toBeLessThan(0.05 * Math.sqrt(c.length) + 1e-9);
    }
    expect(() => OpenFastTokenizer.fit(chunks, { vocabSize: 10 })).toThrow(/fit: vocabSize must be >= max - min/);
    expect(() => OpenFastTokenizer.fit([])).toThrow(/fit: chunks must be a non-empty array/);
  });
});
