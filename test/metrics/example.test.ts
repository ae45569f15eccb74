import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { buildCharts } from "../../examples/metrics-radar.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

describe("examples/metrics-radar.ts and docs/metrics.md", () => {
  it("builds the table and both charts (seeded: same output twice)", () => {
    const a = buildCharts(3);
    const b = buildCharts(3);
    expect(a.radar).toBe(b.radar);
    expect(Object.keys(a.table)).toEqual(["Smooth VLA", "Jittery VLA", "Slow baseline", "Human demos"]);
    for (const row of Object.values(a.table)) for (const v of Object.values(row)) expect(Number.isFinite(v)).toBe(true);
    expect(a.radar).toContain("min–max");
    expect(a.bars).toContain("Cartesian jerk");
  });

  it("the doc embeds the committed radar picture, which matches the example's output", () => {
    const doc = readFileSync(join(root, "docs", "metrics.md"), "utf8");
    expect(doc).toContain("img/metrics-radar.svg");
    const svgPath = join(root, "docs", "img", "metrics-radar.svg");
    expect(existsSync(svgPath)).toBe(true);
    expect(readFileSync(svgPath, "utf8").trim()).toBe(buildCharts().radar.trim());
  });
});
