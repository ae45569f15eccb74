import { checkInt, fail } from "../core/index.js";
import { checkStats, embodimentPreset, normalize, unnormalize, type NormStats } from "../normalize/index.js";
import { discretizeState } from "../state/index.js";

/**
 * What the model needs to know about one embodiment (molmoact2.md §1.4, §6.2): the prompt strings, the
 * chunk length H, the native action width D (≤ the expert's padded width) and the q01/q99 statistics
 * of actions and states (`mask` false = pass-through, e.g. grippers).
 */
export interface TagConfig {
  setupType: string;
  controlMode: string;
  /** Action chunk length H (= n_action_steps). */
  actionHorizon: number;
  /** Native action dimension D. */
  actionDim: number;
  actionStats: NormStats;
  stateStats: NormStats;
}

/**
 * A {@link TagConfig} from one of the normalize module's MolmoAct2 presets (setup / control strings and
 * horizon) plus dataset statistics (e.g. from `norm_stats.json` via `statsFromMolmoAct2`).
 */
export function tagFromPreset(preset: string, stats: { actionStats: NormStats; stateStats: NormStats; actionHorizon?: number }): TagConfig {
  const p = embodimentPreset(preset);
  return {
    setupType: p.setupType,
    controlMode: p.controlMode,
    actionHorizon: stats.actionHorizon ?? p.actionHorizon,
    actionDim: stats.actionStats.q01.length,
    actionStats: stats.actionStats,
    stateStats: stats.stateStats,
  };
}

/** Raw state (robot units) → 256-bin MolmoAct2 state tokens: q01/q99 normalise (clip, mask), then `rint((x+1)/2·255)`. */
export function stateBins(state: readonly number[], tag: TagConfig): number[] {
  return discretizeState(normalize(state, tag.stateStats));
}

/** Model output `[H][D]` in [−1, 1] space → robot units (clip, q01/q99, masked dims pass the clipped value). */
export function unnormalizeChunk(y: readonly (readonly number[])[], tag: TagConfig): number[][] {
  return unnormalize(y, tag.actionStats) as number[][];
}

/** Validate a tag against a model's limits (throws naming `tags.<name>.<field>`). */
export function checkTag(fn: string, name: string, tag: TagConfig, maxActionDim: number, maxHorizon: number): void {
  if (!tag || typeof tag !== "object") fail(fn, `tags.${name}`, `must be { setupType, controlMode, actionHorizon, actionDim, actionStats, stateStats }; got ${typeof tag}`);
  const D = checkInt(fn, `tags.${name}.actionDim`, tag.actionDim, 1, maxActionDim);
  checkInt(fn, `tags.${name}.actionHorizon`, tag.actionHorizon, 1, maxHorizon);
  for (const k of ["setupType", "controlMode"] as const) if (typeof tag[k] !== "string") fail(fn, `tags.${name}.${k}`, `must be a string; got ${typeof tag[k]}`);
  checkStats(fn, `tags.${name}.actionStats`, tag.actionStats);
  checkStats(fn, `tags.${name}.stateStats`, tag.stateStats);
  if (tag.actionStats.q01.length !== D) fail(fn, `tags.${name}.actionStats`, `must have actionDim = ${D} entries; got ${tag.actionStats.q01.length}`);
}
