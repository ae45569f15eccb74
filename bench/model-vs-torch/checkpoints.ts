// Random MolmoAct2 snapshots in the reference layout, generated once into a cache folder by this library
// (initRandomParams + exportParams + writeSafetensors) and read back by both sides: MolmoAct2.fromPretrained here,
// MolmoAct2ForConditionalGeneration.from_pretrained in the reference.
import { createHash } from "node:crypto";
import { copyFileSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { writeSafetensors } from "../../src/io/index.js";
import { configFromJson, exportParams, initRandomParams, memoryPlan } from "../../src/model/index.js";
import { disposeParams, useBackend } from "../../src/nn/index.js";
import { HfTextTokenizer } from "../../src/tokenizer/index.js";
import { sizedConfigJson, sizedProcessorJson, type SizeSpec } from "./sizes.js";

/** One checkpoint folder the bench runs. */
export interface Snapshot {
  name: string;
  about: string;
  dir: string;
  /** Parameters as this library counts them (float32). */
  params: number;
  /** True when this run wrote it (false: the fixture, or found in the cache). */
  generated: boolean;
}

/** Bump when the generated layout changes, so stale cache folders are not reused. */
const LAYOUT_VERSION = 1;
const SEED = 0;
const COPIED = ["tokenizer.json", "norm_stats.json"];

const readJson = (path: string) => JSON.parse(readFileSync(path, "utf8")) as Record<string, unknown>;
const fmtGb = (b: number) => `${(b / 1e9).toFixed(2)} GB`;

/**
 * The snapshot of `spec` under `cacheDir` (`<name>-<hash of the config>`), written first if missing: the
 * fixture's config.json / processor_config.json with the spec's shapes, its tokenizer.json and norm_stats.json,
 * and seeded random float32 weights in the reference names and orientations. Generation runs on the cpu
 * backend (typed arrays outside the wasm heap, which must stay free for the timed model).
 */
export async function ensureSnapshot(spec: SizeSpec, fixtureDir: string, cacheDir: string, log: (s: string) => void): Promise<Snapshot> {
  const configJson = sizedConfigJson(readJson(join(fixtureDir, "config.json")), spec);
  const processorJson = sizedProcessorJson(readJson(join(fixtureDir, "processor_config.json")), spec);
  const tokenizerJson = readFileSync(join(fixtureDir, "tokenizer.json"), "utf8");
  const tokenizer = HfTextTokenizer.fromJson(tokenizerJson);
  const cfg = configFromJson(configJson, (t) => tokenizer.tokenToId(t));
  const plan = memoryPlan(cfg);
  const key = createHash("sha256")
    .update(JSON.stringify({ LAYOUT_VERSION, SEED, configJson, processorJson }))
    .update(tokenizerJson)
    .digest("hex")
    .slice(0, 10);
  const dir = join(cacheDir, `${spec.name}-${key}`);
  const snapshot = { name: spec.name, about: spec.about, dir, params: plan.params };
  if (existsSync(join(dir, "model.safetensors")) && existsSync(join(dir, "done.json"))) {
    log(`${spec.name}: cached ${dir} (${(plan.params / 1e6).toFixed(1)} M parameters)`);
    return { ...snapshot, generated: false };
  }
  log(`${spec.name}: generating ${(plan.params / 1e6).toFixed(1)} M random parameters (${fmtGb(plan.float32Bytes)} float32) into ${dir}`);
  const tmp = `${dir}.partial`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  await useBackend("cpu");
  let t = performance.now();
  const params = initRandomParams(cfg, SEED);
  log(`${spec.name}: random init ${((performance.now() - t) / 1e3).toFixed(1)} s`);
  t = performance.now();
  let tensors: Awaited<ReturnType<typeof exportParams>>;
  try {
    tensors = await exportParams(params, cfg);
  } finally {
    disposeParams(params);
  }
  const bytes = writeSafetensors(tensors, { format: "pt" });
  writeFileSync(join(tmp, "model.safetensors"), bytes);
  log(`${spec.name}: wrote model.safetensors (${fmtGb(bytes.byteLength)}) in ${((performance.now() - t) / 1e3).toFixed(1)} s`);
  writeFileSync(join(tmp, "config.json"), JSON.stringify(configJson, null, 2));
  writeFileSync(join(tmp, "processor_config.json"), JSON.stringify(processorJson, null, 2));
  for (const f of COPIED) copyFileSync(join(fixtureDir, f), join(tmp, f));
  writeFileSync(join(tmp, "done.json"), JSON.stringify({ spec, seed: SEED, params: plan.params, generator: "bench/model-vs-torch/checkpoints.ts" }, null, 2));
  rmSync(dir, { recursive: true, force: true });
  renameSync(tmp, dir);
  return { ...snapshot, generated: true };
}
