import type { Chunk } from "../core/index.js";
import { toChunk, VlaError } from "../core/index.js";
import { episodeChunks, type Preprocess, type PreprocessFile } from "../io/index.js";
import { percentileStats } from "../normalize/index.js";
import { loadFastPlus, OpenFastTokenizer } from "../tokenizer/index.js";
import { expectPositionals, optionHelp, parseCommand, type OptionSpec } from "./args.js";
import { UsageError, type CliIo } from "./cli-io.js";
import { DATASET_OPTIONS, loadDataset, warn } from "./dataset-loader.js";
import { CHUNK_OPTIONS, chunkOptions } from "./chunk-options.js";
import { fittedElsewhere, preprocessChunk, readPreprocess } from "./preprocess.js";
import { Progress, progressEnabled } from "./progress.js";

const OPTIONS: Record<string, OptionSpec> = {
  tokenizer: { type: "string", short: "t", arg: "DIR", help: "tokenizer folder (default: FAST+ shipped in assets/fast-plus)" },
  ...CHUNK_OPTIONS,
  summary: { type: "boolean", help: "print only the summary, not the token ids" },
  ...DATASET_OPTIONS,
  progress: { type: "boolean", help: "draw progress bars even when stderr is not a terminal" },
  "no-progress": { type: "boolean", help: "never draw progress bars" },
  help: { type: "boolean", short: "h", help: "show this help" },
};

export const TOKENIZE_HELP = `Usage: vla-primitives tokenize <dataset|file.json> [--tokenizer DIR] [options]

Encode action chunks to token ids and report the round-trip error (decode(encode(x)) vs x).

<dataset>    a LeRobot folder: one-second chunks are cut at the dataset's fps and prepared
             as the tokenizer's preprocess.json says (written by fit-tokenizer); without one
             (e.g. FAST+), each dimension is mapped from its 1st/99th percentile to [-1, 1].
<file.json>  a chunk as [[...], ...] ([horizon][dim]) or a list of chunks [[[...]]]; used as
             given (already normalized).

Output (stdout): JSON { tokenizer, chunks, horizon, dim, totalTokens, meanTokensPerChunk,
roundTripMaxAbsError, ids } (ids omitted with --summary).

Options:
${optionHelp(OPTIONS)}
`;

