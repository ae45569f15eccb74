import { cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { readParquetTable } from "../../src/io/lerobot-parquet.js";
import { toArrayBuffer } from "../../src/io/lerobot-source.js";
import { fixturePath, missingFixtures } from "../fixtures.js";
import { runCli } from "./run-cli.js";

// Exit codes and silent fallbacks from issue 13: every bad input exits 2 with one line naming the argument or the
// file (never a stack trace, never a hang), and every work-around the tools make is said on stderr.
const tmp = mkdtempSync(join(tmpdir(), "vla-cli-err-"));
const CODECS = join(dirname(fileURLToPath(import.meta.url)), "..", "io", "data", "parquet-codecs");
const noStack = (s: string) => expect(s).not.toMatch(/\n\s+at .*:\d+:\d+/);

/** A v3 dataset folder holding one data file (copied from the committed codec files). */
function v3Dataset(name: string, data: Uint8Array): string {
  const dir = join(tmp, name);
  mkdirSync(join(dir, "meta"), { recursive: true });
  mkdirSync(join(dir, "data", "chunk-000"), { recursive: true });
  const info = { codebase_version: "v3.0", fps: 30, total_episodes: 1, features: { "observation.state": { dtype: "float32", shape: [26] }, action: { dtype: "float32", shape: [26] } } };
  writeFileSync(join(dir, "meta", "info.json"), JSON.stringify(info));
  writeFileSync(join(dir, "data", "chunk-000", "file-000.parquet"), data);
  return dir;
}

const plain = () => new Uint8Array(readFileSync(join(CODECS, "episode_plain.parquet")));

describe("CLI exit codes (no fixtures needed)", () => {
  it("--out that is an existing file, or below one: exit 2 naming --out", () => {
    const file = join(tmp, "a-file");
    writeFileSync(file, "x");
    const ds = v3Dataset("ok", plain());
    const a = runCli(["fit-tokenizer", ds, "--vocab", "300", "--out", file]);
    expect(a.code).toBe(2);
    expect(a.stderr).toMatch(/fit-tokenizer: --out ".*a-file" cannot be created: it is an existing file/);
    noStack(a.stderr);
    const b = runCli(["stats", ds, "--write", "openpi", "--out", join(file, "sub", "norm_stats.json")]);
    expect(b.code).toBe(2);
    expect(b.stderr).toMatch(/stats: --out ".*a-file\/sub\/norm_stats.json" cannot be created: ".*a-file" is a file/);
    noStack(b.stderr);
  });

  it("--out /proc/x exits 2 at once (node's recursive mkdir never returns there)", () => {
    const ds = v3Dataset("proc", plain());
    for (const args of [
      ["fit-tokenizer", ds, "--vocab", "300", "--out", "/proc/x"],
      ["stats", ds, "--write", "lerobot", "--out", "/proc/x/stats.json"],
    ]) {
      const r = runCli(args, { timeout: 20_000 });
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.stderr).toMatch(/--out "\/proc\/x.*" cannot be (created|written)/);
      noStack(r.stderr);
    }
  });

  it("a corrupt page header: exit 2 naming the file", () => {
    const b = plain();
    b.fill(0xff, 4, 24); // observation.state's first page header follows the magic
    const ds = v3Dataset("corrupt", b);
    const r = runCli(["stats", ds]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/corrupt\/data\/chunk-000\/file-000\.parquet could not be decoded \(corrupt or truncated parquet data\)/);
    noStack(r.stderr);
  });

  it("a float turned NaN: exit 2 naming the file, episode, frame and dimension", async () => {
    const b = plain();
    const t = await readParquetTable(toArrayBuffer(b), ["action"], [], "plain");
    // the first action value from frame 3 on whose float32 bytes occur once in the file
    const buf = Buffer.from(b);
    let at = -1;
    let cell = 3 * 26;
    for (; cell < t.vectors.action.data.length && at < 0; cell++) {
      const f = Buffer.alloc(4);
      f.writeFloatLE(t.vectors.action.data[cell]);
      const i = buf.indexOf(f);
      if (i > 0 && buf.indexOf(f, i + 1) < 0) at = i;
    }
    cell--;
    expect(at).toBeGreaterThan(0);
    b.set([0x00, 0x00, 0xc0, 0x7f], at); // float32 NaN
    const ds = v3Dataset("nan", b);
    for (const cmd of ["stats", "fit-tokenizer"]) {
      const r = runCli([cmd, ds, "--out", join(tmp, `nan-${cmd}`)].slice(0, cmd === "stats" ? 2 : 4));
      expect(r.code, cmd).toBe(2);
      expect(r.stderr).toContain(`nan/data/chunk-000/file-000.parquet holds NaN in action of episode 1, frame ${Math.floor(cell / 26)}, dimension ${cell % 26}`);
    }
  });

  it("negative numbers after numeric flags reach the flag's own range check", () => {
    const ds = v3Dataset("neg", plain());
    const a = runCli(["fit-tokenizer", ds, "--vocab", "-5", "--out", join(tmp, "neg-tok")]);
    expect(a.code).toBe(2);
    expect(a.stderr).toMatch(/--vocab must be an integer in \[2, 1048576\]; got "-5"/);
    const b = runCli(["tokenize", ds, "--stride", "-1"]);
    expect(b.code).toBe(2);
    expect(b.stderr).toMatch(/--stride must be an integer in \[1, \d+\]; got "-1"/);
    const c = runCli(["metrics", "x.json", "--fps", "-30"]);
    expect(c.code).toBe(2);
    expect(c.stderr).toMatch(/--fps must be a number in \[.*\]; got "-30"/);
  });

  it("stats --write never overwrites without --force, and refuses write options without --write", () => {
    const ds = v3Dataset("force", plain());
    const out = join(tmp, "force-stats.json");
    writeFileSync(out, "{}");
    const a = runCli(["stats", ds, "--write", "lerobot", "--out", out]);
    expect(a.code).toBe(2);
    expect(a.stderr).toMatch(/--out ".*force-stats\.json" already exists; pass --force to overwrite it/);
    expect(readFileSync(out, "utf8")).toBe("{}");
    expect(runCli(["stats", ds, "--write", "lerobot", "--out", out, "--force"]).code).toBe(0);
    const b = runCli(["stats", ds, "--force"]);
    expect(b.code).toBe(2);
    expect(b.stderr).toMatch(/--force only applies with --write/);
    const c = runCli(["stats", ds, "--write", "csv"]);
    expect(c.code).toBe(2);
    expect(c.stderr).toMatch(/--write must be one of lerobot, openpi, molmoact2; got "csv"/);
  });

  it("a chunk list of mixed dims: warned, and the summary says so instead of giving one dim", () => {
    const file = join(tmp, "mixed.json");
    const chunk = (d: number) => Array.from({ length: 10 }, (_, t) => Array.from({ length: d }, (_, k) => Math.sin(t + k) * 0.5));
    writeFileSync(file, JSON.stringify([chunk(6), chunk(6), chunk(7)]));
    const r = runCli(["tokenize", file, "--summary"]);
    expect(r.code, r.stderr).toBe(0);
    const s = JSON.parse(r.stdout);
    expect(s).toMatchObject({ chunks: 3, dim: null, horizon: null, shapes: { "10x6": 2, "10x7": 1 } });
    expect(r.stderr).toMatch(/warning: the chunks differ in shape \(2 × 10x6, 1 × 10x7/);
  });
});

describe("tokenize --tokenizer DIR: preprocess.json is used, or its absence and its faults are said", () => {
  const ds = () => v3Dataset("tok-ds", plain());
  const fitted = () => {
    const out = join(tmp, "tok-fit");
    const r = runCli(["fit-tokenizer", ds(), "--vocab", "300", "--seconds", "0.3", "--out", out]);
    expect(r.code, r.stderr).toBe(0);
    return out;
  };

  it("missing preprocess.json: a warning with the reason", () => {
    const dir = fitted();
    const bare = join(tmp, "tok-bare");
    cpSync(dir, bare, { recursive: true });
    rmSync(join(bare, "preprocess.json"));
    const r = runCli(["tokenize", ds(), "--tokenizer", bare, "--summary", "--seconds", "0.3"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/warning: --tokenizer ".*tok-bare" has no preprocess.json \(it was not written by fit-tokenizer\): chunks are normalized with this dataset's own pooled q01\/q99 and not padded/);
    expect(JSON.parse(r.stdout).normalization).toBe("q01_q99 with this dataset's pooled q01/q99");
  });

  it("garbage preprocess.json: exit 2 naming the file (JSON) and the field (wrong kind)", () => {
    const dir = fitted();
    const bad = join(tmp, "tok-bad");
    cpSync(dir, bad, { recursive: true });
    writeFileSync(join(bad, "preprocess.json"), "{ not json");
    const a = runCli(["tokenize", ds(), "--tokenizer", bad]);
    expect(a.code).toBe(2);
    expect(a.stderr).toMatch(/".*tok-bad\/preprocess\.json" is not valid JSON/);
    const pre = JSON.parse(readFileSync(join(dir, "preprocess.json"), "utf8"));
    writeFileSync(join(bad, "preprocess.json"), JSON.stringify({ ...pre, q99: "high" }));
    const b = runCli(["tokenize", ds(), "--tokenizer", bad]);
    expect(b.code).toBe(2);
    expect(b.stderr).toMatch(/preprocess\.json": "q99" must be a list of 26 finite numbers like q01; got "high"/);
  });

  it("the same dataset: no warning; another dataset: a warning naming what differs", () => {
    const dir = fitted();
    const same = runCli(["tokenize", ds(), "--tokenizer", dir, "--summary"]);
    expect(same.code, same.stderr).toBe(0);
    expect(same.stderr).toBe("");
    expect(JSON.parse(same.stdout).normalization).toBe("q01_q99 with the tokenizer's preprocess.json q01/q99");
    const other = v3Dataset("tok-other", plain());
    const r = runCli(["tokenize", other, "--tokenizer", dir, "--summary"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/warning: --tokenizer ".*tok-fit": it was fitted on another dataset: folder ".*tok-ds"; its q01\/q99 and 0\.3 s chunks are applied to ".*tok-other"/);
    expect(JSON.parse(r.stdout).warnings).toHaveLength(1);
  });
});

describe.skipIf(missingFixtures("silent-fallback checks on real datasets", "real"))("silent fallbacks on real datasets become warnings or errors", () => {
  it("a v2 dataset with an episode parquet missing says so; asking for that episode is an error", () => {
    const dir = join(tmp, "cloth");
    cpSync(fixturePath("real", "so101-bimanual-cloth"), dir, { recursive: true });
    rmSync(join(dir, "data", "chunk-000", "episode_000002.parquet"));
    const r = runCli(["stats", dir, "--json"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/warning: meta\/info.json says 25 episodes, but data\/ holds 1 episode parquet files; the other 24 are missing/);
    expect(JSON.parse(r.stdout).warnings.join(" ")).toMatch(/holds 1 episode parquet files/);
    const e = runCli(["stats", dir, "--episodes", "1,2"]);
    expect(e.code).toBe(2);
    expect(e.stderr).toMatch(/episodes 2 is not in the data files of .*cloth \(they hold episodes 1\)/);
  });

  it("stats.json covering more episodes than the folder holds is said (piper: 55 in stats, 8 here)", () => {
    const r = runCli(["stats", fixturePath("real", "piper-grape"), "--json"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/warning: meta\/stats.json covers \d+ frames \(55 episodes per info.json\), the episodes read here hold 2211 \(8 episodes\): its ds\.\* columns describe the whole dataset/);
    const so = runCli(["stats", fixturePath("real", "so101-orange-cube"), "--json"]);
    expect(so.stderr).toBe(""); // the whole dataset: nothing to say
  });

  it("metrics from raw servo ticks say the unit is not stated and what the values look like", () => {
    const log = fixturePath("real", "so101-bimanual-cloth", "derived", "episode_000001.json");
    const out = join(tmp, "ticks.json");
    const r = runCli(["metrics", log, "--out", out]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/warning: .*episode_000001\.json does not say its joint unit \(values \d+\.\.3590, which looks like raw servo\/encoder ticks\)/);
    expect(r.stdout).toMatch(/units: TL in steps; JPL in joint units/);
    expect(r.stdout).toMatch(/episode_000001: joint unit not stated \(values \d+\.\.3590/);
    expect(JSON.parse(readFileSync(out, "utf8")).policies[0].units).toMatchObject({ joint: "unknown", source: "not stated" });
    const t = runCli(["metrics", log, "--joint-unit", "ticks", "--out", out]);
    expect(t.code).toBe(0);
    expect(t.stderr).toBe("");
    expect(t.stdout).toMatch(/episode_000001: joint unit ticks \(--joint-unit\)/);
    const rad = runCli(["metrics", fixturePath("roboeval", "trajectories.json"), "--out", join(tmp, "rad.json")]);
    expect(rad.stdout).toMatch(/trajectories: joint unit rad \(RoboEval log \(rad\)\)/);
  });
});

describe("one CLI convention", () => {
  it("no command file imports another command's file; every command parses with args.ts", () => {
    const dir = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "src", "cli");
    const commands = readdirSync(dir).filter((f) => f.endsWith("-command.ts"));
    expect(commands.length).toBeGreaterThanOrEqual(5);
    for (const f of commands) {
      const src = readFileSync(join(dir, f), "utf8");
      expect(src, f).not.toMatch(/from "\.\/[a-z-]+-command\.js"/);
      expect(src, f).toMatch(/parseCommand\(/);
      expect(src, f).not.toMatch(/class \w+Error extends Error/);
    }
  });
});
