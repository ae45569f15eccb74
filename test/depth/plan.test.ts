import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { executeDepthPlan, planDepthDecode, type DepthDecodePlan } from "../../src/depth/index.js";
import { depthSpanTokenIds, maskRuns } from "../../src/depth/plan.js";
import { MOLMOACT2_TOKENS, TokenTable } from "../../src/vocab/index.js";

const codesArb = fc.array(fc.integer({ min: 0, max: 127 }), { minLength: 100, maxLength: 100 });
const maskArb = fc.array(fc.integer({ min: 0, max: 1 }), { minLength: 100, maxLength: 100 });

function checkInvariants(plan: DepthDecodePlan, mask: number[], codes: number[]): void {
  const covered = new Array(100).fill(0);
  let prevEnd = 0;
  for (const s of plan.steps) {
    if (s.kind === "decode") {
      expect(s.cell).toBe(prevEnd);
      expect(mask[s.cell]).toBe(1);
      covered[s.cell]++;
      prevEnd = s.cell + 1;
    } else {
      expect(s.start).toBe(prevEnd);
      expect(s.end).toBeGreaterThan(s.start);
      for (let k = s.start; k < s.end; k++) {
        expect(mask[k]).toBe(0);
        covered[k]++;
        expect(s.codes[k - s.start]).toBe(codes[k]);
        expect(s.tokenIds[k - s.start]).toBe(MOLMOACT2_TOKENS.depthToken(codes[k]));
      }
      prevEnd = s.end;
    }
  }
  expect(prevEnd).toBe(100);
  expect(covered.every((c) => c === 1)).toBe(true);
  expect(plan.decodeSteps + plan.replayedCells).toBe(100);
  expect(plan.decodeSteps).toBe(mask.reduce((a, b) => a + b, 0));
}

describe("maskRuns", () => {
  it("splits into maximal runs of equal values", () => {
    expect(maskRuns([0, 0, 1, 1, 1, 0, 1])).toEqual([
      { start: 0, end: 2, changed: false },
      { start: 2, end: 5, changed: true },
      { start: 5, end: 6, changed: false },
      { start: 6, end: 7, changed: true },
    ]);
    expect(maskRuns([1])).toEqual([{ start: 0, end: 1, changed: true }]);
  });

  it("runs are maximal, alternate, and tile the mask", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 1 }), { minLength: 1, maxLength: 200 }), (m) => {
        const runs = maskRuns(m);
        let pos = 0;
        for (let i = 0; i < runs.length; i++) {
          const r = runs[i];
          if (r.start !== pos) return false;
          for (let k = r.start; k < r.end; k++) if ((m[k] === 1) !== r.changed) return false;
          if (i > 0 && runs[i - 1].changed === r.changed) return false;
          pos = r.end;
        }
        return pos === m.length;
      }),
    );
  });
});

describe("planDepthDecode", () => {
  it("first call of an episode (no mask or no cache) decodes all 100 cells", () => {
    const p = planDepthDecode(null, null);
    expect(p.full).toBe(true);
    expect(p.decodeSteps).toBe(100);
    expect(p.replaySteps).toBe(0);
    expect(p.steps.map((s) => (s.kind === "decode" ? s.cell : -1))).toEqual([...Array(100).keys()]);
    expect(planDepthDecode(new Array(100).fill(0), null).decodeSteps).toBe(100);
  });

  it("token ids come from the shared table (spec §1.8)", () => {
    const p = planDepthDecode(null, null);
    expect(p.startTokenId).toBe(153983);
    expect(p.endTokenId).toBe(153984);
    expect(p.codeTokenStart).toBe(153985);
    expect(p.numCodes).toBe(128);
    const t = new TokenTable({ depthStart: 10, depthEnd: 11, depthTokenStart: 100, numDepthTokens: 4 });
    const q = planDepthDecode([0, 1], [3, 0], { tokens: t });
    expect(q.startTokenId).toBe(10);
    expect(q.steps[0]).toMatchObject({ kind: "replay", start: 0, end: 1 });
    expect(Array.from((q.steps[0] as { tokenIds: Int32Array }).tokenIds)).toEqual([103]);
    expect(() => planDepthDecode([0, 1], [4, 0], { tokens: t })).toThrow(/cachedCodes must contain integers in \[0, 3\]; got 4 at \[0\]/);
  });

  it("all unchanged → one replay forward and 0 decode steps; all changed → 100 decode steps", () => {
    const codes = [...Array(100).keys()].map((k) => k % 128);
    const none = planDepthDecode(new Uint8Array(100), codes);
    expect(none.full).toBe(false);
    expect(none.decodeSteps).toBe(0);
    expect(none.replaySteps).toBe(1);
    expect(none.steps).toHaveLength(1);
    const all = planDepthDecode(new Uint8Array(100).fill(1), codes);
    expect(all.decodeSteps).toBe(100);
    expect(all.replaySteps).toBe(0);
  });

  it("every cell is covered exactly once, in order; replay spans carry the cached codes", () => {
    fc.assert(
      fc.property(maskArb, codesArb, (mask, codes) => {
        const plan = planDepthDecode(mask, codes);
        checkInvariants(plan, mask, codes);
        expect(plan.replaySteps).toBe(maskRuns(mask).filter((r) => !r.changed).length);
      }),
      { numRuns: 200 },
    );
  });

  it("executeDepthPlan: replayed cells keep cached codes, decoded cells take the new ones", async () => {
    await fc.assert(
      fc.asyncProperty(maskArb, codesArb, codesArb, async (mask, cached, fresh) => {
        const fed: number[] = [];
        const plan = planDepthDecode(mask, cached);
        const out = await executeDepthPlan(plan, {
          replay: (s) => void fed.push(...s.tokenIds),
          decode: async (cell) => fresh[cell],
        });
        for (let k = 0; k < 100; k++) expect(out[k]).toBe(mask[k] ? fresh[k] : cached[k]);
        expect(fed.length).toBe(plan.replayedCells);
      }),
      { numRuns: 50 },
    );
    const plan = planDepthDecode(null, null);
    await expect(executeDepthPlan(plan, { replay: () => {}, decode: () => 128 })).rejects.toThrow(/handlers.decode must return an integer code in \[0, 127\]; got 128 for cell 0/);
  });

  it("rejects bad masks and codes", () => {
    expect(() => planDepthDecode([0, 2], [1, 1])).toThrow(/planDepthDecode: mask must contain only 0\/1 values; got 2 at \[1\]/);
    expect(() => planDepthDecode([0, 1], [1])).toThrow(/cachedCodes must be an array of 2 depth codes/);
    expect(() => planDepthDecode([0, 1], [1, 0.5])).toThrow(/got 0.5 at \[1\]/);
    expect(() => planDepthDecode([], [])).toThrow(/mask must be a non-empty array/);
    expect(() => planDepthDecode(new Uint8Array(4), [1, 1, 1, 1], { numCells: 100 })).toThrow(/mask must have opts.numCells = 100 entries; got 4/);
  });

  it("depthSpanTokenIds wraps codes in <depth_start> … <depth_end>", () => {
    expect(Array.from(depthSpanTokenIds([0, 127]))).toEqual([153983, 153985, 154112, 153984]);
    expect(() => depthSpanTokenIds([128])).toThrow(/TokenTable.depthToken: code must be an integer in \[0, 127\]; got 128/);
  });
});
