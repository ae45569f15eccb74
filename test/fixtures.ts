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

/** How to get the fixtures; printed with every skip. */
export const FIXTURES_HOWTO =
  "put the project's shared/ folder beside the clone (so ../shared/fixtures exists) or set VLA_FIXTURES=/path/to/fixtures";

const announced = new Set<string>();

/**
 * For `describe.skipIf(missingFixtures("RoboEval parity", "roboeval"))`: true when the fixture folder `parts` (the
 * fixtures root when none) does not exist, and then prints one line naming the skipped group, the missing folder
 * and how to get it, so a run without ../shared/ says what it did not test.
 */
export function missingFixtures(group: string, ...parts: string[]): boolean {
  const path = fixturePath(...parts);
  if (existsSync(path)) return false;
  if (!announced.has(group)) {
    announced.add(group);
    console.info(`[skip] ${group}: fixture folder ${path} is missing; ${FIXTURES_HOWTO}`);
  }
  return true;
}
