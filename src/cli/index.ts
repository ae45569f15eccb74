#!/usr/bin/env node
/**
 * The `vla-primitives` command line (built to `dist/cli/index.js`, the package's `bin`).
 * Subcommands: `stats`, `fit-tokenizer`, `tokenize`, `metrics`, `depth-masks`; `--help` everywhere, `--version`.
 * Importing this file runs the CLI on `process.argv`; use {@link runCli} to call it from code.
 * @module
 */
import { processIo } from "./cli-io.js";
import { runCli } from "./main.js";

export { runCli, type Command } from "./main.js";
export { type CliIo, UsageError } from "./cli-io.js";

process.exitCode = await runCli(process.argv.slice(2), processIo());
