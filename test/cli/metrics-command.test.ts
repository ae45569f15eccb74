import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "../../src/cli/main.js";
import { fixturePath, missingFixtures } from "../fixtures.js";

async function run(argv: string[]) {
  let out = "";
  let err = "";
  const code = await runCli(["metrics", ...argv], { stdout: (s) => (out += s), stderr: (s) => (err += s), stderrIsTTY: false });
  return { code, out, err };
}

const dir = mkdtempSync(join(tmpdir(), "vla-metrics-"));
const write = (name: string, value: unknown) => {
  const p = join(dir, name);
  writeFileSync(p, typeof value === "string" ? value : JSON.stringify(value));
  return p;
};
const episode = (shift: number) => ({
  id: `e${shift}`,
  control_frequency: 20,
  arms: ["left", "right"],
  success: shift > 0,
  steps: Array.from({ length: 8 }, (_, k) => ({
    arms: {
      left: { joint_positions: [k * (1 + shift), 0, 0], wrist_position: [k * 0.01, 0, 1], joint_velocities: [1, 0, 0] },
      right: { joint_positions: [0, k * k * 0.1, 0], wrist_position: [0, k * 0.02, 1], joint_velocities: [0, 2, 0] },
    },
  })),
});

describe("vla-primitives metrics", () => {
  it("--help prints usage and exits 0", async () => {
    const r = await run(["--help"]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/Usage: vla-primitives metrics/);
  });

  it("writes a report and a radar SVG for several policies", async () => {
    const a = write("policyA.json", { episodes: [episode(0), episode(1)] });
    const b = write("policyB.json", [episode(2)]);
    const out = join(dir, "report.json");
    const svg = join(dir, "radar.svg");
    const bars = join(dir, "bars.svg");
    const r = await run([a, b, "--out", out, "--svg", svg, "--bars", bars, "--title", "Test"]);
    expect(readFileSync(bars, "utf8")).toContain("Joint jerk");
    expect(r.out).toContain("bars:   ");
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/policyA\s+2\s+0\.5000/);
    const report = JSON.parse(readFileSync(out, "utf8"));
    expect(report.policies.map((p: { name: string }) => p.name)).toEqual(["policyA", "policyB"]);
    expect(report.policies[0].episodes[0].metrics.joint_path_length.left).toBe(7);
    expect(report.policies[0].episodes[0].metrics.total_joint_path_length).toBeCloseTo(11.9, 12);
    expect(report.policies[1].success_rate).toBe(1);
    const chart = readFileSync(svg, "utf8");
    expect(chart).toContain("<svg");
    expect(chart).toContain("policyB");
    expect(report.radar.keys).toContain("CJ");
  });

  it("reference mode uses one input as the reference", async () => {
    const a = write("human.json", [episode(0)]);
    const b = write("robot.json", [episode(3)]);
    const r = await run([a, b, "--svg", join(dir, "ref.svg"), "--mode", "reference", "--reference", "human"]);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.out);
    expect(report.radar.series[0].scores.JPL).toBe(1);
    expect(report.radar.series[1].scores.JPL).toBeLessThan(1);
    expect((await run([a, "--svg", join(dir, "x.svg"), "--mode", "reference", "--reference", "nobody"])).code).toBe(2);
  });

  it.skipIf(missingFixtures("metrics command on the RoboEval fixture", "roboeval"))("scores the RoboEval fixture and a LeRobot episode", async () => {
    const r = await run([fixturePath("roboeval", "trajectories.json"), fixturePath("real", "so101-bimanual-cloth", "derived", "episode_000001.json"), "--carry-over-acceleration"]);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.out);
    const ep1 = report.policies[0].episodes.find((e: { id: string }) => e.id === "ep1_bimanual_41steps_envA");
    expect(ep1.metrics.overall_avg_joint_jerk).toBeCloseTo(436.8542658907814, 9);
    expect(report.policies[1].episodes[0].unavailable.map((u: { key: string }) => u.key)).toContain("self_collision_count");
  });

  it("exit 2 with file, episode, step and field on malformed logs", async () => {
    const bad = episode(0);
    (bad.steps[3].arms.left as { joint_positions: unknown[] }).joint_positions[2] = null;
    const p = write("bad.json", { episodes: [episode(1), bad] });
    const r = await run([p]);
    expect(r.code).toBe(2);
    expect(r.err).toContain("bad.json: malformed log");
    expect(r.err).toContain('episode "e0" (#1), step 3, field arms.left.joint_positions[2]: expected a finite number; got null');
    const lr = write("badlerobot.json", { fps: 30, state: [[1, 2], [1]] });
    const r2 = await run([lr]);
    expect(r2.code).toBe(2);
    expect(r2.err).toContain("episode #0, step 1, field state: expected a row of 2 finite numbers");
  });

  it("exit 2 on unreadable files, bad JSON, bad options, missing input", async () => {
    expect((await run([join(dir, "missing.json")])).err).toMatch(/cannot read/);
    expect((await run([write("x.json", "{nope")])).code).toBe(2);
    expect((await run(["--frobnicate"])).err).toMatch(/Unknown option '--frobnicate'/);
    expect((await run(["--timing", "fast", "a.json"])).code).toBe(2);
    expect((await run([])).err).toMatch(/no input log/);
    expect((await run([write("e.json", [])])).err).toMatch(/holds no episodes/);
    const noStamps = write("ns.json", [episode(1)]);
    expect((await run([noStamps, "--timing", "timestamps"])).err).toMatch(/expected time stamps/);
  });

  it("exit 2 when the radar has fewer than 3 metrics", async () => {
    const lr = write("tiny.json", { fps: 10, state: [[0], [1]] });
    const r = await run([lr, "--svg", join(dir, "t.svg")]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/at least 3 metrics/);
  });
});
