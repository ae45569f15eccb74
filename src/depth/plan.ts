import { describe, fail, isNdArray, rowMajor, type NdArray } from "../core/index.js";
import { MOLMOACT2_TOKENS, type TokenTable } from "../vocab/index.js";

/** A maximal run `[start, end)` of equal mask values in row-major cell order. */
export interface DepthRun {
  start: number;
  end: number;
  /** True for a run of changed cells (decoded), false for unchanged cells (replayed). */
  changed: boolean;
}

/** Feed the cached codes of unchanged cells `[start, end)` in ONE multi-token forward. */
export interface DepthReplayStep {
  kind: "replay";
  start: number;
  end: number;
  /** Cached depth codes of the cells, Int32, length `end − start`. */
  codes: Int32Array;
  /** Their `<depth_i>` token ids (Int32, same length), ready to feed. */
  tokenIds: Int32Array;
}

/** Predict the code of one changed cell (argmax over the depth-code logits only), emit it and run it. */
export interface DepthDecodeStep {
  kind: "decode";
  cell: number;
}

export type DepthPlanStep = DepthReplayStep | DepthDecodeStep;

/**
 * The depth-span schedule of spec §5.3: after the forced `<depth_start>`, execute `steps` in order
 * (replay spans and single-cell decode steps cover every cell exactly once, in row-major order), then
 * decode greedily over the full vocabulary until `<depth_end>` (`endTokenId`) is emitted.
 */
export interface DepthDecodePlan {
  /** True on the first call of an episode (no cache): every cell is decoded. */
  full: boolean;
  numCells: number;
  /** The mask that was planned (Uint8, 1 = changed; all ones when `full`). */
  mask: Uint8Array;
  runs: DepthRun[];
  steps: DepthPlanStep[];
  /** Number of single-token decode steps (= changed cells). */
  decodeSteps: number;
  /** Number of replay forwards (= unchanged runs). */
  replaySteps: number;
  /** Cells whose cached codes are replayed. */
  replayedCells: number;
  /** `<depth_start>` id, fed (forced) before the steps. */
  startTokenId: number;
  /** `<depth_end>` id, expected from greedy decoding after the steps. */
  endTokenId: number;
  /** Id of `<depth_0>`; depth-code logits are `[codeTokenStart, codeTokenStart + numCodes)`. */
  codeTokenStart: number;
  numCodes: number;
}

/** Options of {@link planDepthDecode}. */
export interface PlanOptions {
  /** Token table (default {@link MOLMOACT2_TOKENS}). */
  tokens?: TokenTable;
  /** Number of cells for a full plan when `mask` is null (default 100). */
  numCells?: number;
}

/** Maximal runs of equal values of a 0/1 mask, row-major. */
export function maskRuns(mask: ArrayLike<number>): DepthRun[] {
  const runs: DepthRun[] = [];
  let s = 0;
  for (let k = 1; k <= mask.length; k++) {
    if (k === mask.length || (mask[k] !== 0) !== (mask[s] !== 0)) {
      runs.push({ start: s, end: k, changed: mask[s] !== 0 });
      s = k;
    }
  }
  return runs;
}

/** A cell grid given as an ndarray (`[grid, grid]` or `[n]`, row-major cell order k = row·grid + col) as its values in order. */
function cells(m: ArrayLike<number> | NdArray): ArrayLike<number> {
  return isNdArray(m) ? rowMajor(m) : m;
}

function checkMask(fn: string, given: ArrayLike<number> | NdArray): Uint8Array {
  const mask = cells(given);
  if (mask === null || typeof mask !== "object" || typeof mask.length !== "number" || mask.length < 1) {
    fail(fn, "mask", `must be a non-empty array of 0/1; got ${describe(mask)}`);
  }
  const out = new Uint8Array(mask.length);
  for (let k = 0; k < mask.length; k++) {
    const v = mask[k] as unknown;
    if (v === 0 || v === 1 || v === false || v === true) out[k] = v ? 1 : 0;
    else fail(fn, "mask", `must contain only 0/1 values; got ${describe(v)} at [${k}]`);
  }
  return out;
}

/** Validate depth codes (integers in `[0, numCodes)`, length `numCells`) and copy them to an Int32Array. */
export function checkCodes(fn: string, arg: string, given: ArrayLike<number> | NdArray, numCells: number, numCodes: number): Int32Array {
  const codes = given === null || typeof given !== "object" ? given : cells(given);
  if (codes === null || typeof codes !== "object" || codes.length !== numCells) {
    fail(fn, arg, `must be an array of ${numCells} depth codes; got ${describe(codes)}`);
  }
  const out = new Int32Array(numCells);
  for (let k = 0; k < numCells; k++) {
    const v = Number(codes[k]);
    if (!Number.isInteger(v) || v < 0 || v >= numCodes) fail(fn, arg, `must contain integers in [0, ${numCodes - 1}]; got ${describe(codes[k])} at [${k}]`);
    out[k] = v;
  }
  return out;
}

