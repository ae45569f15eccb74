import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { VlaError } from "../../src/core/index.js";
import { OpenFastTokenizer, OpenFastTokenizer as Tok } from "../../src/tokenizer/index.js";
import { fixturePath, hasFixtures, readFixtureJson, missingFixtures } from "../fixtures.js";
import { fastPlus, maxAbsDiff } from "./helpers.js";

// Reference: physical-intelligence/fast algorithm run with the real HF `tokenizers` 0.23.2 + scipy 1.17.1
// (fixtures/fast-golden/SOURCE.txt). Ids and quantized coefficients must match exactly; decoded actions
// within 1e-12 abs because only the float64 summation order of the inverse DCT differs from scipy.
const TOL = 1e-12;

interface EncodeCase { name: string; chunk: number[][]; quantized: number[][]; ids: number[]; decoded_actions?: number[][] }
interface DecodeCase { name: string; ids: number[]; time_horizon: number; action_dim: number; relaxed: boolean; status: "ok" | "error"; reason: string | null; decoded_codepoints: number[] | null; actions: number[][] }
interface Golden {
  meta: { so101_q01: number[]; so101_q99: number[]; min_token: number };
  encode_cases: EncodeCase[];
  encode_failures: { name: string; chunk: number[][]; codepoint: number }[];
  decode_cases: DecodeCase[];
  cleanup_case: { chunk: number[][]; ids: number[]; tokenizers_decode: { decoded_codepoints: number[]; actions: number[][] }; transformers_v4_cleanup_decode: { decoded_codepoints: number[] } };
  pretokenize_cases: { codepoints: number[]; words: number[][]; ids: number[] }[];
  fit: {
    num_chunks: number; min_token: number; max_token: number; resulting_vocab_len: number; merges: number;
    quantized_training_coeffs_first3: number[][];
    encode_examples: { chunk_index: number; ids: number[] }[];
    quirks: {
      unseen_byte_dropped_on_encode: { text_codepoints: number[]; ids: number[]; decoded_codepoints: number[] };
      raw_alphabet_token_decode: { ids: number[]; decoded_codepoints: number[] }[];
    };
  };
}

