import { describe, expect, it } from "vitest";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadFastPlus } from "../../src/tokenizer/index.js";
import { fixturePath, missingFixtures } from "../fixtures.js";
import { runCli } from "./run-cli.js";

const tmp = mkdtempSync(join(tmpdir(), "vla-cli-tok-"));

describe("vla-primitives tokenize (built CLI)", () => {
  it("encodes a JSON chunk with FAST+ by default, ids equal the library's", async () => {
    const chunk = Array.from({ length: 10 }, (_, t) => [Math.cos(t / 3) * 0.5, t / 10 - 0.5, 0.25]);
    const file = join(tmp, "chunk.json");
    writeFileSync(file, JSON.stringify(chunk));
    const r = runCli(["tokenize", file]);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    const fast = await loadFastPlus();
    expect(out.ids).toEqual([fast.encode(chunk)]);
    expect(out.horizon).toBe(10);
    expect(out.dim).toBe(3);
    expect(out.roundTripMaxAbsError).toBeLessThan(0.1); // scale 10 rounding: |err| <= ~0.05*sqrt(T) per value
  });

  it("a list of chunks gives one id list each", () => {
    const file = join(tmp, "chunks.json");
    writeFileSync(file, JSON.stringify([[[0.1], [0.2]], [[0.3], [-0.3]]]));
    const r = runCli(["tokenize", file, "--summary"]);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.chunks).toBe(2);
    expect(out.ids).toBeUndefined();
  });

  it("bad inputs exit 2 naming the file or flag", () => {
    const missing = runCli(["tokenize", join(tmp, "missing.json")]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/missing\.json" does not exist/);
    const ragged = join(tmp, "ragged.json");
    writeFileSync(ragged, JSON.stringify([[1, 2], [3]]));
    const rr = runCli(["tokenize", ragged]);
    expect(rr.code).toBe(2);
    expect(rr.stderr).toMatch(/ragged\.json" must hold \[horizon\]\[dim\] chunks/);
    const badTok = runCli(["tokenize", ragged, "--tokenizer", tmp]);
    expect(badTok.code).toBe(2);
    expect(badTok.stderr).toMatch(/--tokenizer ".*" is not a readable tokenizer folder/);
  });

  it.skipIf(missingFixtures("tokenize on a real dataset", "real"))("tokenizes a dataset with a fitted tokenizer, reusing its preprocess.json", () => {
    const dir = join(tmp, "fit");
    const ds = fixturePath("real", "g1-inspire-bottle");
    expect(runCli(["fit-tokenizer", ds, "--vocab", "600", "--out", dir]).code).toBe(0);
    const r = runCli(["tokenize", ds, "--tokenizer", dir, "--episodes", "1"]);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.chunks).toBe(13); // 393 frames at 30 fps -> 13 whole seconds
    expect(out.dim).toBe(26);
    expect(out.origin[1]).toEqual({ episode: 1, start: 30 });
    expect(out.ids).toHaveLength(13);
    expect(out.roundTripMaxAbsError).toBeLessThan(0.5);
  });
});
