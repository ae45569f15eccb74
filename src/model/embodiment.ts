import { checkInt, describe, fail, roundHalfEven, toVector, type Chunk, type ChunkInput, type VectorInput } from "../core/index.js";
import { allStatsFromMolmoAct2, checkStats, embodimentPreset, unnormalize, type NormStats } from "../normalize/index.js";

/**
 * What the model needs to know about one embodiment tag (a `norm_stats.json` entry): the prompt strings,
 * the chunk length H, how many rows to return, the native action width D (≤ the expert's padded width) and
 * the q01/q99 statistics of actions and states (`mask` false = pass-through, e.g. grippers).
 */
export interface TagConfig {
  setupType: string;
  controlMode: string;
  /** Action chunk length H the model generates. */
  actionHorizon: number;
  /** Rows returned per call (`n_action_steps`, ≤ H; default H). */
  nActionSteps?: number;
  /** Native action dimension D. */
  actionDim: number;
  actionStats: NormStats;
  /** Absent: the state is taken as already normalised (the reference then skips normalisation). */
  stateStats?: NormStats;
}

/**
 * A {@link TagConfig} from one of the normalize module's MolmoAct2 presets (setup / control strings and
 * horizon) plus dataset statistics.
 */
export function tagFromPreset(preset: string, stats: { actionStats: NormStats; stateStats?: NormStats; actionHorizon?: number }): TagConfig {
  const p = embodimentPreset(preset);
  return {
    setupType: p.setupType,
    controlMode: p.controlMode,
    actionHorizon: stats.actionHorizon ?? p.actionHorizon,
    actionDim: stats.actionStats.q01.length,
    actionStats: stats.actionStats,
    ...(stats.stateStats ? { stateStats: stats.stateStats } : {}),
  };
}

/**
 * Every tag of a MolmoAct2 `norm_stats.json` (text or object) as a {@link TagConfig}. Only `norm_mode:
 * "q01_q99"` (the releases') is implemented; another mode is an error naming the field. The horizon defaults
 * to `maxActionHorizon` and `n_action_steps` to the horizon, as the reference's `predict_action` does.
 */
export function tagsFromNormStats(input: string | object, maxActionHorizon: number): Record<string, TagConfig> {
  const fn = "tagsFromNormStats";
  const out: Record<string, TagConfig> = {};
  for (const s of allStatsFromMolmoAct2(input)) {
    if (s.normMode !== "q01_q99") fail(fn, "norm_stats.json norm_mode", `must be "q01_q99" (the only normalisation implemented; the reference defaults to "min_max" when absent); got ${JSON.stringify(s.normMode)}`);
    const tag = s.tag;
    const H = s.actionHorizon ?? maxActionHorizon;
    checkInt(fn, `metadata_by_tag.${tag}.action_horizon`, H, 1, maxActionHorizon);
    out[tag] = {
      setupType: s.setupType ?? "",
      controlMode: s.controlMode ?? "",
      actionHorizon: H,
      ...(s.nActionSteps !== undefined ? { nActionSteps: checkInt(fn, `metadata_by_tag.${tag}.n_action_steps`, s.nActionSteps, 1, H) } : {}),
      actionDim: s.action.q01.length,
      actionStats: s.action,
      ...(s.state ? { stateStats: s.state } : {}),
    };
  }
  return out;
}

const f32 = Math.fround;

/**
 * Raw state → the reference's normalised state in float32 (numpy float32 arithmetic, step by step):
 * `2·(x − q01)/max(q99 − q01, 1e-6) − 1`, clipped to [−1, 1]; masked dims pass the raw value; zero-range dims
 * (min == max) become 0. Without state stats the values pass through.
 */
export function normalizeStateF32(state: ArrayLike<number>, stats: NormStats | undefined): Float32Array {
  const out = Float32Array.from(state);
  if (!stats) return out;
  // zero_mask = (min == max), only when the stats carry min and max (the reference's rule)
  const zero = stats.q01.map((_, d) => (stats.min && stats.max ? f32(stats.min[d]) === f32(stats.max[d]) : false));
  const eps = f32(1e-6);
  for (let d = 0; d < out.length; d++) {
    const x = out[d];
    const lo = f32(stats.q01[d]);
    const hi = f32(stats.q99[d]);
    let y = f32(f32(f32(2 * f32(x - lo)) / Math.max(f32(hi - lo), eps)) - 1);
    y = y < -1 ? -1 : y > 1 ? 1 : y;
    if (stats.mask && !stats.mask[d]) y = x;
    if (zero[d]) y = 0;
    out[d] = y;
  }
  return out;
}

/** Normalised state → `rint((s + 1)/2 · (bins − 1))` in float32 (half to even), clipped to the bins. */
export function stateBinsF32(normalized: ArrayLike<number>, numBins: number): number[] {
  const top = numBins - 1;
  return Array.from(normalized, (v) => {
    const c = Number.isNaN(v) ? 0 : v < -1 ? -1 : v > 1 ? 1 : v;
    const r = roundHalfEven(f32(f32(f32(c + 1) / 2) * top)); // numpy rint
    return r < 0 ? 0 : r > top ? top : r;
  });
}

/** Raw state (robot units; `number[]`, typed array or ndarray `[n]`) → state bins exactly as the reference prompt gets them. */
export function stateBins(state: VectorInput, tag: TagConfig, numBins = 256): number[] {
  return stateBinsF32(normalizeStateF32(toVector("stateBins", "state", state).data, tag.stateStats), numBins);
}

/** Model output `[H, D]` in [−1, 1] space → robot units, a float64 ndarray (clip, q01/q99, masked dims pass the clipped value). */
export function unnormalizeChunk(y: ChunkInput, tag: TagConfig): Chunk {
  return unnormalize(y, tag.actionStats);
}

/** Validate a tag against a model's limits (throws naming `tags.<name>.<field>`). */
export function checkTag(fn: string, name: string, tag: TagConfig, maxActionDim: number, maxHorizon: number): void {
  if (!tag || typeof tag !== "object") fail(fn, `tags.${name}`, `must be { setupType, controlMode, actionHorizon, actionDim, actionStats, stateStats? }; got ${describe(tag)}`);
  const D = checkInt(fn, `tags.${name}.actionDim`, tag.actionDim, 1, maxActionDim);
  const H = checkInt(fn, `tags.${name}.actionHorizon`, tag.actionHorizon, 1, maxHorizon);
  if (tag.nActionSteps !== undefined) checkInt(fn, `tags.${name}.nActionSteps`, tag.nActionSteps, 1, H);
  for (const k of ["setupType", "controlMode"] as const) if (typeof tag[k] !== "string") fail(fn, `tags.${name}.${k}`, `must be a string; got ${describe(tag[k])}`);
  checkStats(fn, `tags.${name}.actionStats`, tag.actionStats);
  if (tag.stateStats !== undefined) checkStats(fn, `tags.${name}.stateStats`, tag.stateStats);
  if (tag.actionStats.q01.length !== D) fail(fn, `tags.${name}.actionStats`, `must have actionDim = ${D} entries; got ${tag.actionStats.q01.length}`);
}
