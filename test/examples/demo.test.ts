import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const root = join(import.meta.dirname, "..", "..");

describe("npm run demo", () => {
  it("runs `npx tsx examples/demo.ts` with no arguments on built-in data and prints the tokenizer table and the model's action chunk with stage timings", () => {
    // VLA_FIXTURES points nowhere: the demo must not need ../shared
    const out = execFileSync("npx", ["tsx", "examples/demo.ts"], { cwd: root, encoding: "utf8", env: { ...process.env, VLA_FIXTURES: "/nonexistent" }, timeout: 120_000 });
    expect(out).toContain("FAST+ tokenizer (scale 10, min_token -354, 2048 ids)");
    expect(out).toMatch(/\| chunk \| frames +\| tokens \| values\/token/);
    const rows = out.split("\n").filter((l) => /^\|\s+\d+ \|/.test(l));
    expect(rows.length).toBe(13); // 393 frames at 30 fps → 13 full one-second chunks
    const m = /13 chunks: 10140 values -> (\d+) tokens/.exec(out);
    expect(m).not.toBeNull();
    expect(Number(m?.[1])).toBeGreaterThan(13);
    const err = /round-trip error: max ([\d.]+) normalized/.exec(out);
    expect(Number(err?.[1])).toBeLessThan(0.274); // quantization bound sqrt(30)*0.5/10 (per-dim L2 bounds max abs)
    expect(out).toContain("<state_start><state_");
    // model section: the tiny MolmoAct2 on the shipped G1 frame, every mode reports what it cost
    expect(out).toMatch(/\[continuous\][\s\S]*stages: vision [\d.]+ \+ prefill [\d.]+ \+ expert\/flow [\d.]+ = [\d.]+ ms/);
    expect(out).toMatch(/control rate: [\d.]+ chunks\/s \(Hz\)/);
    expect(out).toMatch(/\[discrete\]/);
    expect(out).toMatch(/frame 195: first frame, full: 100 decode steps/);
    expect(out).toMatch(/selective: 0 decode steps, 100 replayed codes/);
  });
});
