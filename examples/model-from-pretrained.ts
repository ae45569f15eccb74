/**
 * Open a Hugging Face MolmoAct2 snapshot and predict one chunk in each mode: continuous (flow expert),
 * discrete (OpenFAST tokens) and Think (adaptive depth, then the flow expert).
 *
 *   npx tsx examples/model-from-pretrained.ts [snapshot-dir] [cpu|wasm]
 *
 * Default snapshot: ../shared/fixtures/molmoact2-tiny (a tiny random checkpoint in the reference layout, with
 * goldens written by the reference's own predict_action). The camera frame and state come from the shipped
 * Unitree G1 episode; the tag is the snapshot's first norm_stats.json tag.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { readPng } from "../src/io/index.js";
import { MolmoAct2, type ActionPrediction } from "../src/model/index.js";
import type { BackendName } from "../src/nn/index.js";
import { loadFastPlus } from "../src/tokenizer/index.js";

const here = dirname(fileURLToPath(import.meta.url));
export const DEFAULT_SNAPSHOT = resolve(here, "..", "..", "shared", "fixtures", "molmoact2-tiny");

function summary(name: string, r: ActionPrediction): string {
  const t = r.timings;
  const head = r.ok ? `${r.actions.length}×${r.actions[0].length} actions, first: ${r.actions[0].slice(0, 4).map((v) => v.toFixed(3)).join(" ")} …` : `no actions: ${r.reason} (${r.message})`;
  return `[${name}] ${head}\n    vision ${t.visionMs.toFixed(1)} + prefill ${t.prefillMs.toFixed(1)} + depth ${t.depthMs.toFixed(1)} + expert ${t.expertMs.toFixed(1)} + decode ${t.decodeMs.toFixed(1)} = ${t.totalMs.toFixed(1)} ms`;
}

export async function runFromPretrained(dir = DEFAULT_SNAPSHOT, backend: BackendName = "wasm"): Promise<Record<string, ActionPrediction>> {
  if (!existsSync(join(dir, "config.json"))) throw new Error(`no MolmoAct2 snapshot at ${dir} (config.json missing): pass a folder, or put ../shared/fixtures beside the clone`);
  const fast = await loadFastPlus();
  let lastPct = -1;
  const model = await MolmoAct2.fromPretrained(dir, {
    backend,
    actionTokenizer: fast,
    onProgress: (p) => {
      const pct = p.totalBytes ? Math.floor((100 * p.loadedBytes) / p.totalBytes) : 100;
      if (p.phase === "done" || pct >= lastPct + 25) console.log(`  loading ${pct}% (${(p.loadedBytes / 2 ** 20).toFixed(1)} MiB)`);
      lastPct = pct;
    },
  });
  const tag = Object.keys(model.tags)[0];
  const data = join(here, "data", "g1-inspire-bottle");
  const episode = JSON.parse(readFileSync(join(data, "episode_000001.json"), "utf8")) as { state: number[][] };
  const frame = await readPng(join(data, "frames", "ep1_cam_high_000195.png"));
  const obs = { images: [frame], task: "Pick up the yellow bottle on the table.", state: episode.state[0].slice(0, model.tags[tag].stateStats?.q01.length), normTag: tag };
  console.log(`${dir}: ${Object.keys(model.tags).length} tag(s), using ${JSON.stringify(tag)} on ${backend}`);

  const out: Record<string, ActionPrediction> = {};
  out.continuous = await model.predictActions(obs, { mode: "continuous", seed: 0 });
  console.log(summary("continuous", out.continuous));
  out.discrete = await model.predictActions(obs, { mode: "discrete" });
  console.log(summary("discrete", out.discrete));
  model.dispose();

  if (model.config.enableDepthReasoning) {
    const think = await MolmoAct2.fromPretrained(dir, { think: true });
    out.think = await think.predictActions(obs, { seed: 0 });
    console.log(summary("think", out.think) + `\n    depth: ${out.think.trace.depth?.decodeSteps} decoded codes, ${out.think.trace.depth?.replayTokens} replayed`);
    think.dispose();
  }
  return out;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) await runFromPretrained(process.argv[2] ?? DEFAULT_SNAPSHOT, (process.argv[3] as BackendName | undefined) ?? "wasm");
