import { cpSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { LeRobotDataset, parseStatsJson } from "../../src/io/index.js";
import { statsFromLeRobot, statsFromMolmoAct2, statsFromOpenpi } from "../../src/normalize/index.js";
import { fixturePath, missingFixtures } from "../fixtures.js";
import { runCli } from "./run-cli.js";

// Reference: numpy-linear quantiles of SO-101 episode 0 (np.quantile(x, q, axis=0), float64; q10/q50/q90 and
// mean/std computed with torch.quantile(..., interpolation="linear") and population std, which are the same
// formulas). Tolerance 1e-9 relative: same algorithm in float64, only summation order may differ.
const NP = {
  action: {
    q01: [-34.86064208984375, -99.10057067871094, 24.92113494873047, 30.825138092041016, -75.40802795410156, 1.0458568334579468],
    q10: [-32.77182388305664, -98.28291320800781, 30.977918243408205, 31.509191513061523, -74.12752532958984, 1.2228479862213137],
    q50: [-13.399693489074707, -37.77595901489258, 41.505184173583984, 55.280033111572266, -59.43321990966797, 4.505229473114014],
    q90: [-6.891271114349365, 2.5674571037292506, 100.0, 76.9132080078125, -44.266597747802734, 29.750602722167976],
    q99: [-5.852986354827885, 5.64186429977417, 100.0, 79.92988555908202, -44.03568618774415, 39.58165740966797],
    mean: [-17.671789069597587, -48.2615382761642, 59.9793162205264, 55.36301894609794, -60.88520414132535, 11.811128918670777],
    std: [10.165389695468376, 39.58451735680534, 29.393397947223445, 18.64915774763625, 9.904783668210243, 12.1680124762316],
  },
  state: {
    q01: [-34.95488357543945, -98.95787811279297, 29.886621475219727, 32.313072204589844, -75.22816467285156, 2.0889487266540527],
    q99: [-6.08081579208374, 6.296135425567627, 99.36508178710938, 76.92348266601562, -44.0938720703125, 39.150943756103516],
    mean: [-17.865282759270144, -46.808859545807415, 61.23531106330115, 54.73588301221423, -61.085388971078174, 13.01713364693179],
    std: [10.066760152097318, 40.435971782240074, 27.04071946522683, 17.354954523259508, 9.80582834634953, 11.420855818305812],
  },
};

function close(got: ArrayLike<number> | undefined, want: number[], what: string): void {
  expect(got, what).toBeDefined();
  expect(got!.length, what).toBe(want.length);
  want.forEach((w, i) => expect(Math.abs(got![i] - w), `${what}[${i}]`).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(w))));
}

const tmp = mkdtempSync(join(tmpdir(), "vla-cli-statswrite-"));

