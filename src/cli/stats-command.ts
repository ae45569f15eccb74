import type { LeRobotDataset, LeRobotEpisode } from "../io/index.js";
import { percentileStats } from "../normalize/index.js";
import { choiceOption, expectPositionals, optionHelp, parseCommand, type OptionSpec } from "./args.js";
import { UsageError, type CliIo } from "./cli-io.js";
import { DATASET_OPTIONS, loadDataset, warn } from "./dataset-loader.js";
import { progressEnabled } from "./progress.js";
import { WRITE_OPTIONS, writeStats, type StatsFormat } from "./stats-write.js";

const OPTIONS: Record<string, OptionSpec> = {
  ...DATASET_OPTIONS,
  json: { type: "boolean", help: "print JSON instead of a table" },
  ...WRITE_OPTIONS,
  progress: { type: "boolean", help: "draw progress bars even when stderr is not a terminal" },
  "no-progress": { type: "boolean", help: "never draw progress bars" },
  help: { type: "boolean", short: "h", help: "show this help" },
};

export const STATS_HELP = `Usage: vla-primitives stats <dataset> [options]

Summarise a LeRobot v2.x/v3 dataset folder: version, fps, episodes, frames, the state/action
columns and, per dimension, min / 1st percentile / 99th percentile / max / mean / std, pooled over
every frame (numpy's linear quantiles). The dataset's own q01/q99 from meta/stats.json are shown
beside them when present (LeRobot averages per-episode quantiles, so they differ), with a warning
when that file covers more frames than the folder holds.

--write lerobot|openpi|molmoact2 writes the pooled stats (q01/q99 and the other fields each format
has) as LeRobot meta/stats.json, openpi norm_stats.json or MolmoAct2 norm_stats.json; an existing
file is only replaced with --force (lerobot keeps the other features of the file it replaces).

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

/** Say when the dataset's own stats describe more data than the folder holds (a subset copy). */
function coverage(ds: LeRobotDataset, episodes: readonly LeRobotEpisode[], frames: number): string | null {
  if (!ds.statsOrigin) return null;
  const counts = [ds.stats[ds.keys.state]?.count, ds.stats[ds.keys.action]?.count].filter((c): c is number => typeof c === "number");
  const counted = counts.length ? Math.max(...counts) : null;
  const total = ds.info.totalEpisodes;
  if (counted !== null && counted > frames) {
    return `${ds.statsOrigin} covers ${counted} frames${total !== null ? ` (${total} episodes per info.json)` : ""}, the episodes read here hold ${frames} (${episodes.length} episode${episodes.length === 1 ? "" : "s"}): its ds.* columns describe the whole dataset, not these episodes`;
  }
  if (counted === null && total !== null && total > episodes.length) {
    return `${ds.statsOrigin} was computed for ${total} episodes (info.json); ${episodes.length} are read here`;
  }
  return null;
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
  const format = values.write === undefined ? null : choiceOption<StatsFormat>("stats", values, "write", ["lerobot", "openpi", "molmoact2"], "lerobot");
  for (const k of ["out", "force", "tag", "horizon", "normalize-gripper"]) {
    if (values[k] !== undefined && format === null) throw new UsageError(`stats: --${k} only applies with --write lerobot|openpi|molmoact2`);
  }
  const { ds, episodes } = await loadDataset("stats", dir, values, io, progressEnabled(io, values));
  const frames = episodes.reduce((a, e) => a + e.length, 0);
  const pooled = { state: percentileStats(episodes, "state"), action: percentileStats(episodes, "action") };
  const warnings = [...ds.warnings];
  const cover = coverage(ds, episodes, frames);
  if (cover) {
    warnings.push(cover);
    warn(io, "stats", cover);
  }
  const written = format ? await writeStats("stats", format, values, dir, ds, pooled) : null;
  const keyStats = (which: "state" | "action"): KeyStats => {
    const p = pooled[which];
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
    written: written ? { format, path: written } : null,
    warnings,
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
  if (written) lines.push("", `wrote ${format} stats (pooled numpy-linear quantiles, ${frames} frames) to ${written}`);
  io.stdout(lines.join("\n") + "\n");
  return 0;
}
