/**
 * Flow-matching sampling two ways:
 * 1. an analytic velocity field (Gaussian data, exact flow known) — the sampler lands on μ, σ;
 * 2. the MolmoAct2 action expert on a (random, tiny) VLM KV cache: prepare the context once, 10 Euler steps.
 *
 *   npx tsx examples/flow-basic.ts
 */
import * as tf from "@tensorflow/tfjs-core";
import { Rng } from "../src/core/index.js";
import { gaussianVelocity, sample } from "../src/flow/index.js";
import { disposeParams, useBackend } from "../src/nn/index.js";
import { ActionExpert, type ExpertModelConfig } from "../src/model/index.js";
import { MOLMOACT2_TOKENS } from "../src/vocab/index.js";

export async function flowBasic(): Promise<{ mean: number[]; std: number[]; actions: number[][] }> {
  await useBackend("wasm");

  // 1. Gaussian target: a ~ N(μ, σ²) per dim; the exact velocity is known, Heun with 10 steps is nearly exact
  const mu = [0.5, -1], sigma = [0.2, 0.7];
  const x = await sample(gaussianVelocity(mu, sigma), { horizon: 4000, actionDim: 2, numSteps: 10, method: "heun", seed: 1 });
  const d = Array.from(await x.data());
  x.dispose();
  const mean = [0, 1].map((j) => d.filter((_, i) => i % 2 === j).reduce((a, b) => a + b, 0) / 4000);
  const std = [0, 1].map((j) => Math.sqrt(d.filter((_, i) => i % 2 === j).reduce((a, b) => a + (b - mean[j]) ** 2, 0) / 4000));

  // 2. The action expert (seeded init: zero output until trained — load real weights with new ActionExpert(cfg, params)).
  //    Its config is the model's: the reference action_expert_config, the VLM's KV layout, the action width, the gate.
  const cfg: ExpertModelConfig = {
    expert: { hiddenSize: 64, numLayers: 2, numHeads: 4, mlpRatio: 8 / 3, ffnMultipleOf: 256, timestepEmbedDim: 256, contextLayerNorm: true, qkNorm: true, qkNormEps: 1e-6, rope: true },
    text: { numKeyValueHeads: 2, headDim: 16 },
    maxActionDim: 32,
    depthGate: "none",
  };
  const expert = ActionExpert.init(cfg, new Rng(0));
  const T = 12;
  const r = new Rng(2);
  const perLayerKV = Array.from({ length: 2 }, () => ({
    k: tf.tensor3d(r.normals(T * 2 * 16), [T, 2, 16]), // [T, n_kv, hd_llm]: the VLM's cache of layer l
    v: tf.tensor3d(r.normals(T * 2 * 16), [T, 2, 16]),
  }));
  const tokenIds = Array.from({ length: T }, (_, i) => 1000 + i);
  tokenIds[0] = MOLMOACT2_TOKENS.ids.imEnd; // BOS (= EOS) is hidden from the expert
  const ctx = expert.prepareContext(perLayerKV, tokenIds); // once per chunk: projected K/V, masks, tables
  const traj = await sample((xx, t) => expert.velocity(xx as tf.Tensor2D, t, ctx), {
    horizon: 10, // LIBERO: 10 steps of 7 dims, padded to the expert's 32
    actionDim: 32,
    validDims: 7,
    numSteps: 10,
    seed: 3,
  });
  const actions = (await traj.array()) as number[][];
  tf.dispose([traj, ...perLayerKV.flatMap((l) => [l.k, l.v])]);
  ctx.dispose();
  disposeParams(expert.params);
  return { mean, std, actions: actions.map((row) => row.slice(0, 7)) };
}

const isMain = process.argv[1]?.endsWith("flow-basic.ts");
if (isMain) {
  const r = await flowBasic();
  console.log(`Gaussian: mean ${r.mean.map((v) => v.toFixed(3))} (μ 0.5, −1), std ${r.std.map((v) => v.toFixed(3))} (σ 0.2, 0.7)`);
  console.log(`expert chunk: ${r.actions.length} × ${r.actions[0].length}; first row ${r.actions[0].map((v) => v.toFixed(3)).join(", ")}`);
}
