import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { BpeModel } from "../../src/tokenizer/bpe.js";
import { fastPlus } from "./helpers.js";

function both(model: BpeModel, bytes: Uint8Array): [number[], number[]] {
  const a: number[] = [];
  const b: number[] = [];
  model.encodeWordBytesWith("heap", bytes, 0, bytes.length, a);
  model.encodeWordBytesWith("bucket", bytes, 0, bytes.length, b);
  return [a, b];
}

describe("BPE merge algorithms", () => {
  it("FAST+ merges are monotone, so the fast rank-bucket path is used", () => {
    expect(fastPlus().model.monotone).toBe(true);
  });

  it("property: rank-bucket BPE gives exactly the heap (HF tokenizers) result on FAST-like words", () => {
    const model = fastPlus().model;
    // FAST+ text: coefficient chars around U+0162 (zero) with long zero runs, UTF-8 encoded
    const cp = fc.oneof(fc.constant(0x162), fc.constant(0x162), fc.integer({ min: 0x130, max: 0x194 }), fc.integer({ min: 0, max: 0x7ff }));
    fc.assert(
      fc.property(fc.array(cp, { minLength: 1, maxLength: 400 }), (cps) => {
        const [a, b] = both(model, new TextEncoder().encode(String.fromCodePoint(...cps)));
        expect(b).toEqual(a);
      }),
      { numRuns: 400 },
    );
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 64 }), (bytes) => {
        const [a, b] = both(model, bytes);
        expect(b).toEqual(a);
      }),
      { numRuns: 400 },
    );
  });

  it("non-monotone merge lists fall back to the heap, which applies the lowest rank first, leftmost first", () => {
    // "ab c" ranked before "a b": a part produced later than its use → not monotone
    const vocab = new Map([["a", 0], ["b", 1], ["c", 2], ["ab", 3], ["abc", 4], ["bc", 5]]);
    const m = new BpeModel(vocab, [["ab", "c"], ["a", "b"], ["b", "c"]]);
    expect(m.monotone).toBe(false);
    expect(() => m.encodeWordBytesWith("bucket", new Uint8Array([97]), 0, 1, [])).toThrow(/needs monotone merges/);
    const out: number[] = [];
    m.encodeWordBytes(new TextEncoder().encode("abcab"), 0, 5, out);
    // rank 1 (a b) merges first at both places, then rank 0 (ab c) becomes possible: [abc, ab]
    expect(out).toEqual([4, 3]);
    const mono = new BpeModel(vocab, [["a", "b"], ["b", "c"], ["ab", "c"]]);
    expect(mono.monotone).toBe(true);
    const o2: number[] = [];
    mono.encodeWordBytes(new TextEncoder().encode("abcab"), 0, 5, o2);
    expect(o2).toEqual([4, 3]);
    const o3: number[] = [];
    mono.encodeWordBytes(new TextEncoder().encode("xbc"), 0, 3, o3); // "x" not in vocab: dropped
    expect(o3).toEqual([5]);
  });
});
