import { describe, fail, formatIndex, isNdArray, ndView, rowMajor, roundHalfEven, type NdArray, type Vector } from "../core/index.js";
import { MOLMOACT2_TOKENS, type TokenTable } from "../vocab/index.js";

/** Number of state bins (MolmoAct2 and pi0.5). */
export const NUM_STATE_BINS = 256;

/**
 * - `"molmoact2"` (default): NaN → 0, +∞ → 1, −∞ → −1, clip to [−1, 1], `bin = rint((x + 1)/2 · 255)`
 *   (round half to even); bins 0..255.
 * - `"pi05"`: openpi/LeRobot pi0.5 `np.digitize(x, linspace(−1, 1, 257)[:−1]) − 1` with the exact edges
 *   `−1 + k/128`; x < −1 gives **−1** (not clamped), x ≥ 0.9921875 gives 255. NaN throws unless
 *   `compat: "reference"` (then 255, numpy's answer).
 */
export type StateRule = "molmoact2" | "pi05";

export interface DiscretizeOptions {
  rule?: StateRule;
  /** pi05 only: `"reference"` maps NaN to 255 like numpy instead of throwing. */
  compat?: "strict" | "reference";
}

/** The state's values in order: an ndarray `[n]` (or one row `[1, n]`, what `normalize` gives a flat typed array) is read in place when packed. */
function toValues(fn: string, input: ArrayLike<number> | NdArray): ArrayLike<number> {
  if (isNdArray(input)) {
    if (input.shape.length !== 1 && !(input.shape.length === 2 && input.shape[0] === 1)) fail(fn, "state", `must be an ndarray [n] (one state vector); got shape [${input.shape.join(", ")}]`);
    return rowMajor(input);
  }
  const state = input;
  if (!Array.isArray(state) && !ArrayBuffer.isView(state)) fail(fn, "state", `must be number[], a Float64Array/Float32Array or an ndarray [n]; got ${describe(state)}`);
  for (let i = 0; i < state.length; i++) if (typeof state[i] !== "number") fail(fn, "state", `must hold numbers; got ${describe(state[i])} at ${formatIndex(i)}`);
  return state;
}

/** MolmoAct2 bin of one normalized value (see {@link StateRule}). */
export function molmoAct2StateBin(x: number): number {
  let v = Number.isNaN(x) ? 0 : x;
  if (v < -1) v = -1;
  else if (v > 1) v = 1;
  const b = roundHalfEven(((v + 1) / 2) * 255);
  return b < 0 ? 0 : b > 255 ? 255 : b;
}

/** pi0.5 bin of one finite or infinite value (NaN must be handled by the caller). */
export function pi05StateBin(x: number): number {
  if (x < -1) return -1;
  let b = Math.floor((x + 1) * 128);
  // x + 1 can round up onto an edge just above x; the edges -1 + b/128 are exact in binary
  if (b >= 0 && b <= 256 && x < -1 + b / 128) b -= 1;
  return b > 255 ? 255 : b;
}

/**
 * Discretize a normalized state vector (`number[]`, a typed array, or an ndarray `[n]` such as `normalize(state,
 * stats)`) into 256 bins (one per dim). See {@link StateRule} for the two rules. Returns plain integers (token bins,
 * not an array to compute with); pi05 can return −1 for values below −1.
 */
export function discretizeState(state: ArrayLike<number> | NdArray, opts: DiscretizeOptions = {}): number[] {
  const fn = "discretizeState";
  const rule = opts.rule ?? "molmoact2";
  if (rule !== "molmoact2" && rule !== "pi05") fail(fn, "rule", `must be "molmoact2" or "pi05"; got ${describe(rule)}`);
  const v = toValues(fn, state);
  const out: number[] = new Array(v.length);
  for (let i = 0; i < v.length; i++) {
    const x = v[i];
    if (rule === "molmoact2") out[i] = molmoAct2StateBin(x);
    else if (Number.isNaN(x)) {
      if (opts.compat === "reference") out[i] = 255;
      else fail(fn, "state", `must not contain NaN with rule "pi05" (numpy would silently give bin 255); got NaN at ${formatIndex(i)}. Pass compat: "reference" to reproduce that`);
    } else out[i] = pi05StateBin(x);
  }
  return out;
}

/**
 * Bin centres back in [−1, 1], as a float64 ndarray `[n]` (the normalized state, ready for `unnormalize`):
 * MolmoAct2 `b/255·2 − 1` (exact for the bin values); pi05 `−1 + (b + 0.5)/128` (bin −1 → −1).
 */
export function undiscretizeState(bins: readonly number[], opts: { rule?: StateRule } = {}): Vector {
  const fn = "undiscretizeState";
  const rule = opts.rule ?? "molmoact2";
  if (!Array.isArray(bins)) fail(fn, "bins", `must be an array of integers; got ${describe(bins)}`);
  const out = new Float64Array(bins.length);
  bins.forEach((b, i) => {
    const lo = rule === "pi05" ? -1 : 0;
    if (!Number.isInteger(b) || b < lo || b > 255) fail(fn, "bins", `must be integers in [${lo}, 255]; got ${describe(b)} at ${formatIndex(i)}`);
    out[i] = rule === "pi05" ? (b === -1 ? -1 : -1 + (b + 0.5) / 128) : (b / 255) * 2 - 1;
  });
  return ndView(out, [bins.length]);
}

/** `<state_{b}>` strings for MolmoAct2 bins (0..255). */
export function stateTokenStrings(bins: readonly number[]): string[] {
  return bins.map((b, i) => {
    if (!Number.isInteger(b) || b < 0 || b > 255) fail("stateTokenStrings", "bins", `must be integers in [0, 255]; got ${describe(b)} at ${formatIndex(i)}`);
    return `<state_${b}>`;
  });
}

/** MolmoAct2 state string `<state_start><state_b0>…<state_end>` (no separators). */
export function stateString(bins: readonly number[]): string {
  return `<state_start>${stateTokenStrings(bins).join("")}<state_end>`;
}

/** Token ids of {@link stateString} in the MolmoAct2 vocabulary (or another {@link TokenTable}). */
export function stateTokenIds(bins: readonly number[], table: TokenTable = MOLMOACT2_TOKENS): number[] {
  stateTokenStrings(bins);
  return [table.ids.stateStart, ...bins.map((b) => table.stateToken(b)), table.ids.stateEnd];
}

/**
 * Parse a MolmoAct2 state string back to bins. Returns `{ ok: false, reason }` for text that is not exactly
 * `<state_start>(<state_N>)*<state_end>` with N in 0..255.
 */
export function parseStateString(text: string): { ok: true; bins: number[] } | { ok: false; reason: string } {
  if (typeof text !== "string") fail("parseStateString", "text", `must be a string; got ${describe(text)}`);
  const m = /^<state_start>((?:<state_\d{1,3}>)*)<state_end>$/.exec(text);
  if (!m) return { ok: false, reason: "must be <state_start>(<state_N>)*<state_end>" };
  const bins = [...m[1].matchAll(/<state_(\d{1,3})>/g)].map((x) => Number(x[1]));
  const bad = bins.findIndex((b) => b > 255);
  if (bad >= 0) return { ok: false, reason: `bin ${bins[bad]} at ${bad} is above 255` };
  return { ok: true, bins };
}

/** pi0.5 prompt fragment: bins joined by single spaces (e.g. `"216 -1 254"`). */
export function pi05StateText(bins: readonly number[]): string {
  return bins.join(" ");
}
