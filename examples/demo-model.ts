/**
 * `npm run demo` (model part): the tiny random-weight MolmoAct2 on a real camera frame (Unitree G1 +
 * Inspire hands, MIT, see examples/data/g1-inspire-bottle/frames/NOTICE.md). Prints the action chunk,
 * the control rate and what each stage cost, for continuous, discrete and Think.
 *
 *   npx tsx examples/demo-model.ts [cpu|wasm]
 */
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { readPng } from "../src/io/index.js";
import { computeStats } from "../src/normalize/index.js";
import { useBackend, type BackendName } from "../src/nn/index.js";
import { loadFastPlus } from "../src/tokenizer/index.js";
import { MolmoAct2, MolmoAct2Think, TINY, initRandomParams, type ActionPrediction, type Observation, type RgbImage, type TagConfig } from "../src/model/index.js";

const here = dirname(fileURLToPath(import.meta.url));
const DATA = join(here, "data", "g1-inspire-bottle");

export interface ModelDemoResult {
  backend: string;
  horizon: number;
  dim: number;
  continuous: ActionPrediction;
  discrete: ActionPrediction;
  think: ActionPrediction[];
}

function stages(r: ActionPrediction): string {
  const t = r.timings;
  const parts = [`vision ${t.visionMs.toFixed(1)}`, `prefill ${t.prefillMs.toFixed(1)}`];
  if (t.depthMs > 0) parts.push(`depth ${t.depthMs.toFixed(1)}`);
  if (t.expertMs > 0) parts.push(`expert/flow ${t.expertMs.toFixed(1)}`);
  if (t.decodeMs > 0) parts.push(`decode ${t.decodeMs.toFixed(1)}`);
  return `${parts.join(" + ")} = ${t.totalMs.toFixed(1)} ms`;
}

function rate(r: ActionPrediction, H: number): string {
  const hz = 1000 / r.timings.totalMs;
  return `${hz.toFixed(2)} chunks/s (Hz) → up to ${(hz * H).toFixed(0)} actions/s when each ${H}-step chunk is executed`;
}

/** The shipped G1 scene: frames 195/196, a one-second 30×26 tag with this episode's stats, observations at those frames. */
export async function loadG1Scene(): Promise<{
  episode: { state: number[][]; action: number[][]; fps: number };
  frames: RgbImage[];
  tag: TagConfig;
  obs: (i: number) => Observation;
}> {
  const episode = JSON.parse(readFileSync(join(DATA, "episode_000001.json"), "utf8")) as { state: number[][]; action: number[][]; fps: number };
  const frames = [await readPng(join(DATA, "frames", "ep1_cam_high_000195.png")), await readPng(join(DATA, "frames", "ep1_cam_high_000196.png"))];
  const tag: TagConfig = {
    setupType: "unitree g1 humanoid with inspire hands",
    controlMode: "absolute joint pose",
    actionHorizon: Math.min(episode.fps, TINY.maxActionHorizon), // one second at 30 fps
    actionDim: episode.action[0].length, // 26: 14 arm joints + 12 hand dims
    actionStats: computeStats(episode.action),
    stateStats: computeStats(episode.state),
  };
  const task = "Pick up the yellow bottle on the table.";
  const obs = (i: number): Observation => ({ images: [frames[i]], task, state: episode.state[195 + i] });
  return { episode, frames, tag, obs };
}

/** Run the demo on the wasm backend (or `backend`); prints a report and returns the raw results. */
export async function runModelDemo(backend: BackendName = "wasm"): Promise<ModelDemoResult> {
  await useBackend(backend);
  const { frames, tag, obs } = await loadG1Scene();
  const H = tag.actionHorizon;
  const D = tag.actionDim;
  console.log(`MolmoAct2 tiny (random weights, seed 0) on ${backend}: ${frames[0].width}×${frames[0].height} frame → ${H}×${D} chunk`);

  const model = new MolmoAct2({ config: TINY, params: initRandomParams(TINY, 0), tags: { g1: tag }, actionTokenizer: await loadFastPlus() });
  await model.predictActions(obs(0), { seed: 0 }); // warm-up (kernel setup, XNNPACK packing)
  const continuous = await model.predictActions(obs(0), { seed: 0 });
  if (continuous.ok) {
    console.log("\n[continuous] flow expert, 10 Euler steps; first 3 actions, first 6 dims (robot units):");
    for (const row of continuous.actions.slice(0, 3)) console.log("  " + row.slice(0, 6).map((v) => v.toFixed(3).padStart(7)).join(" "));
    console.log(`  stages: ${stages(continuous)}`);
    console.log(`  control rate: ${rate(continuous, H)}`);
  }
  const discrete = await model.predictActions(obs(0), { mode: "discrete", maxNewTokens: 64 });
  console.log("\n[discrete] greedy OpenFAST tokens (FAST+ vocabulary):");
  console.log(discrete.ok ? `  ${discrete.tokens?.length} tokens decoded` : `  no action: ${discrete.reason} (${discrete.message}) — expected from random weights`);
  console.log(`  stages: ${stages(discrete)}`);
  model.dispose();

  const thinkModel = new MolmoAct2Think({ config: TINY, params: initRandomParams(TINY, 0), tags: { g1: tag } });
  const think: ActionPrediction[] = [];
  console.log("\n[think] adaptive depth (forceDepthEnd: random weights do not emit <depth_end>):");
  for (const i of [0, 1, 1]) {
    const r = await thinkModel.predictActions(obs(i), { seed: 0, forceDepthEnd: true });
    think.push(r);
    const d = r.trace.depth;
    console.log(`  frame ${195 + i}: ${d?.full ? "first frame, full" : "selective"}: ${d?.decodeSteps} decode steps, ${d?.replayTokens} replayed codes; ${stages(r)}; ${(1000 / r.timings.totalMs).toFixed(2)} Hz`);
  }
  thinkModel.dispose();
  return { backend, horizon: H, dim: D, continuous, discrete, think };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) await runModelDemo((process.argv[2] as BackendName | undefined) ?? "wasm");
