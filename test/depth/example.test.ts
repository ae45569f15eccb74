import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { depthCellsExample } from "../../examples/depth-cells.js";

describe("examples/depth-cells.ts (docs/depth.md picture)", () => {
  it("computes the mask of the bundled frames and writes an SVG with the changed cells outlined", async () => {
    const out = join(mkdtempSync(join(tmpdir(), "depth-")), "cells.svg");
    const r = await depthCellsExample(out);
    expect(r.changedCount).toBe(27);
    expect(r.plan.decodeSteps).toBe(27);
    expect(r.plan.replayedCells).toBe(73);
    const svg = readFileSync(out, "utf8");
    expect(svg).toContain("data:image/png;base64,");
    expect(svg.match(/stroke="#e4572e"/g)).toHaveLength(27);
    expect(svg).toContain("27 of 100 cells changed");
  });
});
