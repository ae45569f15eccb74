import { VlaError } from "../core/index.js";
import { UsageError, type CliIo } from "./cli-io.js";
import { fitTokenizerCommand } from "./fit-tokenizer-command.js";
import { depthMasksCommand } from "./depth-masks-command.js";
import { metricsCommand } from "./metrics-command.js";
import { statsCommand } from "./stats-command.js";
import { tokenizeCommand } from "./tokenize-command.js";
import { packageVersion } from "./version.js";

/** A subcommand: takes its own argv (after the command name), returns the exit code. */
export type Command = (argv: readonly string[], io: CliIo) => Promise<number>;

interface CommandEntry {
  summary: string;
  load: () => Promise<Command>;
}

const COMMANDS: Record<string, CommandEntry> = {
  stats: { summary: "summarise a LeRobot dataset: fps, episodes, per-dimension 1st/99th percentiles", load: async () => statsCommand },
  "fit-tokenizer": { summary: "fit a FAST-style DCT+BPE action tokenizer on a LeRobot dataset", load: async () => fitTokenizerCommand },
  tokenize: { summary: "encode action chunks (dataset or JSON) to token ids, report round-trip error", load: async () => tokenizeCommand },
  metrics: { summary: "score rollout logs with the RoboEval trajectory metrics (JSON report, radar SVG)", load: async () => metricsCommand },
  "depth-masks": { summary: "adaptive-depth update masks of a dataset's camera video: JSON-lines sidecar, summary, SVG histogram", load: async () => depthMasksCommand },
};

/** Register a subcommand (used for commands whose modules are loaded lazily). */
export function registerCommand(name: string, summary: string, load: () => Promise<Command>): void {
  COMMANDS[name] = { summary, load };
}

function mainHelp(): string {
  const w = Math.max(...Object.keys(COMMANDS).map((k) => k.length));
  return `Usage: vla-primitives <command> [options]

Commands:
${Object.entries(COMMANDS)
  .map(([k, c]) => `  ${k.padEnd(w)}  ${c.summary}`)
  .join("\n")}

Options:
  -h, --help     show help (also: vla-primitives <command> --help)
  -v, --version  print the version

Exit codes: 0 success, 1 unexpected failure, 2 bad usage or unreadable input.
`;
}

/**
 * Run the CLI with `argv` (without `node` and the script path). Never throws and never calls
 * `process.exit`: returns the exit code (0 ok, 1 internal failure, 2 usage / input error).
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const [first, ...rest] = argv;
  if (first === undefined || first === "-h" || first === "--help" || first === "help") {
    if (first === "help" && rest[0] && COMMANDS[rest[0]]) return runCli([rest[0], "--help"], io);
    io.stdout(mainHelp());
    return first === undefined ? 2 : 0;
  }
  if (first === "-v" || first === "--version") {
    io.stdout(`${await packageVersion()}\n`);
    return 0;
  }
  const entry = COMMANDS[first];
  if (!entry) {
    io.stderr(`vla-primitives: unknown command ${JSON.stringify(first)}; commands are ${Object.keys(COMMANDS).join(", ")} (see vla-primitives --help)\n`);
    return 2;
  }
  try {
    const cmd = await entry.load();
    return await cmd(rest, io);
  } catch (e) {
    if (e instanceof UsageError || e instanceof VlaError) {
      io.stderr(`vla-primitives ${e.message.startsWith(first) ? "" : first + ": "}${e.message}\n`);
      return 2;
    }
    io.stderr(`vla-primitives ${first}: internal error: ${(e as Error)?.stack ?? String(e)}\n`);
    return 1;
  }
}
