import { percentileStats } from "../io/index.js";
import { expectPositionals, optionHelp, parseCommand, type OptionSpec } from "./args.js";
import type { CliIo } from "./cli-io.js";
import { DATASET_OPTIONS, loadDataset } from "./dataset-loader.js";
import { progressEnabled } from "./progress.js";

const OPTIONS: Record<string, OptionSpec> = {
  ...DATASET_OPTIONS,
  json: { type: "boolean", help: "print JSON instead of a table" },
  progress: { type: "boolean", help: "draw progress bars even when stderr is not a terminal" },
  "no-progress": { type: "boolean", help: "never draw progress bars" },
  help: { type: "boolean", short: "h", help: "show this help" },
};

export const STATS_HELP = `Usage: vla-primitives stats <dataset> [options]

Summarise a LeRobot v2.x/v3 dataset folder: version, fps, episodes, frames, the state/action
columns and, per dimension, min / 1st percentile / 99th percentile / max / mean / std, pooled over
every frame (numpy's linear quantiles). The dataset's own q01/q99 from meta/stats.json are shown
beside them when present (LeRobot averages per-episode quantiles, so they differ).

Options:
${optionHelp(OPTIONS)}
`;

/** Per-dimension summary of one trajectory key. */
export interface KeyStats {
  key: string;
  dim: number;
  names: string[] | null;
  min: number[];
  q01: number[];
  q99: number[];
  max: number[];
  mean: number[];
  std: number[];
  /** The dataset's own q01/q99 (meta/stats.json), or null. */
  datasetQ01: number[] | null;
  datasetQ99: number[] | null;
}

function fmt(x: number): string {
  return Number.isInteger(x) ? String(x) : Math.abs(x) >= 1000 ? x.toFixed(1) : x.toPrecision(5);
}

/** `vla-primitives stats <dataset>`; returns the exit code. */
export async function statsCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommand("stats", argv, OPTIONS);
  if (values.help) {
    io.stdout(STATS_HELP);
    return 0;
  }
  const [dir] = expectPositionals("stats", positionals, ["dataset"]);
  const { ds, episodes } = await loadDataset("stats", dir, values, io, progressEnabled(io, values));
  const frames = episodes.reduce((a, e) => a + e.length, 0);
  const keyStats = (which: "state" | "action"): KeyStats => {
    const p = percentileStats(episodes, which);
    const q = ds.datasetQuantiles(which);
    return {
      key: ds.keys[which],
      dim: p.dim,
      names: ds.names[which],
      min: p.min,
      q01: p.q01,
      q99: p.q99,
      max: p.max,
      mean: p.mean,
      std: p.std,
      datasetQ01: q ? Array.from(q.q01) : null,
      datasetQ99: q ? Array.from(q.q99) : null,
    };
  };
  const report = {
    dataset: dir,
    version: ds.info.version,
    robotType: ds.info.robotType,
    fps: ds.fps,
    episodes: episodes.length,
    episodeIndices: episodes.map((e) => e.episodeIndex),
    frames,
    quantileMethod: "normalize.computeStats (numpy linear, pooled frames)",
    statsOrigin: ds.statsOrigin,
    state: keyStats("state"),
    action: keyStats("action"),
  };
  if (values.json) {
    io.stdout(JSON.stringify(report, null, 2) + "\n");
    return 0;
  }
  const lines = [
    `dataset   ${dir}`,
    `version   ${report.version}   robot ${report.robotType ?? "?"}   fps ${report.fps}`,
    `episodes  ${report.episodes}   frames ${frames}   (${(frames / report.fps).toFixed(1)} s)`,
  ];
  for (const which of ["state", "action"] as const) {
    const k = report[which];
    lines.push("", `${which}: "${k.key}" (${k.dim} dims)`);
    const header = ["dim", "name", "min", "q01", "q99", "max", "mean", "std", ...(k.datasetQ01 ? ["ds.q01", "ds.q99"] : [])];
    const rows = [header];
    for (let d = 0; d < k.dim; d++) {
      rows.push([
        String(d),
        k.names?.[d] ?? "",
        ...[k.min[d], k.q01[d], k.q99[d], k.max[d], k.mean[d], k.std[d]].map(fmt),
        ...(k.datasetQ01 && k.datasetQ99 ? [fmt(k.datasetQ01[d]), fmt(k.datasetQ99[d])] : []),
      ]);
    }
    const widths = header.map((_, c) => Math.max(...rows.map((r) => r[c].length)));
    for (const r of rows) lines.push("  " + r.map((c, i) => (i <= 1 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  "));
  }
  io.stdout(lines.join("\n") + "\n");
  return 0;
}
