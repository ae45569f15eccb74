// The demo's computation, shared by the page (main.js) and the Node test that checks the page: the same
// inputs, the same library calls, plain JSON-able numbers out. It takes the library's module faces as
// arguments (`mods.core`, `mods.depth`, `mods.tokenizer`, `mods.normalize`, `mods.model`), so it runs on the
// built `dist/` in a browser (through the import map) and in Node alike. Decoding the PNG frames and reading
// the episode file is the caller's job (canvas in the page, pngjs in Node): both give the same RGB bytes.
//
// Steps, on the shipped Unitree G1 scene (examples/data/g1-inspire-bottle, MIT):
// (1) the depth module's changed 10×10 cells between camera frames 195 and 196;
// (2) the recorded one-second action chunk from frame 195 (30 × 26), normalised with the episode's q01/q99,
//     FAST+ encoded and decoded back (round-trip error in normalised and in robot units);
// (3) a policy predicts a chunk from frame 195, the task text and the recorded state: the tiny MolmoAct2
//     (`TINY`, random seeded weights: the right shapes and data flow, not a trained policy) or a model the
//     caller opened (a Hugging Face snapshot through `MolmoAct2.fromPretrained`).

/** Inputs of the demo (change them and both sides change together). */
export const DEMO = {
  seed: 7,
  task: "Pick up the yellow bottle on the table.",
  /** Episode frame of the current camera image (and of the state and the recorded chunk). */
  frame: 195,
  framesDir: "examples/data/g1-inspire-bottle/frames",
  frameFiles: ["ep1_cam_high_000195.png", "ep1_cam_high_000196.png"],
  episodeFile: "examples/data/g1-inspire-bottle/episode_000001.json",
  /** One second at 30 fps: the tiny model's horizon and the FAST+ chunk. */
  horizon: 30,
};

/** Unit of a G1 + Inspire dim (the dataset's NOTICE: 14 arm joints in rad, then 12 hand dims in 0..1). */
export function unitOf(name) {
  return /Hand/.test(name) ? "0–1" : "rad";
}

/** Short joint label: `kLeftShoulderPitch` → `L shoulder pitch`, `kRightHandThumbBend` → `R hand thumb bend`. */
export function jointLabel(name) {
  const words = String(name).replace(/^k(?=[A-Z])/, "").split(/(?=[A-Z])/);
  if (words[0] === "Left" || words[0] === "Right") words[0] = words[0][0];
  return words.map((w, i) => (i === 0 ? w : w.toLowerCase())).join(" ");
}

/** The embodiment tag of the shipped episode: its own action/state statistics, a one-second horizon. */
export function g1Tag(mods, episode, horizon = DEMO.horizon) {
  return {
    setupType: "unitree g1 humanoid with inspire hands",
    controlMode: "absolute joint pose",
    actionHorizon: horizon,
    actionDim: episode.action[0].length,
    actionStats: mods.normalize.computeStats(episode.action),
    stateStats: mods.normalize.computeStats(episode.state),
  };
}

const now = () => (globalThis.performance ? performance.now() : Date.now());

/** Changed depth cells between two RGB images (`changedCells`, the depth module's one-shot API). */
export function depthChange(mods, prev, curr) {
  const t0 = now();
  const c = mods.depth.changedCells(prev, curr);
  const ms = now() - t0;
  const mask = Array.from(c.mask);
  return {
    grid: 10,
    mask,
    changed: mask.flatMap((v, k) => (v ? [k] : [])),
    changedCount: c.changedCount,
    minCosine: c.cosine ? Math.min(...c.cosine) : null,
    ms,
  };
}

