import { describe, expect, it } from "vitest";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCli } from "./run-cli.js";

const tmp = mkdtempSync(join(tmpdir(), "vla-cli-metrics-"));

// The metrics command itself is tested in metrics-command.test.ts; this checks the built CLI dispatches to it.
describe("vla-primitives metrics (built CLI dispatch)", () => {
  it("scores an episodes.json and prints the JSON report", () => {
    const steps = Array.from({ length: 8 }, (_, k) => ({ arms: { left: { joint_positions: [k, 0, 0] } } }));
    const file = join(tmp, "episodes.json");
    writeFileSync(file, JSON.stringify([{ id: "e0", control_frequency: 20, arms: ["left"], success: true, steps }]));
    const r = runCli(["metrics", file]);
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.policies[0].episodes[0].metrics.joint_path_length).toBe(7); // one arm: 7 unit steps
  });

  it("missing file: exit 2 with the file named", () => {
    const r = runCli(["metrics", join(tmp, "nope.json")]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/nope\.json/);
  });
});
