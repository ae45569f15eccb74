// MolmoAct2 side by side with the reference PyTorch implementation on the CPU, in one process run so the
// ratio holds on a noisy machine: the tiny reference checkpoint and two random release-family checkpoints
// (~100 M parameters, and ~360 M: the largest release-width one the wasm heap holds) generated into a cache
// folder, run by this library (wasm, cpu) and by the reference's `predict_action` (CPU torch in a child
// process, thread counts stated), per stage and end to end, in alternating rounds. Then the wasm profile
// (kernels per DiT block / decode step, ms per op type) and the memory plan.
//
//   npm run bench -- model-vs-torch
//   VLA_MOLMOACT2_REF=/path/to/molmoact2_ref  the reference package folder (holds molmoact2_hf_model/); unset:
//                                             the PyTorch column is skipped with a one-line message
//   VLA_TORCH_PYTHON=…/python                 a Python with torch (default: .venv-torch, made by scripts/setup-torch.sh)
//   VLA_BENCH_TORCH_THREADS=1,2               torch thread counts (default 1,2; tfjs wasm in Node runs 1 thread)
//   VLA_BENCH_SIZES=tiny,s100m,s360m          which checkpoints (default all)
//   VLA_BENCH_CPU=all                         also run the tfjs cpu backend on the large checkpoints (default tiny only)
//   VLA_BENCH_PROFILE=0                       skip the wasm profile
//   VLA_BENCH_CACHE=dir                       where generated checkpoints go (default node_modules/.cache/vla-model-vs-torch)
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { readPng } from "../src/io/index.js";
import { configFromJson, memoryPlan, releaseShapedConfig, type MolmoAct2, type Observation } from "../src/model/index.js";
import { useBackend, type BackendName } from "../src/nn/index.js";
import { HfTextTokenizer } from "../src/tokenizer/index.js";
import { ensureSnapshot, type Snapshot } from "./model-vs-torch/checkpoints.js";
import { fitRows, formatPlan, planRow } from "./model-vs-torch/memory-plan.js";
import { formatProfile, phaseWallMs, profileModel, type WasmProfile } from "./model-vs-torch/profile.js";
import { SIZE_100M, SIZE_LARGE, type SizeSpec } from "./model-vs-torch/sizes.js";
import { formatRows, stageRows, type StageRow } from "./model-vs-torch/table.js";
import { measureSize, type SizeMeasurement } from "./model-vs-torch/rounds.js";
import { findTorch } from "./model-vs-torch/torch-runner.js";

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = join(HERE, "..");
const FRAME = join(ROOT, "examples", "data", "g1-inspire-bottle", "frames", "ep1_cam_high_000195.png");
const TINY_RUNS: SizeSpec["runs"] = { continuous: 7, think: 5, discrete: 3, decodeTokens: 32 };

const log = (s: string) => console.log(s);

function envList(name: string, fallback: string[]): string[] {
  const v = process.env[name];
  return v ? v.split(",").map((s) => s.trim()).filter(Boolean) : fallback;
}

interface SizeRun {
  snapshot: Snapshot;
  runs: SizeSpec["runs"];
}

