// MolmoAct2 tiny config: control rate (chunks/s = Hz) per mode on the cpu and wasm backends.
// `npm run bench -- model`   (random weights; real 640×480 frames from examples/data, MIT)
import * as tf from "@tensorflow/tfjs-core";
import { normalize } from "../src/normalize/index.js";
import { useBackend, type BackendName } from "../src/nn/index.js";
import { loadFastPlus } from "../src/tokenizer/index.js";
import { MolmoAct2, MolmoAct2Think, TINY, initRandomParams, type ActionPrediction } from "../src/model/index.js";
import { loadG1Scene } from "../examples/demo-model.js";
import { measure, report, type BenchRow } from "./lib.js";

function stageExtra(r: ActionPrediction): Record<string, number> {
  const t = r.timings;
  return { visionMs: t.visionMs, prefillMs: t.prefillMs, depthMs: t.depthMs, expertMs: t.expertMs, decodeMs: t.decodeMs, promptTokens: r.trace.promptTokens };
}

export async function run(): Promise<void> {
  const { episode: ep, tag, obs } = await loadG1Scene();
  const H = tag.actionHorizon;
  const fast = await loadFastPlus();
  // a realistic discrete answer: the FAST+ tokens of the episode's normalised 30-step chunk, forced through the greedy loop
  const bpe = fast.encode(normalize(ep.action.slice(195, 195 + H), tag.actionStats));
  const rows: BenchRow[] = [];
  for (const backend of ["wasm", "cpu"] as BackendName[]) {
    await useBackend(backend);
    const slow = backend === "cpu";
    const opt = { minMs: slow ? 1 : 3000, minRuns: slow ? 2 : 5, warmup: 1 };
    const model = new MolmoAct2({ config: TINY, params: initRandomParams(TINY, 0), tags: { g1: tag }, actionTokenizer: fast });
    const table = model.table;
    const forced = [table.ids.actionStart, ...bpe.map((b) => table.actionToken(b)), table.ids.actionEnd, table.ids.imEnd];
    let last: ActionPrediction | null = null;
    const cont = await measure(`${backend} continuous (10 Euler steps)`, "chunk", async () => (last = await model.predictActions(obs(0), { seed: 0 })), opt);
    cont.extra = stageExtra(last as unknown as ActionPrediction);
    rows.push(cont);
    const disc = await measure(`${backend} discrete (${forced.length} tokens, forced FAST+ answer)`, "chunk", async () => {
      last = await model.predictActions(obs(0), { mode: "discrete", logitsProcessor: (l, g) => (l.fill(-1e9), (l[forced[g.length]] = 0)) });
    }, opt);
    disc.extra = stageExtra(last as unknown as ActionPrediction);
    rows.push(disc);
    model.dispose();
    const think = new MolmoAct2Think({ config: TINY, params: initRandomParams(TINY, 0), tags: { g1: tag } });
    const first = await measure(`${backend} think, first frame (100 depth decode steps)`, "chunk", async () => {
      think.reset();
      last = await think.predictActions(obs(0), { seed: 0, forceDepthEnd: true });
    }, { ...opt, warmup: 1 });
    first.extra = stageExtra(last as unknown as ActionPrediction);
    rows.push(first);
    let k = 0;
    const alt = await measure(`${backend} think, alternating frames 195/196 (selective)`, "chunk", async () => {
      last = await think.predictActions(obs(k++ & 1), { seed: 0, forceDepthEnd: true });
    }, opt);
    alt.extra = { ...stageExtra(last as unknown as ActionPrediction), decodeSteps: (last as unknown as ActionPrediction).trace.depth?.decodeSteps ?? -1 };
    rows.push(alt);
    const same = await measure(`${backend} think, unchanged frame (0 decode steps, 100-code replay)`, "chunk", async () => {
      last = await think.predictActions(obs(0), { seed: 0, forceDepthEnd: true });
    }, opt);
    same.extra = stageExtra(last as unknown as ActionPrediction);
    rows.push(same);
    think.dispose();
    if (tf.memory().numTensors > 50) console.warn(`tensors alive after ${backend}: ${tf.memory().numTensors}`);
  }
  report("model", rows, { note: "tiny config, random weights; Hz = chunks/s; extra = stage ms of the last run" });
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
