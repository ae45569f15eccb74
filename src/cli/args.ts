import { parseArgs } from "node:util";
import { UsageError } from "./cli-io.js";

/** One option of a subcommand. */
export interface OptionSpec {
  type: "string" | "boolean";
  short?: string;
  /** Shown in `--help`. */
  help: string;
  /** Placeholder shown in `--help`, e.g. `N`. */
  arg?: string;
}

/** Parsed argv of a subcommand. */
export interface ParsedArgs {
  values: Record<string, string | boolean | undefined>;
  positionals: string[];
}

const NEGATIVE_NUMBER = /^-(\d|\.\d)/;

/**
 * `--vocab -5` → `--vocab=-5`: node's parser reads a value that starts with `-` as a possible option and
 * refuses it as "ambiguous"; a negative number after a string option is always that option's value, so it
 * reaches the option's own range check and message.
 */
function joinNegativeValues(argv: readonly string[], options: Record<string, OptionSpec>): string[] {
  const takesValue = new Set<string>();
  for (const [name, o] of Object.entries(options)) {
    if (o.type !== "string") continue;
    takesValue.add(`--${name}`);
    if (o.short) takesValue.add(`-${o.short}`);
  }
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = argv[i + 1];
    if (takesValue.has(a) && next !== undefined && NEGATIVE_NUMBER.test(next)) {
      out.push(a.startsWith("--") ? `${a}=${next}` : `${a}${next}`);
      i++;
    } else out.push(a);
  }
  return out;
}

/** Parse a subcommand's argv strictly; unknown options and missing values become a {@link UsageError}. */
export function parseCommand(command: string, argv: readonly string[], options: Record<string, OptionSpec>): ParsedArgs {
  const config: Record<string, { type: "string" | "boolean"; short?: string }> = {};
  for (const [name, o] of Object.entries(options)) config[name] = o.short ? { type: o.type, short: o.short } : { type: o.type };
  try {
    const { values, positionals } = parseArgs({ args: joinNegativeValues(argv, options), options: config, allowPositionals: true, strict: true });
    return { values: values as ParsedArgs["values"], positionals };
  } catch (e) {
    throw new UsageError(`${command}: ${(e as Error).message.replace(/\. To specify a positional.*$/s, "")} (see \`vla-primitives ${command} --help\`)`);
  }
}

/** Render the option list for `--help`. */
export function optionHelp(options: Record<string, OptionSpec>): string {
  const rows = Object.entries(options).map(([name, o]) => {
    const flag = `${o.short ? `-${o.short}, ` : "    "}--${name}${o.type === "string" ? ` ${o.arg ?? "VALUE"}` : ""}`;
    return [flag, o.help] as const;
  });
  const w = Math.max(...rows.map((r) => r[0].length));
  return rows.map(([f, h]) => `  ${f.padEnd(w)}  ${h}`).join("\n");
}

/** A string option parsed as an integer in [min, max]; `undefined` when not given. */
export function intOption(command: string, values: ParsedArgs["values"], name: string, min: number, max = Number.MAX_SAFE_INTEGER): number | undefined {
  const v = values[name];
  if (v === undefined) return undefined;
  const n = Number(v);
  if (typeof v !== "string" || v.trim() === "" || !Number.isInteger(n) || n < min || n > max) {
    throw new UsageError(`${command}: --${name} must be an integer in [${min}, ${max}]; got ${JSON.stringify(v)}`);
  }
  return n;
}

/** A string option parsed as a finite number in [min, max]; `undefined` when not given. */
export function numberOption(command: string, values: ParsedArgs["values"], name: string, min: number, max = Infinity): number | undefined {
  const v = values[name];
  if (v === undefined) return undefined;
  const n = Number(v);
  if (typeof v !== "string" || v.trim() === "" || !Number.isFinite(n) || n < min || n > max) {
    throw new UsageError(`${command}: --${name} must be a number in [${min}, ${max}]; got ${JSON.stringify(v)}`);
  }
  return n;
}

/** A string option restricted to a set of choices. */
export function choiceOption<T extends string>(command: string, values: ParsedArgs["values"], name: string, choices: readonly T[], fallback: T): T {
  const v = values[name];
  if (v === undefined) return fallback;
  if (typeof v !== "string" || !(choices as readonly string[]).includes(v)) {
    throw new UsageError(`${command}: --${name} must be one of ${choices.join(", ")}; got ${JSON.stringify(v)}`);
  }
  return v as T;
}

/** Exactly `count` positionals, named for the error message. */
export function expectPositionals(command: string, positionals: string[], names: readonly string[]): string[] {
  if (positionals.length < names.length) throw new UsageError(`${command}: missing argument <${names[positionals.length]}> (see \`vla-primitives ${command} --help\`)`);
  if (positionals.length > names.length) throw new UsageError(`${command}: unexpected argument ${JSON.stringify(positionals[names.length])}`);
  return positionals;
}