/** FAST+ tokens of the recorded chunk `episode.action[start .. start+horizon)` and the round-trip error. */
export function trajectoryTokens(mods, fastPlus, episode, start = DEMO.frame, horizon = DEMO.horizon) {
  const raw = episode.action.slice(start, start + horizon);
  const stats = mods.normalize.computeStats(episode.action);
  const normalized = mods.normalize.normalize(raw, stats);
  const dim = raw[0].length;
  let t0 = now();
  const tokens = fastPlus.encode(normalized);
  const encodeMs = now() - t0;
  t0 = now();
  const back = fastPlus.decode(tokens, { horizon, dim });
  const decodeMs = now() - t0;
  const out = { start, horizon, dim, tokens, numTokens: tokens.length, values: horizon * dim, encodeMs, decodeMs, ok: back.ok };
  if (!back.ok) return { ...out, reason: back.reason, message: back.message ?? "" };
  // error in normalised units (what FAST+ quantises) and, per dim, in robot units (rad / 0..1)
  const robot = mods.normalize.unnormalize(back.actions, stats);
  let maxNormalized = 0;
  const maxRobot = new Array(dim).fill(0);
  for (let t = 0; t < horizon; t++) {
    for (let d = 0; d < dim; d++) {
      // decode, normalize and unnormalize return ndarray views [horizon, dim]: read them with get(t, d)
      maxNormalized = Math.max(maxNormalized, Math.abs(back.actions.get(t, d) - normalized.get(t, d)));
      maxRobot[d] = Math.max(maxRobot[d], Math.abs(robot.get(t, d) - raw[t][d]));
    }
  }
  return { ...out, roundTripMaxAbsError: maxNormalized, roundTripMaxAbsErrorRobot: maxRobot };
}

/** Build the tiny random-weight MolmoAct2 for the G1 tag (caller disposes). */
export function tinyModel(mods, episode, seed = DEMO.seed) {
  const { MolmoAct2, TINY, initRandomParams } = mods.model;
  return new MolmoAct2({ config: TINY, params: initRandomParams(TINY, seed), tags: { g1: g1Tag(mods, episode, Math.min(DEMO.horizon, TINY.maxActionHorizon)) } });
}

/**
 * One chunk from `model` on `image`: the tag is `normTag` (default: the model's only/first tag); the state is
 * the episode's state at `DEMO.frame` when its dims match the tag, else the middle of the tag's state range.
 */
export async function predictChunk(model, image, episode, opts = {}) {
  const normTag = opts.normTag ?? Object.keys(model.tags)[0];
  const tag = model.tags[normTag];
  const recordedState = episode.state[DEMO.frame];
  const stateDim = tag.stateStats?.q01.length ?? 0;
  const stateFromEpisode = stateDim === recordedState.length;
  const state = stateFromEpisode ? recordedState : (tag.stateStats?.q01 ?? []).map((lo, d) => (lo + tag.stateStats.q99[d]) / 2);
  const predictOpts = { seed: opts.seed ?? DEMO.seed };
  if (opts.noise) predictOpts.noise = opts.noise;
  const r = await model.predictActions({ images: [image], task: opts.task ?? DEMO.task, state, normTag }, predictOpts);
  if (!r.ok) return { ok: false, reason: r.reason, message: r.message, normTag };
  return {
    ok: true,
    normTag,
    horizon: r.actions.length,
    dim: r.actions[0].length,
    stateFromEpisode,
    actions: r.actions,
    normalized: r.normalized,
    timings: r.timings,
    trace: { promptTokens: r.trace.promptTokens, imageTokens: r.trace.imageTokens, flowSteps: r.trace.flowSteps },
  };
}

/**
 * Run the demo. `mods`: `{ core, depth, tokenizer, normalize, model }` (module namespaces); `fastPlus`: an
 * OpenFastTokenizer (FAST+); `scene`: `{ frames: [rgb195, rgb196], episode }`; `opts.model`: a model to use
 * instead of the tiny random one (not disposed here).
 */
export async function runPipeline(mods, fastPlus, scene, opts = {}) {
  const seed = opts.seed ?? DEMO.seed;
  const { frames, episode } = scene;
  const depth = depthChange(mods, frames[0], frames[1]);
  const trajectory = trajectoryTokens(mods, fastPlus, episode);
  const model = opts.model ?? tinyModel(mods, episode, seed);
  let policy;
  try {
    const t0 = now();
    const chunk = await predictChunk(model, frames[0], episode, { seed, task: opts.task });
    policy = { kind: opts.model ? "snapshot" : "MolmoAct2-tiny", label: opts.label ?? "tiny MolmoAct2 (TINY config, random weights initRandomParams(TINY, seed))", seed, wallMs: now() - t0, ...chunk };
  } finally {
    if (!opts.model) model.dispose();
  }
  const h = policy.ok ? policy.horizon : 0;
  return {
    ok: true,
    seed,
    task: opts.task ?? DEMO.task,
    frame: DEMO.frame,
    image: { width: frames[0].width, height: frames[0].height },
    depth,
    trajectory,
    policy,
    names: episode.action_names ?? null,
    recorded: episode.action.slice(DEMO.frame, DEMO.frame + h),
    fps: episode.fps,
  };
}
