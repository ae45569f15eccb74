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
import { choiceOption, numberOption, optionHelp, parseCommand, type OptionSpec } from "./args.js";
import { UsageError, type CliIo } from "./cli-io.js";
import { checkOutFile, writeOutFile } from "./output.js";

const CMD = "metrics";

const OPTIONS: Record<string, OptionSpec> = {
  out: { type: "string", short: "o", arg: "FILE", help: "write the JSON report there and print a table (default: the JSON report on stdout)" },
  svg: { type: "string", arg: "FILE", help: "write a radar chart (SVG) of the MolmoAct2 metrics" },
  bars: { type: "string", arg: "FILE", help: "write bar charts (SVG) of the same means, one panel per metric" },
  mode: { type: "string", arg: "MODE", help: "radar normalisation: minmax (default, across the input files) or reference" },
  reference: { type: "string", arg: "NAME", help: "in reference mode, the input file (policy name) used as reference (e.g. human demos)" },
  "carry-over-acceleration": { type: "boolean", help: "reproduce the reference's reused-environment jerk quirk (episodes sharing env_instance)" },
  timing: { type: "string", arg: "MODE", help: "jerk with dt = 1/f (nominal, default, the reference) or with the logged time stamps (timestamps)" },
  fps: { type: "string", arg: "HZ", help: "override the control frequency of joint logs" },
  "joint-unit": { type: "string", arg: "UNIT", help: 'unit of the joint values in joint logs, printed with the path lengths (e.g. rad, deg, ticks); default: the log\'s "units" field, else unknown' },
  title: { type: "string", arg: "TEXT", help: "chart title" },
  help: { type: "boolean", short: "h", help: "show this help" },
};

export const METRICS_HELP = `Usage: vla-primitives metrics <log.json> [more logs...] [options]

Score robot rollouts with the RoboEval trajectory metrics (reference semantics of
RoboEval metric_rollout.py): path lengths, jerk, collisions, slips, stages, success.

Inputs (each file is one policy on the radar chart, named after the file):
  - RoboEval episode logs: {"episodes": [...]}, an array of episodes, or one episode
    (snake_case as shared/fixtures/roboeval/trajectories.json, or camelCase); joints in rad, wrists in m
  - LeRobot-style joint logs: {fps, state[][], state_names, timestamp[], units?}, or an array of them
    (metrics the log cannot support are listed under "unavailable"; path lengths are in the log's units)

Options:
${optionHelp(OPTIONS)}

Exit codes: 0 ok, 2 bad input (the message names the file, episode, step and field), 1 other errors.
`;

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
  jointUnit?: string;
  title?: string;
}

function parse(argv: readonly string[]): Parsed | null {
  const { values, positionals } = parseCommand(CMD, argv, OPTIONS);
  if (values.help) return null;
  if (positionals.length === 0) throw new UsageError(`${CMD}: no input log given (see \`vla-primitives metrics --help\`)`);
  const str = (k: string) => values[k] as string | undefined;
  return {
    files: positionals,
    out: str("out"),
    svg: str("svg"),
    bars: str("bars"),
    mode: choiceOption(CMD, values, "mode", ["minmax", "reference"] as const, "minmax"),
    reference: str("reference"),
    carry: values["carry-over-acceleration"] === true,
    timing: choiceOption(CMD, values, "timing", ["nominal", "timestamps"] as const, "nominal"),
    fps: numberOption(CMD, values, "fps", 1e-6, 1e6),
    jointUnit: str("joint-unit"),
    title: str("title"),
  };
}

/** The unit the joint values of a policy's logs were in (path lengths and jerks inherit it). */
interface JointUnit {
  /** `rad`, the `--joint-unit` / `units` given, or `unknown`. */
  joint: string;
  /** Where it came from. */
  source: "RoboEval log (rad)" | "--joint-unit" | "log field" | "not stated";
  /** With an unknown unit: the value range seen and what it looks like. */
  guess?: string;
  /** Wrist / end-effector positions. */
  cartesian: "m";
}

