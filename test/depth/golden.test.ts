import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { changedCells, DepthChangeDetector, depthFrame } from "../../src/depth/index.js";
import { readPng } from "../../src/io/png.js";
import { fixturePath, hasFixtures, readFixtureJson, missingFixtures } from "../fixtures.js";

interface GoldenCase {
  prev: string;
  curr: string;
  cosine: number[];
  changed: number[];
  changed_count: number;
  resized_curr_sha256: string;
  resized_curr_first_row_rgb: number[][];
}

const golden = hasFixtures ? readFixtureJson<{ rule: string; cases: GoldenCase[] }>("depth-golden", "golden.json") : { rule: "", cases: [] };

// Reference: PIL 12 resize + numpy float64 cosine on consecutive real G1 camera frames (fixture depth-golden).
// Masks and the resized frame must be identical. Cosines: 1e-9 absolute, because the model adds 1e-12 to the
// norm product (golden uses plain dot/(|x||y|)); with norms ~1e5 that moves the cosine by < 1e-16.
describe.skipIf(missingFixtures("depth golden parity", "depth-golden"))("depth golden parity (real G1 frames)", () => {
  it("has cases", () => {
    expect(golden.cases.length).toBeGreaterThan(5);
  });

  it.each(golden.cases.map((c) => [c.prev.split("/").pop(), c.curr.split("/").pop(), c] as const))("%s -> %s", async (_p, _c, c) => {
    const prev = await readPng(fixturePath(c.prev));
    const curr = await readPng(fixturePath(c.curr));
    const frame = depthFrame(curr);
    expect(frame.length).toBe(320 * 320 * 3);
    // byte layout: row-major HWC RGB, the first 8 pixels of row 0
    expect(Array.from(frame.subarray(0, c.resized_curr_first_row_rgb.length * 3))).toEqual(c.resized_curr_first_row_rgb.flat());
    expect(createHash("sha256").update(frame).digest("hex")).toBe(c.resized_curr_sha256);

    const r = changedCells(prev, curr);
    expect(Array.from(r.mask)).toEqual(c.changed);
    expect(r.changedCount).toBe(c.changed_count);
    for (let k = 0; k < 100; k++) expect(Math.abs(r.cosine[k] - c.cosine[k])).toBeLessThanOrEqual(1e-9);
  });

  it("the streaming detector gives the same masks over the whole sequence", async () => {
    const det = new DepthChangeDetector();
    const first = await readPng(fixturePath(golden.cases[0].prev));
    expect(det.push(first).first).toBe(true);
    for (const c of golden.cases) {
      const r = det.push(await readPng(fixturePath(c.curr)));
      expect(r.first).toBe(false);
      expect(Array.from(r.mask)).toEqual(c.changed);
      for (let k = 0; k < 100; k++) expect(Math.abs(r.cosine![k] - c.cosine[k])).toBeLessThanOrEqual(1e-9);
    }
  });
});
