import { VlaError } from "../core/index.js";
import { DepthMaskSummary, depthMaskHistogramSvg, depthMasks, type DepthCodeSource, type DepthMaskFrame, type DepthMaskSummaryResult } from "../io/index.js";
import { choiceOption, expectPositionals, intOption, numberOption, optionHelp, parseCommand, type OptionSpec } from "./args.js";
import { UsageError, type CliIo } from "./cli-io.js";
import { DATASET_OPTIONS, openDataset, parseEpisodeList } from "./dataset-loader.js";
import { checkOutFile, openOutStream, writeOutFile } from "./output.js";
import { Progress, progressEnabled } from "./progress.js";

const CMD = "depth-masks";

const OPTIONS: Record<string, OptionSpec> = {
  camera: { type: "string", arg: "KEY", help: "camera feature (default: the dataset's first video feature)" },
  out: { type: "string", short: "o", arg: "FILE", help: "the JSON-lines sidecar (default: <dataset>/depth_masks/<camera>.jsonl)" },
  svg: { type: "string", arg: "FILE", help: "the histogram (default: beside --out, .svg)" },
  codes: { type: "string", arg: "FILE", help: "JSON lines {episode_index, frame_index, codes:[...]} in frame order: adds the carried-forward buffer" },
  step: { type: "string", arg: "N", help: "use every N-th frame (the model's call rate; default 1)" },
  timing: { type: "string", arg: "MODE", help: "place frames by timestamp, frame-index, or auto (default: timestamp, frame index with a warning when timestamps are off the video grid)" },
  threshold: { type: "string", arg: "T", help: "a cell changed when its cosine is below T (default 0.996)" },
  grid: { type: "string", arg: "N", help: "cells per side (default 10)" },
  "skip-missing": { type: "boolean", help: "skip episodes whose video file is missing (with a warning each) instead of stopping" },
  force: { type: "boolean", help: "overwrite existing output files" },
  json: { type: "boolean", help: "print the summary as JSON" },
  ...DATASET_OPTIONS,
  progress: { type: "boolean", help: "draw a progress bar even when stderr is not a terminal" },
  "no-progress": { type: "boolean", help: "never draw a progress bar" },
  help: { type: "boolean", short: "h", help: "show this help" },
};

export const DEPTH_MASKS_HELP = `Usage: vla-primitives depth-masks <dataset> [options]

For every episode, decode the main camera's video and run the MolmoAct2-Think change detector (paper
section 5.1: 320x320 Pillow-exact resize, 10x10 cells, cosine < 0.996) on consecutive frames: the per-frame
update mask (first frame of an episode: all ones), the changed-cell count and, with --codes, the carried-
forward depth buffer (buffer[mask] = codes[mask]). Writes

  <out>.jsonl         one line per frame: {episode_index, frame_index, timestamp, changed_cells, first,
                      mask: "0110..." (grid*grid chars, row-major), buffer?: [...]}
  <out>.summary.json  the summary below, as JSON
  <out>.svg           a histogram of changed cells per frame

and prints the summary: mean changed cells per frame, share of frames with no change, and the Think
depth-decoding cost that implies (decode steps + replay forwards per frame, against a full decode).
Streams: memory stays flat whatever the number of episodes.

Options:
${optionHelp(OPTIONS)}
`;

/** A sequential reader of a codes file: asks must come in the file's order. */
async function codesReader(file: string): Promise<DepthCodeSource> {
  const fs = await import("node:fs");
  const readline = await import("node:readline");
  try {
    await fs.promises.access(file);
  } catch (e) {
    throw new UsageError(`${CMD}: --codes ${JSON.stringify(file)} cannot be read (${(e as NodeJS.ErrnoException).code})`);
  }
  const lines = readline.createInterface({ input: fs.createReadStream(file, "utf8"), crlfDelay: Infinity })[Symbol.asyncIterator]();
  let lineNo = 0;
  return async (episode, frame) => {
    for (;;) {
      const next = await lines.next();
      if (next.done) throw new UsageError(`${CMD}: --codes ${JSON.stringify(file)} ends before episode ${episode} frame ${frame}`);
      lineNo++;
      if (next.value.trim() === "") continue;
      let rec: { episode_index?: unknown; frame_index?: unknown; codes?: unknown };
      try {
        rec = JSON.parse(next.value);
      } catch (e) {
        throw new UsageError(`${CMD}: --codes ${JSON.stringify(file)} line ${lineNo} is not JSON (${(e as Error).message})`);
      }
      if (rec.episode_index !== episode || rec.frame_index !== frame) {
        throw new UsageError(`${CMD}: --codes ${JSON.stringify(file)} line ${lineNo} is episode ${rec.episode_index} frame ${rec.frame_index}; expected episode ${episode} frame ${frame} (one line per processed frame, in order)`);
      }
      if (!Array.isArray(rec.codes)) throw new UsageError(`${CMD}: --codes ${JSON.stringify(file)} line ${lineNo} has no "codes" list`);
      return rec.codes as number[];
    }
  };
}

function maskString(mask: Uint8Array): string {
  let s = "";
  for (let k = 0; k < mask.length; k++) s += mask[k] ? "1" : "0";
  return s;
}

function line(f: DepthMaskFrame): string {
  const o: Record<string, unknown> = {
    episode_index: f.episodeIndex,
    frame_index: f.frameIndex,
    timestamp: f.timestamp,
    changed_cells: f.changedCount,
    first: f.first,
    mask: maskString(f.mask),
  };
  if (f.buffer) o.buffer = Array.from(f.buffer);
  return JSON.stringify(o) + "\n";
}

const pct = (x: number | null) => (x === null ? "n/a" : `${(100 * x).toFixed(1)} %`);
const num = (x: number | null, d = 2) => (x === null ? "n/a" : x.toFixed(d));