describe.skipIf(missingFixtures("FAST+ parity", "fast-golden"))("FAST+ parity with fast-golden.json", () => {
  const g = hasFixtures ? readFixtureJson<Golden>("fast-golden", "fast-golden.json") : (undefined as unknown as Golden);
  const tok = fastPlus();

  it("the FAST+ copy in assets/ is the fixture file", () => {
    expect(readFileSync(fixturePath("fast-official", "tokenizer.json"), "utf8")).toBe(readFileSync(new URL("../../assets/fast-plus/tokenizer.json", import.meta.url), "utf8"));
    expect(tok.minToken).toBe(g.meta.min_token);
    expect(tok.vocabSize).toBe(2048);
  });

  it("encode_cases: quantized coefficients and ids exact, decoded actions within 1e-12", () => {
    expect(g.encode_cases.length).toBe(12);
    for (const c of g.encode_cases) {
      const H = c.chunk.length;
      const D = c.chunk[0].length;
      expect(Array.from(tok.quantize(c.chunk).data), c.name).toEqual(c.quantized.flat());
      expect(tok.encode(c.chunk), c.name).toEqual(c.ids);
      // the same through a Float32-free typed input path
      expect(tok.encode(Float64Array.from(c.chunk.flat()), { horizon: H, dim: D }), c.name).toEqual(c.ids);
      if (c.decoded_actions) {
        const r = tok.decode(c.ids, { horizon: H, dim: D });
        expect(r.ok, c.name).toBe(true);
        if (r.ok) expect(maxAbsDiff(r.actions, c.decoded_actions), c.name).toBeLessThanOrEqual(TOL);
      }
    }
  });

  it("encode_failures: surrogate and beyond-U+10FFFF code points throw a VlaError naming the coefficient", () => {
    for (const f of g.encode_failures) {
      expect(() => tok.encode(f.chunk)).toThrow(VlaError);
      expect(() => tok.encode(f.chunk)).toThrow(new RegExp(`OpenFastTokenizer.encode: chunk .*U\\+${f.codepoint.toString(16).toUpperCase()}`));
    }
    expect(() => tok.encode([[0, NaN]])).toThrow(/chunk must contain finite numbers; got NaN at \[0\]\[1\]/);
    expect(() => tok.encode([[Infinity]])).toThrow(VlaError);
  });

  it("decode_cases in reference mode reproduce upstream status and actions (zeros on error)", () => {
    expect(g.decode_cases.length).toBe(10);
    for (const c of g.decode_cases) {
      const r = tok.decode(c.ids, { horizon: c.time_horizon, dim: c.action_dim, relaxed: c.relaxed, compat: "reference" });
      expect(r.ok ? "ok" : "error", c.name).toBe(c.status);
      const actions = r.ok ? r.actions : r.actions;
      expect(actions, c.name).toBeDefined();
      // 1e-12 abs, except huge U+FFFD coefficients (65179/10) where 1e-12 relative applies
      const scale = Math.max(1, ...c.actions.flat().map(Math.abs));
      expect(maxAbsDiff(actions!, c.actions), c.name).toBeLessThanOrEqual(TOL * scale);
      if (r.ok && c.decoded_codepoints) expect(Array.from(r.coefficients.data.subarray(0, Math.min(c.decoded_codepoints.length, r.coefficients.size))), c.name).toEqual(c.decoded_codepoints.slice(0, r.coefficients.size).map((cp) => cp + g.meta.min_token));
    }
  });

  it("decode_cases in strict mode (default): every upstream error is a reason, and silent upstream successes on bad ids fail", () => {
    const expected: Record<string, string> = {
      exact: "ok",
      drop_last_token: "wrong-length",
      drop_last_token_relaxed_lerobot: "ok",
      extra_token_zero_run: "wrong-length",
      extra_token_relaxed_lerobot: "ok",
      empty: "empty",
      unknown_id_2048_is_skipped: "unknown-id",
      negative_id: "invalid-id",
      lone_continuation_byte_token: "invalid-utf8",
      wrong_action_dim: "wrong-length",
    };
    for (const c of g.decode_cases) {
      const r = tok.decode(c.ids, { horizon: c.time_horizon, dim: c.action_dim, relaxed: c.relaxed });
      expect(r.ok ? "ok" : r.reason, c.name).toBe(expected[c.name]);
      if (!r.ok) {
        expect(r.actions, "strict failures never carry zero actions").toBeUndefined();
        expect(r.message.length).toBeGreaterThan(10);
      }
      if (r.ok) expect(maxAbsDiff(r.actions, c.actions), c.name).toBeLessThanOrEqual(TOL);
    }
    const bad = tok.decode([461, 527, 557, 523, 351, 493, 888, 550], { horizon: 30, dim: 7 });
    expect(bad).toMatchObject({ ok: false, reason: "wrong-length", got: 180, expected: 210 });
  });

  it("cleanup_case: we never apply transformers<5 clean_up_tokenization_spaces, so ' .' survives", () => {
    const c = g.cleanup_case;
    expect(tok.encode(c.chunk)).toEqual(c.ids);
    const r = tok.decode(c.ids, { horizon: 1, dim: 3 });
    expect(r.ok).toBe(true);
    if (r.ok) {
      expect(Array.from(r.coefficients.data)).toEqual(c.tokenizers_decode.decoded_codepoints.map((cp) => cp + g.meta.min_token));
      expect(maxAbsDiff(r.actions, c.tokenizers_decode.actions)).toBeLessThanOrEqual(TOL);
    }
    // transformers 4.x would have deleted the space (2 coefficients instead of 3) and returned zeros
    expect(c.transformers_v4_cleanup_decode.decoded_codepoints.length).toBe(2);
  });

  it("pretokenize_cases: ids for regex edge cases (White_Space U+0085/U+00A0, not U+FEFF/U+001C)", () => {
    for (const c of g.pretokenize_cases) {
      expect(tok.encodeCodePoints(Int32Array.from(c.codepoints), c.codepoints.length), JSON.stringify(c.codepoints)).toEqual(c.ids);
    }
  });
});

