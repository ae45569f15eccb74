/**
 * MolmoAct2 in a few lines: a tiny random-weight model (the `TINY` config) predicts one action chunk
 * for a synthetic camera image, in continuous mode (flow expert) and with MolmoAct2-Think.
 *
 *   npx tsx examples/model-basic.ts
 */
import { pathToFileURL } from "node:url";
import { useBackend } from "../src/nn/index.js";
import { MolmoAct2, MolmoAct2Think, TINY, initRandomParams, type TagConfig } from "../src/model/index.js";

export async function runModelBasic(): Promise<{ actions: number[][]; thinkDecodeSteps: number[] }> {
  await useBackend("wasm");
  // One embodiment: 6 joints + gripper (the gripper passes through normalisation), 10-step chunks.
  const tag: TagConfig = {
    setupType: "single so100/so101 robotic arm in molmoact2",
    controlMode: "absolute joint pose",
    actionHorizon: 10,
    actionDim: 7,
    actionStats: { q01: [-2, -2, -2, -2, -2, -2, 0], q99: [2, 2, 2, 2, 2, 2, 1], mask: [true, true, true, true, true, true, false] },
    stateStats: { q01: [-2, -2, -2, -2, -2, -2, 0], q99: [2, 2, 2, 2, 2, 2, 1] },
  };
  const image = { data: new Uint8Array(96 * 64 * 3).map((_, i) => (i * 37) % 251), width: 96, height: 64, channels: 3 as const };
  const obs = { images: [image], task: "Pick up the red cube.", state: [0.1, -0.4, 0.2, 0, 0.3, -0.1, 0.5] };

  const model = new MolmoAct2({ config: TINY, params: initRandomParams(TINY, 0), tags: { so101: tag } });
  const r = await model.predictActions(obs, { mode: "continuous", numSteps: 10, seed: 0 });
  if (!r.ok) throw new Error(r.message);
  console.log(`continuous: ${r.actions.length}×${r.actions[0].length} actions in ${r.timings.totalMs.toFixed(0)} ms`);
  console.log("first action:", r.actions[0].map((v) => v.toFixed(3)).join(" "));
  model.dispose();

  // Think: the first frame decodes all 100 depth codes, an unchanged frame replays them (0 decode steps).
  const think = new MolmoAct2Think({ config: TINY, params: initRandomParams(TINY, 0), tags: { so101: tag } });
  const steps: number[] = [];
  for (let i = 0; i < 2; i++) {
    const t = await think.predictActions(obs, { seed: 0, forceDepthEnd: true }); // random weights never emit <depth_end>
    steps.push(t.trace.depth?.decodeSteps ?? -1);
  }
  console.log(`think: depth decode steps per call = ${steps.join(", ")}`);
  think.reset(); // new episode
  think.dispose();
  return { actions: r.actions, thinkDecodeSteps: steps };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) await runModelBasic();