function summaryText(s: DepthMaskSummaryResult, camera: string, skipped: number[], files: { out: string; svg: string; summary: string }): string {
  return [
    `camera          ${camera}`,
    `episodes        ${s.episodes}   frames ${s.frames} (${s.frames - s.episodes} after each episode's first)${skipped.length ? `; skipped ${skipped.length} without video (${skipped.join(", ")})` : ""}`,
    `changed cells   mean ${num(s.meanChangedCells)} of ${s.numCells} per frame`,
    `no change       ${pct(s.shareUnchanged)} of frames`,
    `Think decoding  ${num(s.meanDecodeSteps)} decode steps + replays = ${num(s.meanForwards)} forwards per frame, vs ${s.numCells} for a full decode (${num(s.forwardSpeedup)}x fewer)`,
    `sidecar         ${files.out}`,
    `summary         ${files.summary}`,
    `histogram       ${files.svg}`,
  ].join("\n") + "\n";
}

/** `vla-primitives depth-masks <dataset>`; returns the exit code. */
export async function depthMasksCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommand(CMD, argv, OPTIONS);
  if (values.help) {
    io.stdout(DEPTH_MASKS_HELP);
    return 0;
  }
  const [dir] = expectPositionals(CMD, positionals, ["dataset"]);
  const step = intOption(CMD, values, "step", 1) ?? 1;
  const grid = intOption(CMD, values, "grid", 1, 64) ?? 10;
  const threshold = numberOption(CMD, values, "threshold", -1, 1) ?? 0.996;
  const timing = choiceOption(CMD, values, "timing", ["auto", "timestamp", "frame-index"] as const, "auto");
  const episodes = parseEpisodeList(CMD, values.episodes);
  const ds = await openDataset(CMD, dir, values, io);
  const cams = ds.cameraKeys;
  const camera = (values.camera as string | undefined) ?? cams[0];
  if (camera === undefined) throw new UsageError(`${CMD}: <dataset> ${JSON.stringify(dir)} has no video features in meta/info.json (no camera to read)`);
  if (!cams.includes(camera)) throw new UsageError(`${CMD}: --camera must be one of ${cams.map((c) => JSON.stringify(c)).join(", ")}; got ${JSON.stringify(camera)}`);
  const path = await import("node:path");
  const out = (values.out as string | undefined) ?? path.join(dir, "depth_masks", `${camera}.jsonl`);
  const base = out.replace(/\.jsonl?$/i, "");
  const svg = (values.svg as string | undefined) ?? `${base}.svg`;
  const summaryFile = `${base}.summary.json`;
  const force = values.force === true;
  for (const [flag, f] of [["--out", out], ["--svg", svg], ["--out (summary)", summaryFile]] as const) await checkOutFile(CMD, flag, f, { overwrite: force });
  const codes = typeof values.codes === "string" ? await codesReader(values.codes) : undefined;
  const sidecar = await openOutStream(CMD, "--out", out);
  const summary = new DepthMaskSummary(grid * grid);
  const show = progressEnabled(io, values);
  // Episodes known up front: the --episodes list, or v2's one file per episode; v3 files hold an unknown number.
  const total = episodes?.length ?? (ds.info.major === 2 ? ds.dataFiles.length : 0);
  const bar = new Progress(io, `${CMD}: episodes`, total, show);
  let done = 0;
  let frames = 0;
  let current = -1;
  const skipped: number[] = [];
  try {
    const stream = depthMasks(ds, {
      cameraKey: camera,
      episodes,
      step,
      timing,
      grid,
      threshold,
      codes,
      missingVideo: values["skip-missing"] ? "skip" : "error",
      onSkip: (e, message) => {
        skipped.push(e);
        io.stderr(`${show ? "\n" : ""}vla-primitives ${CMD}: warning: skipping episode ${e}: ${message.replace(/^LeRobotDataset\.videoInfo: file /, "")}\n`);
      },
      onEpisode: (ep) => {
        if (current >= 0) done++;
        current = ep.episodeIndex;
        bar.update(done, `episode ${ep.episodeIndex}`);
      },
    });
    for await (const f of stream) {
      summary.add(f);
      await sidecar.write(line(f));
      frames++;
      bar.update(done, `episode ${current}, ${frames} frames`);
    }
    if (current >= 0) done++;
    bar.update(done, `episodes, ${frames} frames`);
  } catch (e) {
    await sidecar.close().catch(() => undefined);
    if (e instanceof VlaError) throw new UsageError(`${CMD}: ${e.message}`);
    throw e;
  } finally {
    bar.finish();
  }
  await sidecar.close();
  const s = summary.result();
  if (s.frames === 0) throw new UsageError(`${CMD}: <dataset> ${JSON.stringify(dir)} gave no frames for camera ${JSON.stringify(camera)}`);
  const name = path.basename(path.resolve(dir));
  const report = { format: "vla-primitives-depth-masks/1", dataset: dir, camera, grid, threshold, step, sidecar: out, svg, ...s, skippedEpisodes: skipped, warnings: ds.warnings };
  await writeOutFile(CMD, "--out (summary)", summaryFile, JSON.stringify(report, null, 2) + "\n");
  await writeOutFile(CMD, "--svg", svg, depthMaskHistogramSvg(s, { title: `Depth update masks: ${name}`, subtitle: `camera ${camera} · ${grid}×${grid} cells · cosine < ${threshold}${step > 1 ? ` · every ${step}th frame` : ""}` }));
  io.stdout(values.json ? JSON.stringify(report, null, 2) + "\n" : summaryText(s, camera, skipped, { out, svg, summary: summaryFile }));
  return 0;
}