describe.skipIf(missingFixtures("fit() replica", "fast-golden"))("fit() replica: fit-so101-v512", () => {
  const g = hasFixtures ? readFixtureJson<Golden>("fast-golden", "fast-golden.json") : (undefined as unknown as Golden);
  function so101Chunks(): number[][][] {
    const ep = readFixtureJson<{ action: number[][] }>("real", "so101-orange-cube", "derived", "episode_000000.json");
    const { so101_q01: q01, so101_q99: q99 } = g.meta;
    // openpi quantile normalization as the golden generator used it: (x-q01)/(q99-q01+1e-6)*2-1, no clipping
    const norm = ep.action.map((r) => r.map((v, d) => ((v - q01[d]) / (q99[d] - q01[d] + 1e-6)) * 2 - 1));
    const chunks: number[][][] = [];
    for (let s = 0; s <= norm.length - 30; s += 3) chunks.push(norm.slice(s, s + 30));
    return chunks;
  }

  it("reproduces tokenizer.json byte for byte (vocab, merges, format) and processor_config values", () => {
    const chunks = so101Chunks();
    expect(chunks.length).toBe(g.fit.num_chunks);
    const progress: string[] = [];
    const tok = Tok.fit(chunks, { vocabSize: 512, scale: 10, onProgress: (p) => progress.push(p.phase) });
    expect(progress).toContain("merge");
    expect(tok.fitInfo).toMatchObject({ minToken: g.fit.min_token, maxToken: g.fit.max_token, realizedVocabSize: g.fit.resulting_vocab_len, merges: g.fit.merges, warnings: [] });
    const files = tok.toFiles();
    const golden = readFileSync(fixturePath("fast-golden", "fit-so101-v512", "tokenizer.json"), "utf8");
    expect(files["tokenizer.json"]).toBe(golden);
    expect(JSON.parse(files["processor_config.json"])).toEqual(JSON.parse(readFileSync(fixturePath("fast-golden", "fit-so101-v512", "processor_config.json"), "utf8")));
    g.fit.quantized_training_coeffs_first3.forEach((q, i) => expect(Array.from(tok.quantize(chunks[i]).data)).toEqual(q));
    for (const e of g.fit.encode_examples) expect(tok.encode(chunks[e.chunk_index])).toEqual(e.ids);
  });

  it("loads the golden fit-layout tokenizer (raw alphabet first, [a,b] merges) and shows its quirks", async () => {
    const tok = await OpenFastTokenizer.load(fixturePath("fast-golden", "fit-so101-v512"));
    expect(tok.minToken).toBe(-68);
    expect(tok.vocabSize).toBe(483);
    expect(tok.configVocabSize).toBe(512);
    const q = g.fit.quirks;
    // a char whose UTF-8 bytes are not in the vocab is dropped silently (no unk token), like tokenizers
    const cps = Int32Array.from(q.unseen_byte_dropped_on_encode.text_codepoints);
    expect(tok.encodeCodePoints(cps, cps.length)).toEqual(q.unseen_byte_dropped_on_encode.ids);
    for (const r of q.raw_alphabet_token_decode) {
      const b = tok.model.decodeBytes(r.ids, new Uint8Array(8));
      expect(Array.from(new TextDecoder().decode(b.bytes.subarray(0, b.length)), (ch) => ch.codePointAt(0))).toEqual(r.decoded_codepoints);
    }
    const chunks = so101Chunks();
    for (const e of g.fit.encode_examples) expect(tok.encode(chunks[e.chunk_index])).toEqual(e.ids);
  });
});