export async function run(): Promise<void> {
  const t0 = performance.now();
  const shared = resolve(process.env.VLA_SHARED_DIR ?? join(ROOT, "..", "shared"));
  const fixture = join(shared, "fixtures", "molmoact2-tiny");
  if (!existsSync(join(fixture, "model.safetensors"))) {
    console.log(`model-vs-torch: skipped: ${fixture} is missing (the tiny reference checkpoint, whose tokenizer and norm stats the generated ones reuse)`);
    return;
  }
  const golden = JSON.parse(readFileSync(join(fixture, "golden.json"), "utf8")) as { task_raw: string; state_raw: number[]; norm_tag: string };
  const frame = await readPng(FRAME);
  const obs: Observation = { images: [frame], task: golden.task_raw, state: golden.state_raw, normTag: golden.norm_tag };
  const sizes = envList("VLA_BENCH_SIZES", ["tiny", SIZE_100M.name, SIZE_LARGE.name]);
  const threads = envList("VLA_BENCH_TORCH_THREADS", ["1", "2"]).map(Number).filter((n) => n >= 1);
  const cpuAll = process.env.VLA_BENCH_CPU === "all";
  const profile = process.env.VLA_BENCH_PROFILE !== "0";
  const cacheDir = resolve(process.env.VLA_BENCH_CACHE ?? join(ROOT, "node_modules", ".cache", "vla-model-vs-torch"));

  log(`model-vs-torch: sizes ${sizes.join(", ")}; library wasm (1 thread: tfjs-wasm in Node has no threads) + cpu (${cpuAll ? "every size" : "tiny only"}); torch threads ${threads.join(", ")}`);
  const torch = findTorch(log);
  if (!torch.ok) log(`PyTorch column skipped: ${torch.reason}`);
  else log(`PyTorch: ${torch.env.torch} (${torch.env.python}); reference from ${torch.env.ref}`);

  // 1. checkpoints (generated once, before anything is timed)
  mkdirSync(cacheDir, { recursive: true });
  const plan: SizeRun[] = [];
  for (const name of sizes) {
    if (name === "tiny") {
      const tok = HfTextTokenizer.fromJson(readFileSync(join(fixture, "tokenizer.json"), "utf8"));
      const cfg = configFromJson(JSON.parse(readFileSync(join(fixture, "config.json"), "utf8")), (t) => tok.tokenToId(t));
      plan.push({ snapshot: { name: "tiny", about: "the reference fixture molmoact2-tiny", dir: fixture, params: memoryPlan(cfg).params, generated: false }, runs: TINY_RUNS });
      continue;
    }
    const spec = [SIZE_100M, SIZE_LARGE].find((s) => s.name === name);
    if (!spec) {
      log(`unknown size ${name} (tiny, ${SIZE_100M.name}, ${SIZE_LARGE.name}); skipped`);
      continue;
    }
    plan.push({ snapshot: await ensureSnapshot(spec, fixture, cacheDir, log), runs: spec.runs });
  }

  if (plan.length === 0) {
    log(`model-vs-torch: no checkpoint to run (VLA_BENCH_SIZES=${sizes.join(",")}); nothing written`);
    return;
  }

  // 2. timed rounds: per checkpoint every side (library backends, torch thread counts) in alternation
  const rows: StageRow[] = [];
  const results: Record<string, { snapshot: Snapshot; measurement: SizeMeasurement; profile?: WasmProfile }> = {};
  for (const { snapshot, runs } of plan) {
    log(`\n== ${snapshot.name}: ${(snapshot.params / 1e6).toFixed(1)} M parameters — ${snapshot.about}`);
    const backends: BackendName[] = snapshot.name === "tiny" || cpuAll ? ["wasm", "cpu"] : ["wasm"];
    if (!backends.includes("cpu")) log(`  [cpu] skipped for ${snapshot.name} (tfjs-cpu runs ~0.5 GFLOP/s: minutes per call; VLA_BENCH_CPU=all runs it)`);
    let prof: WasmProfile | undefined;
    const m = await measureSize({
      dir: snapshot.dir,
      runs,
      backends,
      ...(torch.ok ? { torch: { env: torch.env, threads, job: { image: FRAME, task: obs.task, state: golden.state_raw, norm_tag: golden.norm_tag } } } : {}),
      obs,
      log,
      ...(profile
        ? {
            afterPlain: async (model: MolmoAct2) => {
              log(`  [wasm] profiling one continuous + one discrete call (tf.profile)`);
              prof = await profileModel(model, obs, Math.min(8, runs.decodeTokens));
            },
          }
        : {}),
    });
    rows.push(...stageRows(snapshot.name, m));
    results[snapshot.name] = { snapshot, measurement: m, ...(prof ? { profile: prof } : {}) };
  }
  await useBackend("wasm");

  // 3. tables
  const columns = ["wasm", "cpu", ...threads.map((n) => `torch-${n}t`)].filter((c) => rows.some((r) => r.ms[c] !== undefined));
  const ratios = ["wasm", "cpu"].flatMap((b) => threads.map((n) => `${b}/torch-${n}t`)).filter((k) => rows.some((r) => r.ratio[k] !== undefined));
  log(`\n## model-vs-torch: ms per stage (median over rounds); ratio = torch ms / library ms, median of the per-round ratios (≥ 1.0× = the library is as fast or faster)`);
  for (const l of formatRows(rows, columns, ratios)) log(l);
  if (profile) {
    for (const [name, r] of Object.entries(results)) {
      const wasm = r.measurement.medians.wasm;
      if (r.profile) for (const l of ["", ...formatProfile(name, r.profile, wasm ? phaseWallMs(wasm) : {})]) log(l);
    }
  }
  const tok = HfTextTokenizer.fromJson(readFileSync(join(fixture, "tokenizer.json"), "utf8"));
  const planRows = [
    ...plan.map((p) => planRow(p.snapshot.name, configFromJson(JSON.parse(readFileSync(join(p.snapshot.dir, "config.json"), "utf8")), (t) => tok.tokenToId(t)))),
    planRow("release-shaped, expert 768", releaseShapedConfig(768)),
    planRow("release-shaped, expert 1024", releaseShapedConfig(1024)),
  ];
  const fits = fitRows();
  const measured = planRows.flatMap((row) => {
    const wasm = results[row.name]?.measurement.memory.wasm;
    return wasm
      ? [{ name: row.name, float32Bytes: row.float32Bytes, predictedHeldBytes: row.heldBytes, tensorBytesAfterLoad: wasm.tensorBytesAfterLoad, predictedWasmWeightBytes: row.wasmWeightBytes, heapBytesPeak: wasm.heapBytesPeak }]
      : [];
  });
  log("");
  for (const l of formatPlan(planRows, fits, measured)) log(l);
  log(`\nreleased-size GPU run (issue part 2): pending — no GPU machine was lent to this run; the memory plan above stands in for it`);

  const dir = join(HERE, "results");
  mkdirSync(dir, { recursive: true });
  const json = {
    suite: "model-vs-torch",
    date: new Date().toISOString(),
    machine: { cpus: os.cpus().length, cpu: os.cpus()[0]?.model, memGB: os.totalmem() / 1e9, node: process.version, platform: `${os.platform()}-${os.arch()}` },
    threads: { wasm: 1, cpu: 1, torch: threads },
    torch: torch.ok ? { version: torch.env.torch, python: torch.env.python } : { skipped: torch.reason },
    note: "ms = median over the timed rounds (each round: the same call on every side back to back); ratio = median over rounds of torch ms / library ms (≥ 1 = library as fast or faster); Think = first frame (100 codes decoded), <depth_end> forced after the codes on both sides; discrete = EOS banned, a fixed number of decode steps",
    rows,
    results,
    memoryPlan: { configs: planRows, fits, measured },
    gpu: "pending: no GPU machine lent",
    wallS: (performance.now() - t0) / 1e3,
  };
  writeFileSync(join(dir, "model-vs-torch.json"), JSON.stringify(json, null, 1));
  log(`wrote bench/results/model-vs-torch.json (${((performance.now() - t0) / 1e3).toFixed(0)} s in all)`);
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
