import { executeDepthPlan, type DepthCache, type DepthDecodePlan, type RgbImage } from "../depth/index.js";
import type { TokenTable } from "../vocab/index.js";
import type { DecodeSession, LogitsProcessor } from "./session.js";

/** What the depth phase of one Think call did (counts are exact, for tests and traces). */
export interface DepthPhaseResult {
  ok: boolean;
  /** Why it failed (`<depth_end>` not emitted in the step budget, or a span without codes). */
  reason?: string;
  /** Failed because the (non-adaptive) span holds no depth code at all. */
  noCodes?: boolean;
  /** The depth codes of this frame (replayed + decoded; non-adaptive: the codes found in the span). */
  codes: Int32Array;
  /** True when every cell was decoded (no usable cache, or non-adaptive). */
  full: boolean;
  /** Single-token constrained decode steps (= changed cells). */
  decodeSteps: number;
  /** Multi-token replay forwards and the tokens they fed. */
  replayForwards: number;
  replayTokens: number;
  /** Full-vocabulary steps until `<depth_end>` was emitted (1 when the model behaves). */
  endSteps: number;
  /** The executed plan (adaptive mode only). */
  plan?: DepthDecodePlan;
}

/** Options of {@link runDepthPhase}. */
export interface DepthPhaseOptions {
  /** Steps allowed after the codes until `<depth_end>` (reference: `max(8, max_action_horizon)`). */
  maxEndSteps: number;
  /** Non-adaptive budget for the whole span (reference: `max(numDepthCodes + 8, 16·max_action_horizon)`). */
  maxSpanSteps: number;
  /** `false`: the reference's `enable_adaptive_depth=False` — plain free argmax from the prefill. */
  adaptive?: boolean;
  processor?: LogitsProcessor;
  /** Non-reference: feed `<depth_end>` after the codes instead of waiting for the model to emit it. */
  forceEnd?: boolean;
}

/**
 * MolmoAct2-Think depth span after the prompt prefill (the reference's `_generate_depth_prefix`).
 *
 * Adaptive (default):
 * 1. feed the forced `<depth_start>`;
 * 2. with a usable cache (previous first image + all its codes), the 10×10 cosine rule on the first image
 *    decides the changed cells: each contiguous unchanged run replays its cached codes in ONE multi-token
 *    forward, each changed cell is decoded with an argmax over the depth-code rows of `lm_head` only;
 *    without a cache every cell is decoded that way;
 * 3. then free full-vocabulary argmax, every token fed, until `<depth_end>` has been fed
 *    (at most `maxEndSteps`, else a failure value);
 * 4. on success the cache keeps this first image and its codes.
 *
 * Non-adaptive: free argmax from the prefill's logits, every token fed, until `<depth_end>` (at most
 * `maxSpanSteps`); the codes are the depth tokens between `<depth_start>` and `<depth_end>`.
 *
 * The KV cache then covers prompt + depth span: what the expert or the discrete continuation reads.
 */
export async function runDepthPhase(session: DecodeSession, cache: DepthCache, mainImage: RgbImage, table: TokenTable, opts: DepthPhaseOptions): Promise<DepthPhaseResult> {
  return opts.adaptive === false ? nonAdaptive(session, cache, mainImage, table, opts) : adaptive(session, cache, mainImage, table, opts);
}

async function adaptive(session: DecodeSession, cache: DepthCache, mainImage: RgbImage, table: TokenTable, opts: DepthPhaseOptions): Promise<DepthPhaseResult> {
  const ids = table.ids;
  const plan = cache.plan(mainImage);
  session.feed([ids.depthStart]);
  let replayForwards = 0;
  let replayTokens = 0;
  let decodeSteps = 0;
  const range: [number, number] = [ids.depthTokenStart, ids.depthTokenStart + ids.numDepthTokens];
  const codes = await executeDepthPlan(plan, {
    replay: (step) => {
      session.feed(Array.from(step.tokenIds));
      replayForwards++;
      replayTokens += step.tokenIds.length;
    },
    decode: async () => {
      const id = await session.next(range);
      session.feed([id]);
      decodeSteps++;
      return id - ids.depthTokenStart;
    },
  });
  const base = { codes, full: plan.full, decodeSteps, replayForwards, replayTokens, plan };
  const end = await untilDepthEnd(session, ids.depthEnd, opts.maxEndSteps, opts.processor, opts.forceEnd);
  if (!end.ok) return { ok: false, reason: `<depth_end> was not emitted within ${opts.maxEndSteps} steps after the depth codes`, endSteps: end.steps, ...base };
  cache.update(mainImage, codes);
  return { ok: true, endSteps: end.steps, ...base };
}

async function nonAdaptive(session: DecodeSession, cache: DepthCache, mainImage: RgbImage, table: TokenTable, opts: DepthPhaseOptions): Promise<DepthPhaseResult> {
  const ids = table.ids;
  const start = session.generated.length;
  const end = await untilDepthEnd(session, ids.depthEnd, opts.maxSpanSteps, opts.processor, false);
  const span = session.generated.slice(start);
  const s = span.indexOf(ids.depthStart);
  const e = span.indexOf(ids.depthEnd, s + 1);
  const codes = Int32Array.from(span.slice(s < 0 ? 0 : s + 1, e < 0 ? span.length : e).filter((id) => table.depthCode(id) >= 0), (id) => table.depthCode(id));
  const base = { codes, full: true, decodeSteps: 0, replayForwards: 0, replayTokens: 0, endSteps: end.steps };
  if (!end.ok) return { ok: false, reason: `<depth_end> was not emitted within ${opts.maxSpanSteps} steps (non-adaptive depth)`, ...base };
  if (codes.length === 0) return { ok: false, noCodes: true, reason: "the model generated no depth codes between <depth_start> and <depth_end> (non-adaptive depth)", ...base };
  // the reference caches whatever it found; a span without all the codes makes the next call non-selective
  if (codes.length === cache.grid.numCells) cache.update(mainImage, codes);
  else cache.reset();
  return { ok: true, ...base };
}

/** Free argmax, feeding every token, until `endId` has been fed or `budget` steps are used. */
async function untilDepthEnd(session: DecodeSession, endId: number, budget: number, processor: LogitsProcessor | undefined, force = false): Promise<{ ok: boolean; steps: number }> {
  if (force) {
    session.feed([endId]);
    return { ok: true, steps: 0 };
  }
  for (let steps = 1; steps <= budget; steps++) {
    const id = await session.next(undefined, processor);
    session.feed([id]);
    if (id === endId) return { ok: true, steps };
  }
  return { ok: false, steps: budget };
}
