import { readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { changedCells } from "../../src/depth/index.js";
import { DepthMaskSummary, depthMaskHistogramSvg, depthMasks, LeRobotDataset, readPng, type DepthMaskFrame } from "../../src/io/index.js";
import { fixturePath, missingFixtures } from "../fixtures.js";
import { missingFfmpeg } from "./video-synth.js";

const skip = missingFfmpeg("depth masks over a real dataset") || missingFixtures("depth masks over a real dataset", "real", "g1-inspire-bottle");

async function g1Masks(opts: Parameters<typeof depthMasks>[1] = {}): Promise<DepthMaskFrame[]> {
  const ds = await LeRobotDataset.open(fixturePath("real", "g1-inspire-bottle"), { onWarning: () => {} });
  const out: DepthMaskFrame[] = [];
  for await (const f of depthMasks(ds, { episodes: [1], ...opts })) out.push(f);
  return out;
}

describe.skipIf(skip)("depthMasks on the G1 episode with video", () => {
  it("masks equal changedCells on the same frames (the PyAV PNGs), the first frame is all ones", async () => {
    const masks = await g1Masks();
    expect(masks.length).toBe(393);
    expect(masks[0]).toMatchObject({ first: true, changedCount: 100, frameIndex: 0 });
    expect(Array.from(masks[0].mask).every((m) => m === 1)).toBe(true);
    const dir = fixturePath("real", "g1-inspire-bottle", "frames");
    const files = readdirSync(dir).sort();
    const idx = files.map((f) => Number(/_(\d+)\.png$/.exec(f)![1]));
    let compared = 0;
    for (let k = 1; k < files.length; k++) {
      if (idx[k] !== idx[k - 1] + 1) continue; // only consecutive pairs
      const want = changedCells(await readPng(join(dir, files[k - 1])), await readPng(join(dir, files[k])));
      const got = masks[idx[k]];
      expect(got.frameIndex).toBe(idx[k]);
      expect(Array.from(got.mask), `frame ${idx[k]}`).toEqual(Array.from(want.mask));
      expect(got.changedCount).toBe(want.changedCount);
      compared++;
    }
    expect(compared).toBe(12);
    // the stream repeats every other frame exactly (shared/specs/real-data.md): 0 changed cells on those
    expect(masks[191].changedCount).toBe(0);
    expect(masks[196].changedCount).toBeGreaterThan(0);
  });

  it("with codes, the buffer carries each cell's code from its last change (paper eq. 10)", async () => {
    const code = (frame: number, cell: number) => (frame * 7 + cell) % 128;
    const masks = await g1Masks({ codes: (_e, f) => Array.from({ length: 100 }, (_, c) => code(f, c)) });
    const last = new Array<number>(100).fill(0);
    for (const m of masks) {
      for (let c = 0; c < 100; c++) if (m.mask[c]) last[c] = m.frameIndex;
      expect(Array.from(m.buffer!), `frame ${m.frameIndex}`).toEqual(last.map((f, c) => code(f, c)));
    }
  });

  it("step compares every step-th frame", async () => {
    const all = await g1Masks();
    const stepped = await g1Masks({ step: 2 });
    expect(stepped.map((m) => m.frameIndex)).toEqual(all.filter((m) => m.frameIndex % 2 === 0).map((m) => m.frameIndex));
  });

  it("summary: histogram of later frames, means, and an SVG that says them", async () => {
    const masks = await g1Masks();
    const s = new DepthMaskSummary(100);
    for (const m of masks) s.add(m);
    const r = s.result();
    expect(r.frames).toBe(393);
    expect(r.histogram.reduce((a, b) => a + b, 0)).toBe(392);
    const later = masks.filter((m) => !m.first);
    expect(r.meanChangedCells).toBeCloseTo(later.reduce((a, m) => a + m.changedCount, 0) / 392, 12);
    expect(r.shareUnchanged).toBeCloseTo(later.filter((m) => m.changedCount === 0).length / 392, 12);
    expect(r.meanForwards!).toBeGreaterThan(r.meanDecodeSteps!);
    const svg = depthMaskHistogramSvg(r, { title: "G1" });
    expect(svg).toMatch(/^<svg /);
    expect(svg).toContain(`mean ${r.meanChangedCells!.toFixed(1)} of 100 cells changed`);
    expect(svg).toContain(`${r.histogram[0]} frames</title>`);
  });
});

describe("DepthMaskSummary edge cases", () => {
  it("no frame after the first gives nulls, not NaN", () => {
    const s = new DepthMaskSummary(4);
    s.add({ episodeIndex: 0, frameIndex: 0, timestamp: 0, mask: new Uint8Array([1, 1, 1, 1]), changedCount: 4, first: true });
    const r = s.result();
    expect(r.meanChangedCells).toBeNull();
    expect(r.forwardSpeedup).toBeNull();
    expect(depthMaskHistogramSvg(r)).toContain("n/a");
  });

  it("forwards = decode steps + one replay per run of unchanged cells", () => {
    const s = new DepthMaskSummary(6);
    s.add({ episodeIndex: 0, frameIndex: 1, timestamp: 0, mask: new Uint8Array([0, 0, 1, 0, 1, 1]), changedCount: 3, first: false });
    expect(s.result()).toMatchObject({ meanDecodeSteps: 3, meanForwards: 5, forwardSpeedup: 6 / 5 });
  });
});
