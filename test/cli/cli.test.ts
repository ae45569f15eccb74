import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { runCli, ROOT } from "./run-cli.js";

describe("vla-primitives (built CLI): global flags", () => {
  it("--version prints package.json's version", () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version: string };
    const r = runCli(["--version"]);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(pkg.version);
  });

  it("--help lists every command; no args prints help and exits 2", () => {
    const r = runCli(["--help"]);
    expect(r.code).toBe(0);
    for (const c of ["stats", "fit-tokenizer", "tokenize", "metrics", "depth-masks"]) expect(r.stdout).toMatch(new RegExp(`\\n  ${c} `));
    const none = runCli([]);
    expect(none.code).toBe(2);
    expect(none.stdout).toMatch(/Usage: vla-primitives <command>/);
  });

  it("every command has --help (exit 0, starts with its usage line)", () => {
    for (const c of ["stats", "fit-tokenizer", "tokenize", "metrics", "depth-masks"]) {
      const r = runCli([c, "--help"]);
      expect(r.code, `${c} --help: ${r.stderr}`).toBe(0);
      expect(r.stdout).toMatch(new RegExp(`Usage: vla-primitives ${c}`));
    }
  });

  it("unknown command: exit 2, names the command", () => {
    const r = runCli(["frobnicate"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown command "frobnicate"/);
  });

  it("unknown option: exit 2, names the option", () => {
    const r = runCli(["stats", "--bogus", "x"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--bogus/);
  });
});
