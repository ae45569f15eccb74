import { cpSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { fixturePath, missingFixtures } from "../fixtures.js";
import { missingFfmpeg } from "../io/video-synth.js";
import { runCli } from "./run-cli.js";

const tmp = mkdtempSync(join(tmpdir(), "vla-cli-depth-"));
const MINI = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "examples", "data", "g1-mini");

describe.skipIf(missingFfmpeg("depth-masks command on the shipped g1-mini dataset"))("vla-primitives depth-masks on the shipped one-second G1 dataset", () => {
  it("writes 30 lines, prints the summary, no warnings", () => {
    const out = join(tmp, "mini.jsonl");
    const r = runCli(["depth-masks", MINI, "--out", out]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe("");
    expect(readFileSync(out, "utf8").trim().split("\n").length).toBe(30);
    expect(r.stdout).toMatch(/episodes\s+1\s+frames 30 \(29 after each episode's first\)/);
  });
});
const skip = missingFfmpeg("depth-masks command on real datasets") || missingFixtures("depth-masks command on real datasets", "real");

describe.skipIf(skip)("vla-primitives depth-masks (built CLI)", () => {
  it("G1 episode 1: sidecar lines, summary JSON, SVG, printed summary", () => {
    const out = join(tmp, "g1", "cam_high.jsonl");
    const r = runCli(["depth-masks", fixturePath("real", "g1-inspire-bottle"), "--episodes", "1", "--out", out]);
    expect(r.code, r.stderr).toBe(0);
    const lines = readFileSync(out, "utf8").trim().split("\n").map((l) => JSON.parse(l));
    expect(lines.length).toBe(393);
    expect(lines[0]).toMatchObject({ episode_index: 1, frame_index: 0, timestamp: 0, changed_cells: 100, first: true, mask: "1".repeat(100) });
    expect(lines[1].mask).toMatch(/^[01]{100}$/);
    expect(lines.every((l, i) => l.frame_index === i && l.changed_cells === [...l.mask].filter((c: string) => c === "1").length)).toBe(true);
    const summary = JSON.parse(readFileSync(join(tmp, "g1", "cam_high.summary.json"), "utf8"));
    expect(summary).toMatchObject({ format: "vla-primitives-depth-masks/1", camera: "observation.images.cam_high", episodes: 1, frames: 393 });
    const later = lines.slice(1);
    expect(summary.meanChangedCells).toBeCloseTo(later.reduce((a, l) => a + l.changed_cells, 0) / later.length, 10);
    expect(summary.shareUnchanged).toBeCloseTo(later.filter((l) => l.changed_cells === 0).length / later.length, 10);
    expect(readFileSync(join(tmp, "g1", "cam_high.svg"), "utf8")).toContain("Depth update masks: g1-inspire-bottle");
    expect(r.stdout).toMatch(/changed cells\s+mean \d+\.\d\d of 100 per frame/);
    expect(r.stdout).toMatch(/no change\s+\d+\.\d % of frames/);
    expect(r.stdout).toMatch(/Think decoding\s+.* forwards per frame, vs 100 for a full decode/);
    expect(r.stderr).toMatch(/warning: meta\/info.json says 100 episodes, but data\/ holds 3/); // subset copy: said, not hidden
  });

  it("never overwrites without --force; --force does", () => {
    const out = join(tmp, "again.jsonl");
    writeFileSync(out, "keep me\n");
    const r = runCli(["depth-masks", fixturePath("real", "g1-inspire-bottle"), "--episodes", "1", "--out", out]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--out ".*again\.jsonl" already exists; pass --force to overwrite it/);
    expect(readFileSync(out, "utf8")).toBe("keep me\n");
    const f = runCli(["depth-masks", fixturePath("real", "g1-inspire-bottle"), "--episodes", "1", "--out", out, "--force", "--step", "10"]);
    expect(f.code, f.stderr).toBe(0);
    expect(readFileSync(out, "utf8").trim().split("\n").length).toBe(40); // frames 0, 10, ..., 390
  });

  it("a missing episode video stops with the file named; --skip-missing warns and goes on", () => {
    const ds = fixturePath("real", "g1-inspire-bottle");
    const a = runCli(["depth-masks", ds, "--out", join(tmp, "m.jsonl")]);
    expect(a.code).toBe(2);
    expect(a.stderr).toMatch(/episode_000000\.mp4 does not exist \(episode 0/);
    expect(a.stderr).not.toMatch(/\n\s+at /);
    const b = runCli(["depth-masks", ds, "--out", join(tmp, "s.jsonl"), "--skip-missing", "--json"]);
    expect(b.code, b.stderr).toBe(0);
    expect(b.stderr).toMatch(/warning: skipping episode 0: .*episode_000000\.mp4 does not exist/);
    expect(JSON.parse(b.stdout)).toMatchObject({ episodes: 1, skippedEpisodes: [0, 2] });
  });

  it("wall-clock timestamps (cloth): frames by index, with a warning saying why", () => {
    const r = runCli(["depth-masks", fixturePath("real", "so101-bimanual-cloth"), "--episodes", "1", "--camera", "observation.images.cam1", "--out", join(tmp, "cloth.jsonl"), "--json"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/parquet timestamps are off the video's frame grid .* frames are taken by frame index/);
    expect(JSON.parse(r.stdout).frames).toBe(280);
    const strict = runCli(["depth-masks", fixturePath("real", "so101-bimanual-cloth"), "--episodes", "1", "--timing", "timestamp", "--out", join(tmp, "cloth2.jsonl")]);
    expect(strict.code).toBe(2);
    expect(strict.stderr).toMatch(/episode_000001\.mp4\): its timestamp .* tolerance 0\.0001 s/);
  });

  it("v3 with an export that wrote video/ for videos/ (lingzu): works, and says which file it used", () => {
    const r = runCli(["depth-masks", fixturePath("real", "lingzu-open50"), "--out", join(tmp, "lingzu.jsonl"), "--json"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/video_path gives videos\/image\/chunk-000\/file-000\.mp4, which does not exist; using video\/image\/chunk-000\/file-000\.mp4/);
    expect(JSON.parse(r.stdout)).toMatchObject({ camera: "image", frames: 427 });
  });

  it("--progress draws a bar on stderr; without it a pipe gets none", () => {
    const r = runCli(["depth-masks", fixturePath("real", "g1-inspire-bottle"), "--episodes", "1", "--out", join(tmp, "p.jsonl"), "--progress", "--step", "20"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/\rdepth-masks: episodes \[#+\] 1\/1/);
    const q = runCli(["depth-masks", fixturePath("real", "g1-inspire-bottle"), "--episodes", "1", "--out", join(tmp, "q.jsonl"), "--step", "20"]);
    expect(q.stderr).not.toMatch(/\r/);
  });

  it("bad input: no videos, no camera, a bad --camera, bad --step, a folder as --out: exit 2 naming it", () => {
    const piper = runCli(["depth-masks", fixturePath("real", "piper-grape"), "--out", join(tmp, "x.jsonl")]);
    expect(piper.code).toBe(2); // video features listed, mp4 files not copied
    expect(piper.stderr).toMatch(/piper-grape\/videos\/observation\.images\.front\/chunk-000\/file-000\.mp4 does not exist/);
    const noCam = join(tmp, "no-cam");
    cpSync(fixturePath("real", "piper-grape"), noCam, { recursive: true });
    const info = JSON.parse(readFileSync(join(noCam, "meta", "info.json"), "utf8"));
    for (const k of Object.keys(info.features)) if (info.features[k].dtype === "video") delete info.features[k];
    writeFileSync(join(noCam, "meta", "info.json"), JSON.stringify(info));
    const a = runCli(["depth-masks", noCam, "--out", join(tmp, "x.jsonl")]);
    expect(a.code).toBe(2);
    expect(a.stderr).toMatch(/has no video features in meta\/info.json/);
    const b = runCli(["depth-masks", fixturePath("real", "g1-inspire-bottle"), "--camera", "wrist", "--out", join(tmp, "y.jsonl")]);
    expect(b.code).toBe(2);
    expect(b.stderr).toMatch(/--camera must be one of "observation.images.cam_high"; got "wrist"/);
    const c = runCli(["depth-masks", fixturePath("real", "g1-inspire-bottle"), "--step", "-3"]);
    expect(c.code).toBe(2);
    expect(c.stderr).toMatch(/--step must be an integer in \[1, \d+\]; got "-3"/);
    const d = runCli(["depth-masks", fixturePath("real", "g1-inspire-bottle"), "--out", tmp]);
    expect(d.code).toBe(2);
    expect(d.stderr).toMatch(/--out ".*" is a folder; give a file path/);
    expect(existsSync(join(fixturePath("real", "g1-inspire-bottle"), "depth_masks"))).toBe(false);
  });
});
