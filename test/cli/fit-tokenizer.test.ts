import { describe, expect, it } from "vitest";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { OpenFastTokenizer } from "../../src/tokenizer/index.js";
import { fixturePath, missingFixtures } from "../fixtures.js";
import { runCli } from "./run-cli.js";

const tmp = mkdtempSync(join(tmpdir(), "vla-cli-fit-"));

describe.skipIf(missingFixtures("fit-tokenizer on real datasets", "real"))("vla-primitives fit-tokenizer (built CLI)", () => {
  it("fits on a v3 dataset, writes HF files + preprocess.json, loads back and round-trips", async () => {
    const out = join(tmp, "so101");
    const r = runCli(["fit-tokenizer", fixturePath("real", "so101-orange-cube"), "--vocab", "512", "--out", out]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe(""); // no TTY: no progress output
    const s = JSON.parse(r.stdout);
    expect(s).toMatchObject({ chunks: 48, horizon: 30, dim: 6, vocabSize: 512, scale: 10 }); // 4 episodes x floor(~373/30)=12
    for (const f of ["tokenizer.json", "processor_config.json", "tokenizer_config.json", "special_tokens_map.json", "preprocess.json"]) {
      expect(existsSync(join(out, f)), f).toBe(true);
    }
    const pre = JSON.parse(readFileSync(join(out, "preprocess.json"), "utf8"));
    expect(pre.norm).toBe("q01_q99");
    expect(pre.q01).toHaveLength(6);
    expect(pre.q01[1]).toBeCloseTo(-98.632, 2); // pooled numpy q01 of shoulder_lift
    const tok = await OpenFastTokenizer.load(out);
    expect(tok.configVocabSize).toBe(512);
    const chunk = Array.from({ length: 30 }, (_, t) => Array.from({ length: 6 }, (_, d) => Math.sin(t / 5 + d) * 0.8));
    const back = tok.decode(tok.encode(chunk), { horizon: 30, dim: 6 });
    expect(back.ok).toBe(true);
  });

  it("--pad-to 32 pads rows with zeros (the paper's layout) and --stride 1 slides", () => {
    const out = join(tmp, "piper32");
    const r = runCli(["fit-tokenizer", fixturePath("real", "piper-grape"), "--vocab", "300", "--pad-to", "32", "--stride", "5", "--episodes", "0,1", "--out", out]);
    expect(r.code, r.stderr).toBe(0);
    const s = JSON.parse(r.stdout);
    expect(s.dim).toBe(32);
    expect(s.horizon).toBe(15); // 15 fps x 1 s
    const pre = JSON.parse(readFileSync(join(out, "preprocess.json"), "utf8"));
    expect(pre.padTo).toBe(32);
    expect(pre.stride).toBe(5);
  });

  it("--progress draws phase bars on stderr", () => {
    const r = runCli(["fit-tokenizer", fixturePath("real", "lingzu-open50"), "--vocab", "400", "--out", join(tmp, "l"), "--progress"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/fit-tokenizer: reading \[#+\]/);
    expect(r.stderr).toMatch(/fit-tokenizer: merge \[/);
  });

  it("clear usage errors: missing --out, bad --vocab, --pad-to smaller than dim", () => {
    const ds = fixturePath("real", "so101-orange-cube");
    const a = runCli(["fit-tokenizer", ds]);
    expect(a.code).toBe(2);
    expect(a.stderr).toMatch(/--out DIR is required/);
    const b = runCli(["fit-tokenizer", ds, "--out", join(tmp, "x"), "--vocab", "many"]);
    expect(b.code).toBe(2);
    expect(b.stderr).toMatch(/--vocab must be an integer .*"many"/);
    const c = runCli(["fit-tokenizer", ds, "--out", join(tmp, "y"), "--pad-to", "4"]);
    expect(c.code).toBe(2);
    expect(c.stderr).toMatch(/--pad-to 4 is smaller than the action dimension 6/);
  });
});