interface PolicyReport {
  name: string;
  file: string;
  units: JointUnit;
  episodes: EpisodeMetrics[];
  success_rate: number | null;
  molmoact2: MolmoAct2Table;
  stats: Record<string, SummaryStats>;
}

/** What a range of joint values looks like, for logs that do not say their unit. */
function unitGuess(lo: number, hi: number): string {
  const big = Math.max(Math.abs(lo), Math.abs(hi));
  const looks = big > 400 ? "raw servo/encoder ticks" : big > 3.5 * Math.PI ? "degrees (or a normalized -100..100 range)" : "radians";
  return `values ${+lo.toPrecision(4)}..${+hi.toPrecision(4)}, which looks like ${looks}`;
}

async function loadPolicy(file: string, p: Parsed): Promise<PolicyReport> {
  const fs = await import("node:fs/promises");
  const path = await import("node:path");
  let text: string;
  try {
    text = await fs.readFile(file, "utf8");
  } catch (e) {
    throw new UsageError(`${CMD}: ${file}: cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new UsageError(`${CMD}: ${file}: not valid JSON (${(e as Error).message})`);
  }
  const items = episodeList(json);
  if (items.length === 0) throw new UsageError(`${CMD}: ${file}: holds no episodes`);
  const episodes: Episode[] = [];
  const results: EpisodeMetrics[] = [];
  const problems: string[] = [];
  const stated = new Set<string>();
  let lo = Infinity;
  let hi = -Infinity;
  items.forEach((raw, i) => {
    if (isSimpleLog(raw)) {
      const issues = validateSimpleLog(raw, i, p.fps);
      if (issues.length) problems.push(...issues.map(formatIssue));
      else {
        const log = raw as SimpleLog & { units?: unknown; state_unit?: unknown };
        const u = typeof log.units === "string" ? log.units : typeof log.state_unit === "string" ? log.state_unit : null;
        if (u) stated.add(u);
        for (const row of log.state) for (const v of row) (lo = Math.min(lo, v)), (hi = Math.max(hi, v));
        results.push(computeSimpleLogMetrics(log, { fps: p.fps, timing: p.timing }, i));
      }
      return;
    }
    const v = validateEpisode(raw, i);
    if (!v.ok) problems.push(...v.issues.map(formatIssue));
    else {
      if (p.timing === "timestamps" && !v.episode.timestamps) problems.push(`episode ${v.episode.id ?? `#${i}`}, field timestamps: expected time stamps for --timing timestamps; got none`);
      episodes.push(v.episode);
    }
  });
  if (problems.length) throw new UsageError(`${CMD}: ${file}: malformed log\n  ${problems.slice(0, 20).join("\n  ")}`);
  if (episodes.length) results.push(...computeAllEpisodeMetrics(episodes, { carryOverAcceleration: p.carry, timing: p.timing }));
  const joints = lo <= hi;
  let units: JointUnit;
  if (p.jointUnit) units = { joint: p.jointUnit, source: "--joint-unit", cartesian: "m" };
  else if (!joints) units = { joint: "rad", source: "RoboEval log (rad)", cartesian: "m" };
  else if (stated.size === 1) units = { joint: [...stated][0], source: "log field", cartesian: "m" };
  else units = { joint: "unknown", source: "not stated", guess: unitGuess(lo, hi), cartesian: "m" };
  return {
    name: path.basename(file).replace(/\.json$/i, ""),
    file,
    units,
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
 * Returns the exit code; bad input throws a {@link UsageError} (exit 2, via `runCli`).
 */
export async function metricsCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const p = parse(argv);
  if (p === null) {
    io.stdout(METRICS_HELP);
    return 0;
  }
  for (const [flag, f] of [["--out", p.out], ["--svg", p.svg], ["--bars", p.bars]] as const) if (f !== undefined) await checkOutFile(CMD, flag, f, { overwrite: true });
  const policies: PolicyReport[] = [];
  for (const f of p.files) policies.push(await loadPolicy(f, p));
  for (const pol of policies) {
    if (pol.units.joint === "unknown") {
      io.stderr(`vla-primitives ${CMD}: warning: ${pol.file} does not say its joint unit (${pol.units.guess}): path lengths and jerks are in that unit; pass --joint-unit\n`);
    }
  }
  const report: Record<string, unknown> = {
    schema: "vla-primitives-metrics-report/1",
    options: { carryOverAcceleration: p.carry, timing: p.timing, fps: p.fps ?? null, mode: p.mode },
    policies,
  };
  if (p.svg) {
    const axes = RADAR_AXES.filter(([k]) => policies.some((pol) => tableValue(pol.molmoact2, k) !== null));
    if (axes.length < 3) throw new UsageError(`${CMD}: --svg: a radar chart needs at least 3 metrics available in the logs; got ${axes.map((a) => a[0]).join(", ") || "none"}`);
    const values = policies.map((pol) => ({ name: pol.name, values: Object.fromEntries(axes.map(([k]) => [k, tableValue(pol.molmoact2, k)])) }));
    let reference: Record<string, number> | undefined;
    if (p.mode === "reference") {
      const ref = values.find((v) => v.name === p.reference);
      if (!ref) throw new UsageError(`${CMD}: --mode reference needs --reference <policy name> naming one input file; got ${JSON.stringify(p.reference)} (have ${values.map((v) => v.name).join(", ")})`);
      reference = {};
      for (const [k, v] of Object.entries(ref.values)) if (v !== null) reference[k] = v;
    }
    const keys = axes.map((a) => a[0]).filter((k) => !reference || reference[k] !== undefined);
    const radar = normalizeForRadar(values, { keys, mode: p.mode, reference, referenceName: p.reference });
    await writeOutFile(CMD, "--svg", p.svg, radarChartSvg(radar, { title: p.title ?? "RoboEval metrics", labels: Object.fromEntries(axes) }));
    report.radar = radar;
  }
  if (p.bars) {
    const metrics = RADAR_AXES.filter(([k]) => policies.some((pol) => tableValue(pol.molmoact2, k) !== null)).map(([key, label]) => ({ key, label }));
    if (metrics.length === 0) throw new UsageError(`${CMD}: --bars: no metric is available in the logs`);
    const series = policies.map((pol) => ({ name: pol.name, values: Object.fromEntries(metrics.map(({ key }) => [key, tableValue(pol.molmoact2, key)])) }));
    const counts = policies.map((pol) => pol.episodes.length).join(", ");
    await writeOutFile(CMD, "--bars", p.bars, barChartSvg(metrics, series, { title: p.title ?? "RoboEval metrics (means over episodes)", note: `Means over all episodes (${counts} per policy); lower is better except success.` }));
  }
  const json = JSON.stringify(report, null, 2);
  if (!p.out) {
    io.stdout(json + "\n");
    return 0;
  }
  await writeOutFile(CMD, "--out", p.out, json + "\n");
  io.stdout(`policy               episodes   SR      TL      JPL     CPL     CJ      JJ      SC      SL\n`);
  for (const pol of policies) {
    const cells = RADAR_AXES.map(([k]) => fmt(tableValue(pol.molmoact2, k)).padEnd(8)).join("");
    io.stdout(`${pol.name.slice(0, 20).padEnd(21)}${String(pol.episodes.length).padEnd(11)}${cells}\n`);
  }
  io.stdout("units: TL in steps; JPL in joint units, JJ in joint units/s^3; CPL in m, CJ in m/s^3\n");
  for (const pol of policies) io.stdout(`  ${pol.name}: joint unit ${pol.units.joint === "unknown" ? `not stated (${pol.units.guess})` : `${pol.units.joint} (${pol.units.source})`}\n`);
  io.stdout(`report: ${p.out}${p.svg ? `\nradar:  ${p.svg}` : ""}${p.bars ? `\nbars:   ${p.bars}` : ""}\n`);
  return 0;
}