/**
 * Build the depth decode schedule from a change mask and the cached codes (spec §5.3).
 * `mask` null or `cachedCodes` null → first call of an episode: a full plan of `numCells` decode steps.
 * Otherwise each maximal run of changed cells becomes one decode step per cell and each maximal run of
 * unchanged cells one replay step carrying the cached codes and their token ids. All-unchanged → 0 decode steps.
 * `mask` and `cachedCodes` are arrays, typed arrays or ndarrays (`[grid, grid]` in cell order, or `[n]`).
 */
export function planDepthDecode(mask: ArrayLike<number> | NdArray | null, cachedCodes: ArrayLike<number> | NdArray | null, opts: PlanOptions = {}): DepthDecodePlan {
  const fn = "planDepthDecode";
  const tokens = opts.tokens ?? MOLMOACT2_TOKENS;
  const numCodes = tokens.ids.numDepthTokens;
  const full = mask === null || mask === undefined || cachedCodes === null || cachedCodes === undefined;
  let m: Uint8Array;
  if (mask === null || mask === undefined) {
    const n = opts.numCells ?? 100;
    if (!Number.isInteger(n) || n < 1) fail(fn, "opts.numCells", `must be a positive integer; got ${describe(n)}`);
    m = new Uint8Array(n).fill(1);
  } else {
    m = checkMask(fn, mask);
    if (opts.numCells !== undefined && opts.numCells !== m.length) fail(fn, "mask", `must have opts.numCells = ${opts.numCells} entries; got ${m.length}`);
  }
  if (full) m.fill(1);
  const codes = full ? null : checkCodes(fn, "cachedCodes", cachedCodes!, m.length, numCodes);
  const runs = maskRuns(m);
  const steps: DepthPlanStep[] = [];
  let decodeSteps = 0;
  let replaySteps = 0;
  let replayedCells = 0;
  for (const r of runs) {
    if (r.changed) {
      for (let k = r.start; k < r.end; k++) steps.push({ kind: "decode", cell: k });
      decodeSteps += r.end - r.start;
    } else {
      const c = codes!.slice(r.start, r.end);
      const ids = new Int32Array(c.length);
      for (let j = 0; j < c.length; j++) ids[j] = tokens.depthToken(c[j]);
      steps.push({ kind: "replay", start: r.start, end: r.end, codes: c, tokenIds: ids });
      replaySteps++;
      replayedCells += r.end - r.start;
    }
  }
  return {
    full,
    numCells: m.length,
    mask: m,
    runs,
    steps,
    decodeSteps,
    replaySteps,
    replayedCells,
    startTokenId: tokens.id("<depth_start>"),
    endTokenId: tokens.id("<depth_end>"),
    codeTokenStart: tokens.ids.depthTokenStart,
    numCodes,
  };
}

/** Callbacks that execute a plan against a model (see {@link executeDepthPlan}). */
export interface DepthPlanHandlers {
  /** Feed the cached code tokens of one unchanged run in one multi-token forward. */
  replay(step: DepthReplayStep): void | Promise<void>;
  /** Predict the code of `cell` (constrained argmax), feed its token, and return the code. */
  decode(cell: number): number | Promise<number>;
}

/**
 * Run `plan.steps` in order through `handlers` and return the resulting codes (Int32, length numCells):
 * replayed cells keep their cached codes, decoded cells get the returned codes (validated).
 */
export async function executeDepthPlan(plan: DepthDecodePlan, handlers: DepthPlanHandlers): Promise<Int32Array> {
  const codes = new Int32Array(plan.numCells).fill(-1);
  for (const step of plan.steps) {
    if (step.kind === "replay") {
      await handlers.replay(step);
      codes.set(step.codes, step.start);
    } else {
      const c = await handlers.decode(step.cell);
      if (!Number.isInteger(c) || c < 0 || c >= plan.numCodes) {
        fail("executeDepthPlan", "handlers.decode", `must return an integer code in [0, ${plan.numCodes - 1}]; got ${describe(c)} for cell ${step.cell}`);
      }
      codes[step.cell] = c;
    }
  }
  return codes;
}

/** Token ids of a whole depth span: `<depth_start>`, `<depth_code_k>` for each code, `<depth_end>` (Int32). */
export function depthSpanTokenIds(codes: ArrayLike<number>, tokens: TokenTable = MOLMOACT2_TOKENS): Int32Array {
  const out = new Int32Array(codes.length + 2);
  out[0] = tokens.id("<depth_start>");
  for (let k = 0; k < codes.length; k++) out[k + 1] = tokens.depthToken(codes[k]);
  out[codes.length + 1] = tokens.id("<depth_end>");
  return out;
}
