import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
/** The built CLI; `VLA_CLI=/path/to/index.js` points the tests at another build (e.g. one made while dist/ is stale). */
export const CLI = process.env.VLA_CLI ? resolve(process.env.VLA_CLI) : resolve(ROOT, "dist", "cli", "index.js");

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Run the BUILT CLI (`node dist/cli/index.js ...`); `npm test` builds with tsup first. */
export function runCli(args: readonly string[], opts: { cwd?: string; input?: string; timeout?: number } = {}): CliRun {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: build first (npx tsup), as npm test does`);
  const r = spawnSync(process.execPath, [CLI, ...args], {
    cwd: opts.cwd ?? ROOT,
    encoding: "utf8",
    input: opts.input,
    timeout: opts.timeout ?? 90_000,
    env: { ...process.env, NO_COLOR: "1" },
  });
  if (r.error) throw r.error;
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}
