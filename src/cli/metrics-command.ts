import { readFileSync, writeFileSync } from "node:fs";
import { basename } from "node:path";
import {
  aggregateEpisodes,
  barChartSvg,
  computeAllEpisodeMetrics,
  computeSimpleLogMetrics,
  episodeList,
  formatIssue,
  isSimpleLog,
  molmoAct2Table,
  normalizeForRadar,
  radarChartSvg,
  validateEpisode,
  validateSimpleLog,
  type Episode,
  type EpisodeMetrics,
  type SimpleLog,
  type MolmoAct2Table,
  type SummaryStats,
  type TableMean,
} from "../metrics/index.js";

/** Where the command writes text. */
export interface CommandIo {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
}

const HELP = `Usage: vla-primitives metrics <log.json> [more logs...] [options]

Score robot rollouts with the RoboEval trajectory metrics (reference semantics of
RoboEval metric_rollout.py): path lengths, jerk, collisions, slips, stages, success.

Inputs (each file is one policy on the radar chart, named after the file):
  - RoboEval episode logs: {"episodes": [...]}, an array of episodes, or one episode
    (snake_case as shared/fixtures/roboeval/trajectories.json, or camelCase)
  - LeRobot-style joint logs: {fps, state[][], state_names, timestamp[]}, or an array of them
    (metrics the log cannot support are listed under "unavailable")

Options:
  --out <file>                 write the JSON report there (default: print it to stdout)
  --svg <file>                 write a radar chart (SVG) of the MolmoAct2 metrics
  --bars <file>                write bar charts (SVG) of the same means, one panel per metric
  --mode minmax|reference      radar normalisation (default minmax across the input files)
  --reference <name>           in reference mode, the input file (policy name) used as reference (e.g. human demos)
  --carry-over-acceleration    reproduce the reference's reused-environment jerk quirk
                               (episodes sharing env_instance carry the last acceleration)
  --timing nominal|timestamps  jerk with dt = 1/f (default, reference) or with the logged time stamps
  --fps <hz>                   override the control frequency of joint logs
  --title <text>               chart title
  -h, --help                   show this help

Exit codes: 0 ok, 2 bad input (the message names the file, episode, step and field), 1 other errors.
`;

class InputError extends Error {}

interface Parsed {
  files: string[];
  out?: string;
  svg?: string;
  bars?: string;
  mode: "minmax" | "reference";
  reference?: string;
  carry: boolean;
  timing: "nominal" | "timestamps";
  fps?: number;
  title?: string;
  help: boolean;
}

function parseArgs(argv: readonly string[]): Parsed {
  const p: Parsed = { files: [], mode: "minmax", carry: false, timing: "nominal", help: false };
  const value = (i: number, flag: string): string => {
    const v = argv[i + 1];
    if (v === undefined || v.startsWith("--")) throw new InputError(`option ${flag} needs a value`);
    return v;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    switch (a) {
      case "-h":
      case "--help":
        p.help = true;
        break;
      case "--out":
        p.out = value(i++, a);
        break;
      case "--svg":
        p.svg = value(i++, a);
        break;
      case "--bars":
        p.bars = value(i++, a);
        break;
      case "--title":
        p.title = value(i++, a);
        break;
      case "--reference":
        p.reference = value(i++, a);
        break;
      case "--mode": {
        const v = value(i++, a);
        if (v !== "minmax" && v !== "reference") throw new InputError(`--mode must be minmax or reference; got ${JSON.stringify(v)}`);
        p.mode = v;
        break;
      }
      case "--timing": {
        const v = value(i++, a);
        if (v !== "nominal" && v !== "timestamps") throw new InputError(`--timing must be nominal or timestamps; got ${JSON.stringify(v)}`);
        p.timing = v;
        break;
      }
      case "--fps": {
        const v = Number(value(i++, a));
        if (!Number.isFinite(v) || v <= 0) throw new InputError(`--fps must be a number > 0; got ${JSON.stringify(argv[i])}`);
        p.fps = v;
        break;
      }
      case "--carry-over-acceleration":
        p.carry = true;
        break;
      default:
        if (a.startsWith("-")) throw new InputError(`unknown option ${a} (see --help)`);
        p.files.push(a);
    }
  }
  return p;
}

interface PolicyReport {
  name: string;
  file: string;
  episodes: EpisodeMetrics[];
  success_rate: number | null;
  molmoact2: MolmoAct2Table;
  stats: Record<string, SummaryStats>;
}

