// The demo's computation, shared by the page (main.js) and the Node test that checks the page:
// same seed, same inputs, same library calls. It takes the library's module faces as arguments
// (`mods.core`, `mods.depth`, `mods.tokenizer`, `mods.model`, `mods.flow`), so it runs on the
// built `dist/` in a browser (through the import map) and in Node alike.
//
// Steps: (1) two synthetic camera frames where an object moves → depth module's changed 10×10
// cells; (2) the tiny MolmoAct2 (random weights, seeded) predicts a 10-step action chunk from
// the current frame, task text and state (falls back to the flow sampler when the model module
// is missing); (3) a smooth one-second trajectory is tokenized with FAST+ and decoded back.

/** Inputs of the demo (change them and both sides change together). */
export const DEMO = {
  seed: 7,
  width: 160,
  height: 120,
  actionDim: 7,
  horizon: 10,
  flowSteps: 5,
  task: "pick cube",
  trajectory: { horizon: 30, dim: 7 },
};

/** Two RGB frames (Uint8 HWC): a textured table and a red cube that moves right and down. */
export function makeFrames(core, seed = DEMO.seed, width = DEMO.width, height = DEMO.height) {
  const rng = new core.Rng(seed);
  const base = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      const n = rng.int(12);
      base[i] = 90 + ((x * 60) / width) + n;
      base[i + 1] = 110 + ((y * 50) / height) + n;
      base[i + 2] = 140 + n;
    }
  }
  const draw = (cx, cy) => {
    const img = base.slice();
    for (let y = cy; y < cy + 22; y++) {
      for (let x = cx; x < cx + 22; x++) {
        const i = (y * width + x) * 3;
        img[i] = 220;
        img[i + 1] = 40;
        img[i + 2] = 35;
      }
    }
    return { data: img, width, height, channels: 3 };
  };
  return { prev: draw(30, 40), curr: draw(62, 52) };
}

/** A smooth one-second trajectory in [-1, 1] (`[horizon][dim]`), the kind FAST compresses well. */
export function demoTrajectory(horizon = DEMO.trajectory.horizon, dim = DEMO.trajectory.dim) {
  return Array.from({ length: horizon }, (_, t) =>
    Array.from({ length: dim }, (_, d) => Math.round(1e6 * 0.8 * Math.sin((2 * Math.PI * t) / horizon + d * 0.7) * (d % 2 ? 0.5 : 1)) / 1e6),
  );
}

function tag(D, H) {
  return {
    setupType: "arm",
    controlMode: "joint",
    actionHorizon: H,
    actionDim: D,
    actionStats: { q01: Array(D).fill(-1), q99: Array(D).fill(1) },
    stateStats: { q01: Array(D).fill(-1), q99: Array(D).fill(1) },
  };
}

/**
 * Run the demo. `mods`: `{ core, depth, tokenizer, model?, flow? }` (module namespaces);
 * `fastPlus`: an OpenFastTokenizer (FAST+). Returns plain JSON-able numbers.
 */
export async function runPipeline(mods, fastPlus, opts = {}) {
  const seed = opts.seed ?? DEMO.seed;
  const now = () => (globalThis.performance ? performance.now() : Date.now());
  const timings = {};
  let t0 = now();
  const { prev, curr } = makeFrames(mods.core, seed);
  const change = mods.depth.changedCells(prev, curr);
  timings.depthMs = now() - t0;

  t0 = now();
  const traj = demoTrajectory();
  const tokens = fastPlus.encode(traj);
  const back = fastPlus.decode(tokens, { horizon: traj.length, dim: traj[0].length });
  let roundTripMaxAbsError = null;
  if (back.ok) {
    roundTripMaxAbsError = 0;
    traj.forEach((row, t) => row.forEach((v, d) => (roundTripMaxAbsError = Math.max(roundTripMaxAbsError, Math.abs(back.actions[t][d] - v)))));
  }
  timings.tokenizeMs = now() - t0;

  t0 = now();
  const D = DEMO.actionDim;
  const H = DEMO.horizon;
  let policy;
  let chunk;
  let normalized;
  if (mods.model && mods.model.MolmoAct2) {
    const m = new mods.model.MolmoAct2({ config: mods.model.TINY, params: mods.model.initRandomParams(mods.model.TINY, seed), tags: { demo: tag(D, H) } });
    try {
      const state = Array.from({ length: D }, (_, d) => Math.round(100 * Math.sin(d)) / 100);
      const r = await m.predictActions({ images: [curr], task: DEMO.task, state }, { seed, numSteps: DEMO.flowSteps });
      if (!r.ok) throw new Error(`MolmoAct2.predictActions failed: ${r.reason}: ${r.message}`);
      chunk = r.actions;
      normalized = r.normalized;
      policy = { kind: "MolmoAct2-tiny", config: "TINY", params: "initRandomParams(TINY, seed)", flowSteps: r.trace.flowSteps, imageTokens: r.trace.imageTokens, promptTokens: r.trace.promptTokens, timings: r.timings };
    } finally {
      if (typeof m.dispose === "function") m.dispose();
    }
  } else if (mods.flow && mods.flow.sample) {
    const mu = Array.from({ length: D }, (_, d) => Math.sin(d) * 0.5);
    const sigma = Array.from({ length: D }, () => 0.2);
    const x = await mods.flow.sample(mods.flow.gaussianVelocity(mu, sigma), { horizon: H, actionDim: D, seed, numSteps: 10 });
    const flat = Array.from(await x.data());
    x.dispose();
    chunk = Array.from({ length: H }, (_, t) => flat.slice(t * D, (t + 1) * D));
    normalized = chunk;
    policy = { kind: "flow-gaussian", flowSteps: 10 };
  } else {
    throw new Error("neither the model nor the flow module is available in dist/");
  }
  timings.policyMs = now() - t0;

  return {
    ok: true,
    seed,
    image: { width: curr.width, height: curr.height },
    depth: { grid: 10, mask: Array.from(change.mask), changedCount: change.changedCount, changed: Array.from(change.mask).flatMap((v, k) => (v ? [k] : [])) },
    trajectory: { horizon: traj.length, dim: traj[0].length, tokens, numTokens: tokens.length, roundTripMaxAbsError },
    policy,
    chunk,
    normalized,
    timings,
  };
}
