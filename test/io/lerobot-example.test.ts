import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { join, resolve } from "node:path";
import { fixturePath, missingFixtures } from "../fixtures.js";

const ROOT = resolve(import.meta.dirname, "..", "..");

// docs/cli.md "LeRobot datasets in code" runs this example; keep it working.
describe.skipIf(missingFixtures("examples/lerobot-basic.ts on real datasets", "real"))("examples/lerobot-basic.ts", () => {
  it("runs on a v3 and a v2.1 dataset and prints stats, chunks and tokens", () => {
    for (const [name, expected] of [
      ["so101-orange-cube", /v3\.0 so101_follower at 30 Hz[\s\S]*episode 0: 12 chunks of 30x6[\s\S]*FAST\+ tokens/],
      ["g1-inspire-bottle", /v2\.1 Unitree_G1_Inspire at 30 Hz[\s\S]*episodes: 0\(479\) 1\(393\) 2\(343\)/],
    ] as const) {
      const r = spawnSync(process.execPath, ["--import", "tsx", join(ROOT, "examples", "lerobot-basic.ts"), fixturePath("real", name)], { cwd: ROOT, encoding: "utf8", timeout: 60_000 });
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout).toMatch(expected);
    }
  });
});
