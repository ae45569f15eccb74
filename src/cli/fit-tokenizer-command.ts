import { datasetChunks, serializePreprocessJson, type FittedOn, type Preprocess } from "../io/index.js";
import { percentileStats } from "../normalize/index.js";
import { OpenFastTokenizer, type FitProgress } from "../tokenizer/index.js";
import { choiceOption, expectPositionals, intOption, numberOption, optionHelp, parseCommand, type OptionSpec } from "./args.js";
import { UsageError, type CliIo } from "./cli-io.js";
import { CHUNK_OPTIONS, chunkOptions } from "./chunk-options.js";
import { DATASET_OPTIONS, loadDataset } from "./dataset-loader.js";
import { makeOutDir, writeOutFile } from "./output.js";
import { preprocessChunk, parseDimList } from "./preprocess.js";
import { Progress, progressEnabled } from "./progress.js";

const OPTIONS: Record<string, OptionSpec> = {
  out: { type: "string", short: "o", arg: "DIR", help: "output folder for the tokenizer files (required)" },
  vocab: { type: "string", arg: "N", help: "requested vocabulary size (default 1024; FAST+ and MolmoAct2 use 2048)" },
  scale: { type: "string", arg: "S", help: "DCT coefficient scale before rounding (default 10)" },
  ...CHUNK_OPTIONS,
  norm: { type: "string", arg: "MODE", help: "q01_q99 (default: 1st/99th percentile -> [-1, 1], clipped), openpi (no clip) or none" },
  "keep-dims": { type: "string", arg: "LIST", help: "dimensions left unnormalized, e.g. grippers already in [0, 1]" },
  "pad-to": { type: "string", arg: "N", help: "zero-pad every row to N dims before fitting (the paper pads to 32)" },
  ...DATASET_OPTIONS,
  progress: { type: "boolean", help: "draw progress bars even when stderr is not a terminal" },
  "no-progress": { type: "boolean", help: "never draw progress bars" },
  help: { type: "boolean", short: "h", help: "show this help" },
};

export const FIT_HELP = `Usage: vla-primitives fit-tokenizer <dataset> --out DIR [options]

Fit a FAST-style action tokenizer (DCT + BPE, exactly like UniversalActionProcessor.fit) on a
LeRobot dataset: cut one-second chunks at the dataset's fps, normalize each dimension with its
1st/99th percentiles to [-1, 1] (clipped; the normalize module's q01_q99 mode), optionally zero-pad rows to 32 dims as the MolmoAct2
paper does, and train the BPE vocabulary. Writes the Hugging Face files (tokenizer.json,
processor_config.json, tokenizer_config.json, special_tokens_map.json) plus preprocess.json
(the normalization and chunking used, read back by \`tokenize\`) into DIR.

Options:
${optionHelp(OPTIONS)}

Example:
  vla-primitives fit-tokenizer ./my_dataset --vocab 2048 --pad-to 32 --out ./my_tokenizer
`;

/** `vla-primitives fit-tokenizer <dataset> --out DIR`; returns the exit code. */
export async function fitTokenizerCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const cmd = "fit-tokenizer";
  const { values, positionals } = parseCommand(cmd, argv, OPTIONS);
  if (values.help) {
    io.stdout(FIT_HELP);
    return 0;
  }
  const [dir] = expectPositionals(cmd, positionals, ["dataset"]);
  const out = values.out;
  if (typeof out !== "string" || out === "") throw new UsageError(`${cmd}: --out DIR is required (the folder to write the tokenizer into)`);
  const vocabSize = intOption(cmd, values, "vocab", 2, 1 << 20) ?? 1024;
  const scale = numberOption(cmd, values, "scale", 1e-6, 1e6) ?? 10;
  const padTo = intOption(cmd, values, "pad-to", 1, 4096) ?? null;
  const pre: Preprocess = {
    ...chunkOptions(cmd, values),
    norm: choiceOption(cmd, values, "norm", ["q01_q99", "openpi", "none"] as const, "q01_q99"),
    keepDims: parseDimList(cmd, values["keep-dims"]),
    padTo,
    q01: null,
    q99: null,
  };
  await makeOutDir(cmd, "--out", out); // before the work: a bad folder fails now, not after fitting
  const show = progressEnabled(io, values);
  const { ds, episodes } = await loadDataset(cmd, dir, values, io, show);
  const dim = episodes[0][pre.which].shape[1];
  if (padTo !== null && padTo < dim) throw new UsageError(`${cmd}: --pad-to ${padTo} is smaller than the ${pre.which} dimension ${dim}`);
  const bad = pre.keepDims.find((d) => d >= dim);
  if (bad !== undefined) throw new UsageError(`${cmd}: --keep-dims ${bad} is out of range for ${dim} ${pre.which} dimensions`);
  if (pre.norm !== "none") {
    const s = percentileStats(episodes, pre.which);
    pre.q01 = s.q01;
    pre.q99 = s.q99;
  }
  const raw = datasetChunks(episodes, { which: pre.which, seconds: pre.seconds, ...(pre.stride !== null ? { stride: pre.stride } : {}) });
  if (raw.length === 0) {
    throw new UsageError(`${cmd}: <dataset> ${JSON.stringify(dir)} has no episode as long as one chunk (${pre.seconds} s = ${Math.round(pre.seconds * ds.fps)} frames)`);
  }
  const chunks = raw.map((c) => preprocessChunk(c, pre));
  let bar: Progress | null = null;
  let phase = "";
  const onProgress = (p: FitProgress) => {
    if (!show) return;
    if (p.phase !== phase) {
      bar?.finish();
      phase = p.phase;
      bar = new Progress(io, `${cmd}: ${p.phase}`, p.total, true);
    }
    bar?.update(p.done);
  };
  const [horizon, dim0] = chunks[0].shape;
  const tok = OpenFastTokenizer.fit(chunks, { vocabSize, scale, horizon, dim: dim0, onProgress });
  (bar as Progress | null)?.finish();
  try {
    await tok.save(out);
  } catch (e) {
    throw new UsageError(`${cmd}: --out ${JSON.stringify(out)}: the tokenizer files cannot be written (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  const path = await import("node:path");
  const fittedOn: FittedOn = { path: dir, absolutePath: path.resolve(dir), fps: ds.fps, keys: ds.keys, episodes: episodes.length, robotType: ds.info.robotType };
  await writeOutFile(cmd, "--out", path.join(out, "preprocess.json"), serializePreprocessJson({ ...pre, dataset: fittedOn, horizon }));
  const info = tok.fitInfo;
  io.stdout(
    JSON.stringify(
      {
        out,
        chunks: chunks.length,
        horizon,
        dim: dim0,
        vocabSize,
        realizedVocabSize: info?.realizedVocabSize ?? null,
        minToken: tok.minToken,
        scale,
        warnings: info?.warnings ?? [],
      },
      null,
      2,
    ) + "\n",
  );
  for (const w of info?.warnings ?? []) io.stderr(`${cmd}: warning: ${w}\n`);
  return 0;
}
