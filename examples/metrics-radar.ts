/**
 * RoboEval metrics example: score a few synthetic policies, print a MolmoAct2-style table and draw the
 * radar chart and bar charts used in docs/metrics.md.
 *
 *   npx tsx examples/metrics-radar.ts            # prints the table, writes docs/img/metrics-{radar,bars}.svg
 */
import { writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Rng } from "../src/core/index.js";
import {
  barChartSvg,
  computeAllEpisodeMetrics,
  molmoAct2Table,
  normalizeForRadar,
  radarChartSvg,
  syntheticEpisode,
  type SyntheticEpisodeOptions,
  type TableMean,
} from "../src/metrics/index.js";

const POLICIES: [string, SyntheticEpisodeOptions][] = [
  ["Smooth VLA", { noise: 0.0005, successProbability: 0.8, contactRate: 0.01, steps: 220, slipProbability: 0.2 }],
  ["Jittery VLA", { noise: 0.004, successProbability: 0.6, contactRate: 0.03, steps: 260, slipProbability: 0.5 }],
  ["Slow baseline", { noise: 0.001, successProbability: 0.4, contactRate: 0.02, steps: 400, amplitude: 0.8, slipProbability: 0.3 }],
  ["Human demos", { noise: 0.0003, successProbability: 0.95, contactRate: 0.005, steps: 160, amplitude: 0.5, slipProbability: 0.05 }],
];

const AXES: [string, string][] = [
  ["success_rate", "Success"],
  ["TL", "Traj. length"],
  ["JPL", "Joint path"],
  ["CPL", "Cart. path"],
  ["CJ", "Cart. jerk"],
  ["JJ", "Joint jerk"],
  ["SC", "Self-collisions"],
  ["SL", "Slips"],
];

/** Score the synthetic policies (20 episodes each, seeded) and build the charts. */
export function buildCharts(episodesPerPolicy = 20): { table: Record<string, Record<string, number | null>>; radar: string; bars: string } {
  const rng = new Rng(7);
  const table: Record<string, Record<string, number | null>> = {};
  for (const [name, opts] of POLICIES) {
    const episodes = Array.from({ length: episodesPerPolicy }, (_, i) => syntheticEpisode(rng, { ...opts, id: `${name}-${i}` }));
    const t = molmoAct2Table(computeAllEpisodeMetrics(episodes));
    table[name] = Object.fromEntries(AXES.map(([k]) => [k, k === "success_rate" ? t.success_rate : (t[k as keyof typeof t] as TableMean).mean]));
  }
  const policies = Object.entries(table).map(([name, values]) => ({ name, values }));
  const radar = radarChartSvg(normalizeForRadar(policies, { keys: AXES.map((a) => a[0]) }), {
    title: "RoboEval metrics (synthetic policies)",
    labels: Object.fromEntries(AXES),
  });
  const bars = barChartSvg(
    [
      { key: "success_rate", label: "Success rate" },
      { key: "CJ", label: "Cartesian jerk", unit: "m/s³" },
      { key: "CPL", label: "Cartesian path", unit: "m" },
      { key: "SC", label: "Self-collisions" },
      { key: "SL", label: "Slips" },
      { key: "TL", label: "Trajectory length", unit: "steps" },
    ],
    policies,
    { title: "RoboEval metrics per policy (means over 20 episodes)", note: "Synthetic data made with syntheticEpisode (seed 7); lower is better except success." },
  );
  return { table, radar, bars };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { table, radar, bars } = buildCharts();
  console.table(table);
  const img = join(dirname(fileURLToPath(import.meta.url)), "..", "docs", "img");
  writeFileSync(join(img, "metrics-radar.svg"), radar + "\n");
  writeFileSync(join(img, "metrics-bars.svg"), bars + "\n");
  console.log(`wrote ${join(img, "metrics-radar.svg")} and metrics-bars.svg`);
}