async function readChunksFile(cmd: string, file: string): Promise<Chunk[]> {
  const fs = await import("node:fs/promises");
  let text: string;
  try {
    text = await fs.readFile(file, "utf8");
  } catch (e) {
    throw new UsageError(`${cmd}: <dataset|file> ${JSON.stringify(file)} cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new UsageError(`${cmd}: ${JSON.stringify(file)} must be JSON; ${(e as Error).message}`);
  }
  const list = Array.isArray(json) && Array.isArray(json[0]) && Array.isArray(json[0][0]) ? (json as unknown[]) : [json];
  try {
    return list.map((c, i) => toChunk("tokenize", `${file}[${i}]`, c as number[][]));
  } catch (e) {
    if (e instanceof VlaError) throw new UsageError(`${cmd}: ${JSON.stringify(file)} must hold [horizon][dim] chunks: ${e.message}`);
    throw e;
  }
}

/** `vla-primitives tokenize <dataset|file> [--tokenizer DIR]`; returns the exit code. */
export async function tokenizeCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const cmd = "tokenize";
  const { values, positionals } = parseCommand(cmd, argv, OPTIONS);
  if (values.help) {
    io.stdout(TOKENIZE_HELP);
    return 0;
  }
  const [input] = expectPositionals(cmd, positionals, ["dataset|file"]);
  const fs = await import("node:fs/promises");
  const tokDir = values.tokenizer as string | undefined;
  let tok: OpenFastTokenizer;
  try {
    tok = tokDir === undefined ? await loadFastPlus() : await OpenFastTokenizer.load(tokDir);
  } catch (e) {
    throw new UsageError(`${cmd}: --tokenizer ${JSON.stringify(tokDir ?? "assets/fast-plus")} is not a readable tokenizer folder (needs tokenizer.json + processor_config.json): ${(e as Error).message}`);
  }
  const saved: PreprocessFile | null = tokDir !== undefined ? await readPreprocess(cmd, tokDir) : null;
  const st = await fs.stat(input).catch(() => undefined);
  if (!st) throw new UsageError(`${cmd}: <dataset|file> ${JSON.stringify(input)} does not exist`);
  const show = progressEnabled(io, values);
  const warnings: string[] = [];
  const warnOnce = (m: string) => {
    warnings.push(m);
    warn(io, cmd, m);
  };
  let chunks: Chunk[];
  let normalization: string;
  const origin: { episode: number; start: number }[] = [];
  if (st.isDirectory()) {
    const { ds, episodes } = await loadDataset(cmd, input, values, io, show);
    warnings.push(...ds.warnings);
    const flags = chunkOptions(cmd, values);
    const given = (k: string) => values[k] !== undefined;
    const pre: Preprocess = {
      which: given("which") ? flags.which : (saved?.which ?? "action"),
      seconds: given("seconds") ? flags.seconds : (saved?.seconds ?? 1),
      stride: given("stride") ? flags.stride : (saved?.stride ?? null),
      norm: saved?.norm ?? "q01_q99",
      keepDims: saved?.keepDims ?? [],
      padTo: saved?.padTo ?? null,
      q01: saved?.q01 ?? null,
      q99: saved?.q99 ?? null,
    };
    if (tokDir !== undefined && saved === null) {
      warnOnce(`--tokenizer ${JSON.stringify(tokDir)} has no preprocess.json (it was not written by fit-tokenizer): chunks are normalized with this dataset's own pooled q01/q99 and not padded`);
    }
    if (saved) {
      const elsewhere = await fittedElsewhere(saved.dataset, { path: input, fps: ds.fps, keys: ds.keys });
      if (elsewhere) {
        const horizon = Math.max(1, Math.round(pre.seconds * ds.fps));
        const was = saved.horizon !== null && saved.horizon !== horizon ? ` (it was fitted with horizon ${saved.horizon}, here ${horizon})` : "";
        warnOnce(`--tokenizer ${JSON.stringify(tokDir)}: ${elsewhere}; its ${pre.norm === "none" ? "settings" : "q01/q99"} and ${pre.seconds} s chunks are applied to ${JSON.stringify(input)}${was}`);
      }
    }
    normalization = pre.norm === "none" ? "none" : pre.q01 ? `${pre.norm} with the tokenizer's preprocess.json q01/q99` : `${pre.norm} with this dataset's pooled q01/q99`;
    if (pre.norm !== "none" && (!pre.q01 || !pre.q99)) {
      const s = percentileStats(episodes, pre.which);
      pre.q01 = s.q01;
      pre.q99 = s.q99;
    }
    const dim = episodes[0][pre.which].shape[1];
    if (pre.q01 && pre.q01.length !== dim) throw new UsageError(`${cmd}: the tokenizer's preprocess.json has ${pre.q01.length} dims but the dataset's ${pre.which} has ${dim}`);
    chunks = [];
    for (const ep of episodes) {
      const stride = pre.stride ?? Math.max(1, Math.round(pre.seconds * ep.fps));
      episodeChunks(ep, { which: pre.which, seconds: pre.seconds, stride }).forEach((c, k) => {
        chunks.push(preprocessChunk(c, pre));
        origin.push({ episode: ep.episodeIndex, start: k * stride });
      });
    }
    if (chunks.length === 0) throw new UsageError(`${cmd}: <dataset> ${JSON.stringify(input)} has no episode as long as one chunk`);
  } else {
    chunks = await readChunksFile(cmd, input);
    normalization = "none (a chunks file is used as given)";
  }
  const shapes = new Map<string, number>();
  for (const c of chunks) shapes.set(c.shape.join("x"), (shapes.get(c.shape.join("x")) ?? 0) + 1);
  if (shapes.size > 1) {
    warnOnce(`the chunks differ in shape (${[...shapes].map(([k, n]) => `${n} × ${k}`).join(", ")}; horizon x dim): the summary gives horizon and dim as null, see "shapes"`);
  }
  const bar = new Progress(io, `${cmd}: encoding`, chunks.length, show);
  const ids: number[][] = [];
  let maxErr = 0;
  let total = 0;
  let failed = 0;
  for (const c of chunks) {
    const [horizon, dim] = c.shape;
    const t = tok.encode(c);
    ids.push(t);
    total += t.length;
    const back = tok.decode(t, { horizon, dim });
    if (back.ok) {
      const got = back.actions.data;
      for (let i = 0; i < c.data.length; i++) maxErr = Math.max(maxErr, Math.abs(got[i] - c.data[i]));
    } else failed++;
    bar.tick();
  }
  bar.finish();
  if (failed) warnOnce(`${failed} of ${chunks.length} chunks did not decode back (roundTripMaxAbsError covers the others)`);
  const report: Record<string, unknown> = {
    tokenizer: tokDir ?? "FAST+ (assets/fast-plus)",
    input,
    chunks: chunks.length,
    horizon: shapes.size === 1 ? chunks[0].shape[0] : null,
    dim: shapes.size === 1 ? chunks[0].shape[1] : null,
    ...(shapes.size > 1 ? { shapes: Object.fromEntries(shapes) } : {}),
    normalization,
    totalTokens: total,
    meanTokensPerChunk: total / chunks.length,
    roundTripMaxAbsError: failed === chunks.length ? null : maxErr,
    decodeFailures: failed,
    warnings,
  };
  if (origin.length) report.origin = values.summary ? undefined : origin;
  if (!values.summary) report.ids = ids;
  io.stdout(JSON.stringify(report) + "\n");
  return 0;
}
