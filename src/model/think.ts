import { executeDepthPlan, type DepthCache, type DepthDecodePlan, type RgbImage } from "../depth/index.js";
import type { TokenTable } from "../vocab/index.js";
import type { DecodeSession, LogitsProcessor } from "./session.js";

/** What the depth phase of one Think call did (counts are exact, for tests and traces). */
export interface DepthPhaseResult {
  ok: boolean;
  /** Why it failed (`<depth_end>` not emitted in the step budget). */
  reason?: string;
  /** The 100 codes of this frame (replayed + decoded), row-major cells. */
  codes: Int32Array;
  /** True on the first call of an episode (all cells decoded). */
  full: boolean;
  /** Single-token constrained decode steps (= changed cells). */
  decodeSteps: number;
  /** Multi-token replay forwards and the tokens they fed. */
  replayForwards: number;
  replayTokens: number;
  /** Full-vocabulary steps until `<depth_end>` was emitted (1 when the model behaves). */
  endSteps: number;
  /** The plan that was executed. */
  plan: DepthDecodePlan;
}

/**
 * MolmoAct2-Think adaptive depth (molmoact2.md §5.3), after the prompt prefill:
 * 1. feed the forced `<depth_start>`;
 * 2. execute the depth module's plan: on the first frame of an episode every cell is decoded with an
 *    argmax over the 128 depth-code logits only; later, unchanged runs replay their cached codes in one
 *    multi-token forward and changed cells are decoded one at a time;
 * 3. greedy over the full vocabulary until `<depth_end>` is emitted and fed (at most `maxEndSteps`;
 *    `forceEnd` feeds `<depth_end>` directly instead — a deviation for untrained models, which would
 *    otherwise rarely emit it);
 * 4. store the image and codes in the cache (`update`), so the next call is selective.
 *
 * The KV cache then covers prompt + depth span, which is what the expert (or discrete decoding) reads.
 */
export async function runDepthPhase(
  session: DecodeSession,
  cache: DepthCache,
  mainImage: RgbImage,
  table: TokenTable,
  maxEndSteps: number,
  processor?: LogitsProcessor,
  forceEnd = false,
): Promise<DepthPhaseResult> {
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
      const id = await session.next(range, processor);
      session.feed([id]);
      decodeSteps++;
      return id - ids.depthTokenStart;
    },
  });
  let endSteps = 0;
  let ended = false;
  if (forceEnd) {
    session.feed([ids.depthEnd]);
    ended = true;
  }
  while (!ended && endSteps < maxEndSteps) {
    const id = await session.next(undefined, processor);
    session.feed([id]);
    endSteps++;
    if (id === ids.depthEnd) {
      ended = true;
      break;
    }
  }
  cache.update(mainImage, codes);
  const base = { codes, full: plan.full, decodeSteps, replayForwards, replayTokens, endSteps, plan };
  return ended ? { ok: true, ...base } : { ok: false, reason: `<depth_end> was not emitted within ${maxEndSteps} steps after the depth codes`, ...base };
}
