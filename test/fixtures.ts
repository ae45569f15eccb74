import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));

/**
 * `../shared/fixtures` beside the repository (CI puts shared/ next to the clone). Override with
 * VLA_FIXTURES=/path/to/fixtures to run the parity tests on other data.
 */
export const FIXTURES = process.env.VLA_FIXTURES ?? resolve(here, "..", "..", "shared", "fixtures");

export const hasFixtures = existsSync(FIXTURES);

export function fixturePath(...parts: string[]): string {
  return join(FIXTURES, ...parts);
}

export function readFixtureJson<T = unknown>(...parts: string[]): T {
  return JSON.parse(readFileSync(fixturePath(...parts), "utf8")) as T;
}