function loadPolicy(file: string, p: Parsed): PolicyReport {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    throw new InputError(`${file}: cannot read (${(e as Error).message})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new InputError(`${file}: not valid JSON (${(e as Error).message})`);
  }
  const items = episodeList(json);
  if (items.length === 0) throw new InputError(`${file}: holds no episodes`);
  const episodes: Episode[] = [];
  const results: EpisodeMetrics[] = [];
  const problems: string[] = [];
  items.forEach((raw, i) => {
    if (isSimpleLog(raw)) {
      const issues = validateSimpleLog(raw, i, p.fps);
      if (issues.length) problems.push(...issues.map(formatIssue));
      else results.push(computeSimpleLogMetrics(raw as SimpleLog, { fps: p.fps, timing: p.timing }, i));
      return;
    }
    const v = validateEpisode(raw, i);
    if (!v.ok) problems.push(...v.issues.map(formatIssue));
    else {
      if (p.timing === "timestamps" && !v.episode.timestamps) problems.push(`episode ${v.episode.id ?? `#${i}`}, field timestamps: expected time stamps for --timing timestamps; got none`);
      episodes.push(v.episode);
    }
  });
  if (problems.length) throw new InputError(`${file}: malformed log\n  ${problems.slice(0, 20).join("\n  ")}`);
  if (episodes.length) results.push(...computeAllEpisodeMetrics(episodes, { carryOverAcceleration: p.carry, timing: p.timing }));
  return {
    name: basename(file).replace(/\.json$/i, ""),
    file,
    episodes: results,
    success_rate: molmoAct2Table(results).success_rate,
    molmoact2: molmoAct2Table(results),
    stats: aggregateEpisodes(results),
  };
}

const RADAR_AXES: [string, string][] = [
  ["success_rate", "Success"],
  ["TL", "TL (steps)"],
  ["JPL", "Joint path"],
  ["CPL", "Cart. path"],
  ["CJ", "Cart. jerk"],
  ["JJ", "Joint jerk"],
  ["SC", "Self-coll."],
  ["SL", "Slips"],
];

function tableValue(t: MolmoAct2Table, key: string): number | null {
  if (key === "success_rate") return t.success_rate;
  const col = (t as unknown as Record<string, TableMean | undefined>)[key];
  return col ? col.mean : null;
}

const fmt = (x: number | null) => (x === null ? "n/a" : Math.abs(x) >= 100 ? x.toFixed(1) : x.toPrecision(4));

/**
 * `vla-primitives metrics`: score episode logs, write a JSON report and optionally a radar SVG.
 * Returns the exit code (0 ok, 2 bad input, 1 other failure).
 */
export async function metricsCommand(argv: string[], io: CommandIo): Promise<number> {
  try {
    const p = parseArgs(argv);
    if (p.help) {
      io.stdout(HELP);
      return 0;
    }
    if (p.files.length === 0) throw new InputError("no input log given (see --help)");
    const policies = p.files.map((f) => loadPolicy(f, p));
    const report: Record<string, unknown> = {
      schema: "vla-primitives-metrics-report/1",
      options: { carryOverAcceleration: p.carry, timing: p.timing, fps: p.fps ?? null, mode: p.mode },
      policies,
    };
    if (p.svg) {
      const axes = RADAR_AXES.filter(([k]) => policies.some((pol) => tableValue(pol.molmoact2, k) !== null));
      if (axes.length < 3) throw new InputError(`--svg: a radar chart needs at least 3 metrics available in the logs; got ${axes.map((a) => a[0]).join(", ") || "none"}`);
      const values = policies.map((pol) => ({ name: pol.name, values: Object.fromEntries(axes.map(([k]) => [k, tableValue(pol.molmoact2, k)])) }));
      let reference: Record<string, number> | undefined;
      if (p.mode === "reference") {
        const ref = values.find((v) => v.name === p.reference);
        if (!ref) throw new InputError(`--mode reference needs --reference <policy name> naming one input file; got ${JSON.stringify(p.reference)} (have ${values.map((v) => v.name).join(", ")})`);
        reference = {};
        for (const [k, v] of Object.entries(ref.values)) if (v !== null) reference[k] = v;
      }
      const keys = axes.map((a) => a[0]).filter((k) => !reference || reference[k] !== undefined);
      const radar = normalizeForRadar(values, { keys, mode: p.mode, reference, referenceName: p.reference });
      const svg = radarChartSvg(radar, { title: p.title ?? "RoboEval metrics", labels: Object.fromEntries(axes) });
      writeFileSync(p.svg, svg);
      report.radar = radar;
    }
    if (p.bars) {
      const metrics = RADAR_AXES.filter(([k]) => policies.some((pol) => tableValue(pol.molmoact2, k) !== null)).map(([key, label]) => ({ key, label }));
      if (metrics.length === 0) throw new InputError("--bars: no metric is available in the logs");
      const series = policies.map((pol) => ({ name: pol.name, values: Object.fromEntries(metrics.map(({ key }) => [key, tableValue(pol.molmoact2, key)])) }));
      const counts = policies.map((pol) => pol.episodes.length).join(", ");
      writeFileSync(p.bars, barChartSvg(metrics, series, { title: p.title ?? "RoboEval metrics (means over episodes)", note: `Means over all episodes (${counts} per policy); lower is better except success.` }));
    }
    const json = JSON.stringify(report, null, 2);
    if (p.out) {
      writeFileSync(p.out, json + "\n");
      io.stdout(`policy               episodes   SR      TL      JPL     CPL     CJ      JJ      SC      SL\n`);
      for (const pol of policies) {
        const cells = RADAR_AXES.map(([k]) => fmt(tableValue(pol.molmoact2, k)).padEnd(8)).join("");
        io.stdout(`${pol.name.slice(0, 20).padEnd(21)}${String(pol.episodes.length).padEnd(11)}${cells}\n`);
      }
      io.stdout(`report: ${p.out}${p.svg ? `\nradar:  ${p.svg}` : ""}${p.bars ? `\nbars:   ${p.bars}` : ""}\n`);
    } else io.stdout(json + "\n");
    return 0;
  } catch (e) {
    if (e instanceof InputError) {
      io.stderr(`vla-primitives metrics: ${e.message}\n`);
      return 2;
    }
    io.stderr(`vla-primitives metrics: ${(e as Error).message}\n`);
    return (e as Error).name === "VlaError" ? 2 : 1;
  }
}