describe.skipIf(missingFixtures("stats --write round trips", "real", "so101-orange-cube"))("vla-primitives stats --write (built CLI)", () => {
  const so101 = fixturePath("real", "so101-orange-cube");

  it("lerobot: meta/stats.json with q01..q99, read back by LeRobotDataset and statsFromLeRobot", async () => {
    const ds = join(tmp, "so101");
    cpSync(so101, ds, { recursive: true });
    const r = runCli(["stats", ds, "--episodes", "0", "--write", "lerobot"]);
    expect(r.code).toBe(2); // the dataset has a stats.json already
    expect(r.stderr).toMatch(/meta\/stats\.json" already exists; pass --force/);
    const before = JSON.parse(readFileSync(join(ds, "meta", "stats.json"), "utf8"));
    const w = runCli(["stats", ds, "--episodes", "0", "--write", "lerobot", "--force"]);
    expect(w.code, w.stderr).toBe(0);
    expect(w.stdout).toMatch(/wrote lerobot stats \(pooled numpy-linear quantiles, 373 frames\) to .*meta\/stats\.json/);
    const text = readFileSync(join(ds, "meta", "stats.json"), "utf8");
    const j = JSON.parse(text);
    // other features of the old file are kept
    for (const k of Object.keys(before)) expect(Object.keys(j)).toContain(k);
    expect(j["observation.images.front"]).toEqual(before["observation.images.front"]);
    expect(j.action.count).toEqual([373]);
    const parsed = parseStatsJson(j);
    for (const q of ["q01", "q10", "q50", "q90", "q99", "mean", "std"] as const) close(parsed.action[q], NP.action[q], `io action ${q}`);
    const norm = statsFromLeRobot(text, "observation.state");
    close(norm.q01, NP.state.q01, "normalize state q01");
    close(norm.q99, NP.state.q99, "normalize state q99");
    const reopened = await LeRobotDataset.open(ds);
    close(reopened.datasetQuantiles("action")!.q01, NP.action.q01, "dataset q01");
    // to a new file: the dataset's own stats.json supplies the features not recomputed
    const fresh = join(tmp, "fresh-stats.json");
    expect(runCli(["stats", so101, "--episodes", "0", "--write", "lerobot", "--out", fresh]).code).toBe(0);
    const f = JSON.parse(readFileSync(fresh, "utf8"));
    expect(f["observation.images.front"]).toEqual(before["observation.images.front"]);
    close(f.action.q50, NP.action.q50, "fresh q50");
  });

  it("openpi: norm_stats.json {norm_stats: {state, actions}} read back by statsFromOpenpi", () => {
    const out = join(tmp, "openpi", "norm_stats.json");
    const r = runCli(["stats", so101, "--episodes", "0", "--write", "openpi", "--out", out]);
    expect(r.code, r.stderr).toBe(0);
    const text = readFileSync(out, "utf8");
    expect(Object.keys(JSON.parse(text).norm_stats).sort()).toEqual(["actions", "state"]);
    const a = statsFromOpenpi(text, "actions");
    for (const q of ["q01", "q99", "mean", "std"] as const) close(a[q], NP.action[q], `openpi actions ${q}`);
    const s = statsFromOpenpi(text, "state");
    for (const q of ["q01", "q99", "mean", "std"] as const) close(s[q], NP.state[q], `openpi state ${q}`);
  });

  it("molmoact2: norm_stats.json with a known tag's constants and the gripper mask, read back by statsFromMolmoAct2", () => {
    const out = join(tmp, "molmo.json");
    const r = runCli(["stats", so101, "--episodes", "0", "--write", "molmoact2", "--tag", "so100_so101_molmoact2", "--out", out, "--json"]);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).written).toEqual({ format: "molmoact2", path: out });
    const text = readFileSync(out, "utf8");
    const t = statsFromMolmoAct2(text);
    expect(t).toMatchObject({ tag: "so100_so101_molmoact2", normMode: "q01_q99", actionHorizon: 30, nActionSteps: 30, actionDim: 6, normalizeGripper: true, controlMode: "absolute joint pose" });
    for (const q of ["q01", "q99", "mean", "std"] as const) close(t.action[q], NP.action[q], `molmoact2 action ${q}`);
    close(t.state!.q01, NP.state.q01, "molmoact2 state q01");
    expect(t.action.names).toEqual(["shoulder_pan.pos", "shoulder_lift.pos", "elbow_flex.pos", "wrist_flex.pos", "wrist_roll.pos", "gripper.pos"]);
    expect(t.action.mask).toEqual([true, true, true, true, true, true]); // this tag normalizes the gripper
    const own = join(tmp, "molmo-own.json");
    expect(runCli(["stats", so101, "--episodes", "0", "--write", "molmoact2", "--out", own]).code).toBe(0);
    const o = statsFromMolmoAct2(readFileSync(own, "utf8"));
    expect(o).toMatchObject({ tag: "so101-orange-cube", actionHorizon: 30, normalizeGripper: false });
    expect(o.action.mask).toEqual([true, true, true, true, true, false]); // default: the gripper passes through
  });
});
