import { describe, expect, it } from "vitest";
import { idctOrtho } from "../../src/tokenizer/dct.js";
import { OpenFastTokenizer } from "../../src/tokenizer/index.js";
import { readFixtureJson, missingFixtures } from "../fixtures.js";
import { maxAbsDiff, rows } from "./helpers.js";

// The full MolmoAct2-FAST tokenizer.json (allenai/MolmoAct2-FAST-Tokenizer) is NOT available to this project
// (fixtures/molmoact2-fast/SOURCE.txt): BPE id parity for MolmoAct2 cannot be tested yet. What can be checked:
// its processor_config loads, and dequantize + inverse DCT of the known coefficients reproduces the reference
// decoded actions (scipy idct, orthonormal): tolerance 1e-12 abs (float64 rounding order only).
interface Partial { min_token: number; scale: number; cases: { name: string; used_H_D: [number, number]; coeffs: number[][]; decoded_actions: number[][] }[] }

describe.skipIf(missingFixtures("MolmoAct2-FAST partial fixtures", "molmoact2-fast"))("MolmoAct2-FAST (partial fixtures)", () => {
  it("processor_config.json loads: scale 10, min_token -55, vocab_size 2048", () => {
    const cfg = readFixtureJson<object>("molmoact2-fast", "processor_config.json");
    // a one-token stand-in vocabulary: only the config is real
    const tok = OpenFastTokenizer.fromJSON({
      tokenizer: { model: { type: "BPE", vocab: { "7": 0 }, merges: [] }, pre_tokenizer: { type: "ByteLevel", add_prefix_space: false, use_regex: true }, normalizer: null },
      processorConfig: cfg,
    });
    expect([tok.scale, tok.minToken, tok.configVocabSize]).toEqual([10, -55, 2048]);
  });

  it("parity_decode_partial: coefficients / scale → inverse DCT reproduces decoded_actions", () => {
    const p = readFixtureJson<Partial>("molmoact2-fast", "parity_decode_partial.json");
    expect(p.cases.length).toBe(5);
    for (const c of p.cases) {
      const [H, D] = c.used_H_D;
      const coef = Float64Array.from(c.coeffs.flat(), (q) => q / p.scale);
      const actions = rows(idctOrtho(coef, H, D), D);
      expect(maxAbsDiff(actions, c.decoded_actions), c.name).toBeLessThanOrEqual(1e-12);
    }
  });
});
