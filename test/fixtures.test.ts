import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it, vi } from "vitest";
import { FIXTURES, FIXTURES_HOWTO, missingFixtures } from "./fixtures.js";

// Without ../shared/ the parity tests skip; each skipped group must say which folder is missing and how to get it.
const TEST_DIR = dirname(fileURLToPath(import.meta.url));

function testFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? testFiles(p) : p.endsWith(".test.ts") ? [p] : [];
  });
}

describe("fixture skips", () => {
  afterEach(() => vi.restoreAllMocks());

  it("missingFixtures prints one line naming the group, the missing folder and how to get it, once per group", () => {
    const info = vi.spyOn(console, "info").mockImplementation(() => undefined);
    expect(missingFixtures("some parity group", "no-such-folder-xyz")).toBe(true);
    expect(missingFixtures("some parity group", "no-such-folder-xyz")).toBe(true);
    expect(info).toHaveBeenCalledTimes(1);
    const line = String(info.mock.calls[0][0]);
    expect(line).toBe(`[skip] some parity group: fixture folder ${join(FIXTURES, "no-such-folder-xyz")} is missing; ${FIXTURES_HOWTO}`);
    expect(line).not.toContain("\n");
    expect(FIXTURES_HOWTO).toMatch(/\.\.\/shared\/fixtures/);
    expect(FIXTURES_HOWTO).toMatch(/VLA_FIXTURES=/);
  });

  it("is false (and silent) for a folder that exists", () => {
    const info = vi.spyOn(console, "info").mockImplementation(() => undefined);
    expect(missingFixtures("this folder", relative(FIXTURES, TEST_DIR))).toBe(false); // resolves to test/ itself
    expect(info).not.toHaveBeenCalled();
  });

  it("no test file skips on hasFixtures without printing why", () => {
    const silent = testFiles(TEST_DIR).filter((f) => {
      const src = readFileSync(f, "utf8");
      return /skipIf\(\s*!hasFixtures/.test(src) && !/console\.(info|log|warn)\([^)]*skip/i.test(src);
    });
    expect(silent.map((f) => relative(TEST_DIR, f))).toEqual([]);
  });
});
