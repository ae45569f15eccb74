import { checkInt, toChunk, type Chunk } from "../core/index.js";
import type { TokenTable } from "../vocab/index.js";
import type { DecodeSession } from "./session.js";
import type { ActionFailure, ActionTokenizer, PredictOptions } from "./types.js";

/** Outcome of {@link runDiscrete}: the decoded chunk (float64 ndarray `[H, D]`) or why there is none, with the generated ids. */
export type DiscreteResult = { ok: true; normalized: Chunk; generated: number[] } | { ok: false; reason: ActionFailure["reason"]; message: string; generated: number[] };

/**
 * Discrete actions (the reference's `_continue_discrete_generation_from_output` + `_decode_discrete_action_chunk`):
 * greedy full-vocabulary argmax from the session's last logits, every token fed, until EOS is produced (EOS is
 * not fed), at most `maxNewTokens` (default 16·H); the action tokens between the first `<action_start>` and
 * the next `<action_end>` are decoded with the OpenFAST tokenizer into `[H, D]`. No EOS, no action tokens or
 * an undecodable span are failure values (the reference raises, or returns zeros for a bad FAST span).
 */
export async function runDiscrete(tokenizer: ActionTokenizer, table: TokenTable, session: DecodeSession, eosId: number, H: number, D: number, opts: PredictOptions): Promise<DiscreteResult> {
  const max = checkInt("MolmoAct2.predictActions", "opts.maxNewTokens", opts.maxNewTokens ?? 16 * H, 1);
  const generated: number[] = [];
  let eos = false;
  while (generated.length < max) {
    const id = await session.next(undefined, opts.logitsProcessor);
    generated.push(id);
    if (id === eosId) {
      eos = true;
      session.generated.push(id); // reported, not fed (nothing follows it)
      break;
    }
    session.feed([id]);
  }
  if (!eos) return { ok: false, reason: "no-eos", message: `no end token (id ${eosId}) within ${max} generated tokens`, generated };
  const bins = extractActionBins(generated, table);
  if (bins.length === 0) return { ok: false, reason: "no-action-tokens", message: "model generated no decodable action tokens between <action_start>/<action_end>", generated };
  const dec = tokenizer.decode(bins, { horizon: H, dim: D });
  if (!dec.ok) return { ok: false, reason: "decode-failed", message: `${dec.reason}${dec.message ? ": " + dec.message : ""}`, generated };
  // OpenFastTokenizer gives a packed float64 ndarray: read in place; another tokenizer's chunk form is converted once
  return { ok: true, normalized: toChunk("MolmoAct2.predictActions", "actionTokenizer.decode(...).actions", dec.actions, { horizon: H, dim: D }), generated };
}

/**
 * The action-token span of generated ids: after the first `<action_start>` up to the first following
 * `<action_end>` (no start → the whole trace; no end → to the end); only `<action_i>` ids are kept, as BPE ids `i`.
 */
export function extractActionBins(generated: readonly number[], table: TokenTable): number[] {
  const ids = table.ids;
  const start = generated.indexOf(ids.actionStart);
  const s = start < 0 ? 0 : start + 1;
  // the reference looks for an end only after a start: without a start the whole trace counts
  const end = start < 0 ? -1 : generated.indexOf(ids.actionEnd, s);
  const e = end < 0 ? generated.length : end;
  const out: number[] = [];
  for (let i = s; i < e; i++) {
    const b = table.actionBin(generated[i]);
    if (b >= 0) out.push(b);
  }
  return out;
}
