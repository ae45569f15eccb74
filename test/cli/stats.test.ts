import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fixturePath, missingFixtures } from "../fixtures.js";
import { runCli } from "./run-cli.js";

const so101 = () => fixturePath("real", "so101-orange-cube");

describe.skipIf(missingFixtures("stats on real datasets", "real"))("vla-primitives stats (built CLI)", () => {
  it("--json reports fps, episodes, frames and pooled q01/q99 (numpy linear)", () => {
    const r = runCli(["stats", so101(), "--json"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe(""); // not a TTY and no --progress: no progress bar garbage
    const s = JSON.parse(r.stdout);
    expect(s.fps).toBe(30);
    expect(s.episodes).toBe(4);
    expect(s.frames).toBe(1492);
    expect(s.action.key).toBe("action");
    expect(s.action.dim).toBe(6);
    // pooled numpy q01 of shoulder_lift action is -98.6 (real-data.md), LeRobot's own is -87.6
    expect(s.action.q01[1]).toBeCloseTo(-98.632, 2);
    const own = JSON.parse(readFileSync(join(so101(), "meta", "stats.json"), "utf8"));
    expect(s.action.datasetQ01).toEqual(own.action.q01);
    expect(s.quantileMethod).toMatch(/numpy linear/);
  });

  it("prints a table by default and reads state/actions keys (lingzu)", () => {
    const r = runCli(["stats", fixturePath("real", "lingzu-open50")]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/state: "state" \(34 dims\)/);
    expect(r.stdout).toMatch(/action: "actions" \(34 dims\)/);
  });

  it("--episodes selects episodes; --progress draws a bar on stderr", () => {
    const r = runCli(["stats", so101(), "--json", "--episodes", "1,3", "--progress"]);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).episodeIndices).toEqual([1, 3]);
    expect(r.stderr).toMatch(/stats: reading \[#+\] 1\/1/);
  });

  it("missing folder: exit 2 naming the path", () => {
    const r = runCli(["stats", "/no/such/dataset"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/\/no\/such\/dataset/);
    expect(r.stderr).not.toMatch(/at .*\.js:\d+/); // no stack trace
  });

  it("missing argument and bad key: exit 2 with the argument named", () => {
    const a = runCli(["stats"]);
    expect(a.code).toBe(2);
    expect(a.stderr).toMatch(/missing argument <dataset>/);
    const b = runCli(["stats", so101(), "--action-key", "nope"]);
    expect(b.code).toBe(2);
    expect(b.stderr).toMatch(/action must name a feature.*"nope"/);
  });
});
