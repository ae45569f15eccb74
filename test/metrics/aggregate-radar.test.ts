import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { aggregateByTask, barChartSvg, computeAllEpisodeMetrics, leaderboardGlobal, normalizeForRadar, radarChartSvg, summarize } from "../../src/metrics/index.js";
import { quantileSorted } from "../../src/core/index.js";
import { niceMax } from "../../src/metrics/svg.js";
import { makeEpisode } from "./helpers.js";

describe("summarize", () => {
  it("skips missing values; null (not NaN) where undefined", () => {
    expect(summarize([])).toMatchObject({ count: 0, mean: null, std: null, p90: null });
    expect(summarize([undefined, 2, null, NaN])).toMatchObject({ count: 1, mean: 2, std: null, min: 2, max: 2, median: 2 });
    expect(summarize([1, 2, 3, 4])).toMatchObject({ count: 4, mean: 2.5, median: 2.5, p25: 1.75, p75: 3.25 });
    expect(summarize([1, 2, 3, 4]).std).toBeCloseTo(Math.sqrt(5 / 3), 14);
  });
  it("quantiles are monotone in q and bounded by min/max", () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { minLength: 1, maxLength: 30 }), fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }), (xs, a, b) => {
        const s = [...xs].sort((x, y) => x - y);
        const [lo, hi] = a < b ? [a, b] : [b, a];
        expect(quantileSorted(s, lo)).toBeLessThanOrEqual(quantileSorted(s, hi));
        expect(quantileSorted(s, lo)).toBeGreaterThanOrEqual(s[0]);
        expect(quantileSorted(s, hi)).toBeLessThanOrEqual(s[s.length - 1]);
      }),
    );
  });
  it("groups by task", () => {
    const q = Array.from({ length: 6 }, (_, k) => [k, 0, 0]);
    const eps = computeAllEpisodeMetrics([makeEpisode(q, q, { task: "A", success: true }), makeEpisode(q, q, { task: "A" }), makeEpisode(q, q, { task: "B" })]);
    const g = aggregateByTask(eps);
    expect(Object.keys(g)).toEqual(["A", "B"]);
    expect(g.A.episodes).toBe(2);
    expect(g.A.successRate).toBe(0.5);
    expect(g.B.stats.total_joint_path_length.mean).toBe(10);
  });
  it("leaderboardGlobal rejects empty and NaN input", () => {
    expect(() => leaderboardGlobal({})).toThrow(/leaderboardGlobal: perFamily must hold at least one family/);
    expect(() => leaderboardGlobal({ a: [NaN, 1] })).toThrow(/must be finite/);
    expect(leaderboardGlobal({ a: { mean: 1, std: 2 }, b: [3, 4] })).toEqual({ mean: 2, std: 3, families: 2 });
  });
});

describe("normalizeForRadar", () => {
  const policies = [
    { name: "A", values: { success_rate: 0.8, CJ: 10, SC: 0 } },
    { name: "B", values: { success_rate: 0.2, CJ: 30, SC: 2 } },
    { name: "C", values: { success_rate: 0.5, CJ: 20, SC: null } },
  ];
  it("min–max with best = 1 in the right direction; missing stays null", () => {
    const r = normalizeForRadar(policies);
    expect(r.series[0].scores).toEqual({ success_rate: 1, CJ: 1, SC: 1 });
    expect(r.series[1].scores).toEqual({ success_rate: 0, CJ: 0, SC: 0 });
    expect(r.series[2].scores.success_rate).toBeCloseTo(0.5, 12);
    expect(r.series[2].scores.CJ).toBe(0.5);
    expect(r.series[2].scores.SC).toBeNull();
    expect(r.scheme).toMatch(/min–max/);
  });
  it("scores are in [0, 1] and the best raw value scores 1 (property)", () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: 0, max: 1e3, noNaN: true }), { minLength: 1, maxLength: 8 }), fc.constantFrom("success", "CJ"), (xs, key) => {
        const r = normalizeForRadar(xs.map((x, i) => ({ name: `p${i}`, values: { [key]: x } })));
        const s = r.series.map((p) => p.scores[key]!);
        for (const v of s) expect(v >= 0 && v <= 1).toBe(true);
        const best = key === "success" ? Math.max(...xs) : Math.min(...xs);
        expect(s[xs.indexOf(best)]).toBe(1);
      }),
    );
  });
  it("reference mode and direction overrides", () => {
    const r = normalizeForRadar(policies, { mode: "reference", reference: { success_rate: 1, CJ: 5, SC: 1 }, referenceName: "human" });
    expect(r.series[0].scores).toEqual({ success_rate: 0.8, CJ: 0.5, SC: 1 });
    expect(r.series[1].scores.SC).toBe(0.5);
    expect(r.scheme).toMatch(/human/);
    const o = normalizeForRadar(policies, { keys: ["CJ"], directions: { CJ: "max" } });
    expect(o.series[1].scores.CJ).toBe(1);
    expect(() => normalizeForRadar(policies, { mode: "reference", reference: { CJ: 1 } })).toThrow(/normalizeForRadar: opts.reference must hold a finite value for "success_rate"/);
    expect(() => normalizeForRadar([])).toThrow(/policies must hold at least one policy/);
  });
});

describe("SVG charts", () => {
  const data = normalizeForRadar([
    { name: "Policy <A>", values: { success_rate: 0.8, CJ: 10, SC: 0, SL: 1 } },
    { name: "B", values: { success_rate: 0.2, CJ: 30, SC: 2, SL: null } },
  ]);
  it("radar: standalone, escaped, legend, a colour per policy, scheme written", () => {
    const svg = radarChartSvg(data, { title: "T & U", labels: { CJ: "Cart. jerk" } });
    expect(svg.startsWith("<svg xmlns=\"http://www.w3.org/2000/svg\"")).toBe(true);
    expect(svg.trim().endsWith("</svg>")).toBe(true);
    expect(svg).toContain("T &amp; U");
    expect(svg).toContain("Policy &lt;A&gt;");
    expect(svg).toContain("Cart. jerk");
    expect(svg).toContain("min–max");
    expect(svg).toContain("#0072B2");
    expect(svg).toContain("#D55E00");
    expect(svg).toContain("Not available (drawn at 0): B: SL");
    expect(svg).not.toMatch(/NaN|undefined/);
    expect(() => radarChartSvg(normalizeForRadar([{ name: "x", values: { a: 1, b: 2 } }]))).toThrow(/at least 3 axes/);
  });
  it("bar charts: a panel per metric, values and n/a written", () => {
    const svg = barChartSvg(
      [{ key: "CJ", label: "Cartesian jerk", unit: "m/s³" }, { key: "SL" }],
      [
        { name: "A", values: { CJ: 10, SL: 1 }, errors: { CJ: 2 } },
        { name: "B", values: { CJ: 30, SL: null } },
      ],
      { title: "Bars", note: "mean ± std" },
    );
    expect(svg).toContain("Cartesian jerk (m/s³)");
    expect(svg).toContain(">n/a<");
    expect(svg).toContain(">30.0<");
    expect(svg).toContain(">10.0<");
    expect(svg).toContain("mean ± std");
    expect(svg).not.toMatch(/NaN|undefined/);
    expect(niceMax(0.37)).toBeCloseTo(0.5, 12);
    expect(niceMax(30)).toBe(50);
    expect(niceMax(0)).toBe(1);
  });
});
