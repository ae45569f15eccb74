import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { BYTE_TO_CHAR, CHAR_TO_BYTE, decodeUtf8Lossy, pretokenizeCodePoints, pretokenizeString } from "../../src/tokenizer/byte-level.js";
import { readFixtureJson, missingFixtures } from "../fixtures.js";

function splitCps(cps: number[]): number[][] {
  const ends = new Int32Array(cps.length);
  const n = pretokenizeCodePoints(Int32Array.from(cps), cps.length, ends);
  const out: number[][] = [];
  let s = 0;
  for (let i = 0; i < n; i++) {
    out.push(cps.slice(s, ends[i]));
    s = ends[i];
  }
  return out;
}

function regexCps(cps: number[]): number[][] {
  return pretokenizeString(String.fromCodePoint(...cps)).map((w) => Array.from(w, (ch) => ch.codePointAt(0) as number));
}

// chars that exercise every branch of the GPT-2 regex: letters, digits, punctuation, ' and contraction letters,
// ASCII/Unicode White_Space (U+0085, U+00A0, U+2028) and non-spaces that JS \s would treat differently (U+FEFF, U+001C)
const interesting = [0x20, 0x20, 0x27, 0x73, 0x74, 0x72, 0x65, 0x76, 0x6d, 0x6c, 0x64, 0x41, 0x30, 0x2e, 0x0a, 0x09, 0x85, 0xa0, 0xfeff, 0x1c, 0x162, 0x2c2, 0x300, 0xb2, 0x2028, 0x1f600];

describe("GPT-2 byte-level helpers", () => {
  it("byte map: 256 distinct chars, printable bytes map to themselves, others to U+0100…", () => {
    expect(new Set(BYTE_TO_CHAR).size).toBe(256);
    expect(BYTE_TO_CHAR[0x41]).toBe(0x41);
    expect(BYTE_TO_CHAR[0x20]).toBe(0x120); // "Ġ"
    expect(BYTE_TO_CHAR[0]).toBe(0x100);
    expect(CHAR_TO_BYTE.get(0x120)).toBe(0x20);
  });

  it.skipIf(missingFixtures("golden pretokenize_cases", "fast-golden"))("pre-tokenizer splits golden pretokenize_cases into the reference words (both implementations)", () => {
    const g = readFixtureJson<{ pretokenize_cases: { codepoints: number[]; words: number[][] }[] }>("fast-golden", "fast-golden.json");
    for (const c of g.pretokenize_cases) {
      expect(splitCps(c.codepoints), JSON.stringify(c.codepoints)).toEqual(c.words);
      expect(regexCps(c.codepoints), JSON.stringify(c.codepoints)).toEqual(c.words);
    }
  });

  it("property: the code-point state machine equals the \\p{White_Space} regex on random text", () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.constantFrom(...interesting), fc.integer({ min: 0, max: 0x2fff }).filter((c) => c < 0xd800 || c > 0xdfff)), { maxLength: 24 }), (cps) => {
        expect(splitCps(cps)).toEqual(regexCps(cps));
      }),
      { numRuns: 3000 },
    );
  });

  it("property: lossy UTF-8 decoding equals TextDecoder (WHATWG maximal-subpart U+FFFD)", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 32 }), (bytes) => {
        const out = new Int32Array(bytes.length);
        const n = decodeUtf8Lossy(bytes, bytes.length, out);
        const ref = Array.from(new TextDecoder("utf-8").decode(bytes), (ch) => ch.codePointAt(0));
        expect(Array.from(out.subarray(0, n))).toEqual(ref);
      }),
      { numRuns: 5000 },
    );
    // mostly-valid sequences too (random code points encoded, then corrupted)
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 0x10ffff }).filter((c) => c < 0xd800 || c > 0xdfff), { maxLength: 10 }), fc.nat(), (cps, cut) => {
        const bytes = new TextEncoder().encode(String.fromCodePoint(...cps));
        const b = cut % 3 === 0 ? bytes.subarray(0, Math.max(0, bytes.length - 1)) : bytes;
        const out = new Int32Array(b.length);
        const n = decodeUtf8Lossy(b, b.length, out);
        expect(Array.from(out.subarray(0, n))).toEqual(Array.from(new TextDecoder().decode(b), (ch) => ch.codePointAt(0)));
      }),
      { numRuns: 2000 },
    );
  });
});
