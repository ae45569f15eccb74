import { checkInt } from "../core/index.js";
import type { TokenTable } from "../vocab/index.js";
import type { DecodeSession } from "./session.js";
import type { ActionFailure, ActionTokenizer, PredictOptions } from "./types.js";

/**
 * Discrete actions (molmoact2.md §1.6): greedy over the full vocabulary until `<|im_end|>` (at most
 * `maxNewTokens`, default 16·H), extract the action span, decode with the OpenFAST tokenizer.
 */
export async function runDiscrete(
  tokenizer: ActionTokenizer,
  table: TokenTable,
  session: DecodeSession,
  H: number,
  D: number,
  opts: PredictOptions,
): Promise<{ ok: true; normalized: number[][]; generated: number[] } | { ok: false; reason: ActionFailure["reason"]; message: string; generated: number[] }> {
  const ids = table.ids;
  const max = checkInt("MolmoAct2.predictActions", "opts.maxNewTokens", opts.maxNewTokens ?? 16 * H, 1);
  const generated: number[] = [];
  let eos = false;
  while (generated.length < max) {
    const id = await session.next(undefined, opts.logitsProcessor);
    generated.push(id);
    if (id === ids.imEnd) {
      eos = true;
      session.generated.push(id); // reported, not fed (nothing follows it)
      break;
    }
    session.feed([id]);
  }
  if (!eos) return { ok: false, reason: "no-eos", message: `no <|im_end|> within ${max} generated tokens`, generated };
  const bins = extractActionBins(generated, table);
  if (bins.length === 0) return { ok: false, reason: "no-action-tokens", message: "model generated no decodable action tokens", generated };
  const dec = tokenizer.decode(bins, { horizon: H, dim: D });
  if (!dec.ok) return { ok: false, reason: "decode-failed", message: `${dec.reason}${dec.message ? ": " + dec.message : ""}`, generated };
  return { ok: true, normalized: dec.actions.map((r) => r.slice(0, D)), generated };
}

/**
 * The action-token span of generated ids (§1.6): after the first `<action_start>` up to the first
 * following `<action_end>` (no start → from 0; no end → to the end); only `<action_i>` ids are kept,
 * as BPE ids `i`.
 */
export function extractActionBins(generated: readonly number[], table: TokenTable): number[] {
  const ids = table.ids;
  let s = generated.indexOf(ids.actionStart);
  s = s < 0 ? 0 : s + 1;
  let e = generated.indexOf(ids.actionEnd, s);
  if (e < 0) e = generated.length;
  const out: number[] = [];
  for (let i = s; i < e; i++) {
    const b = table.actionBin(generated[i]);
    if (b >= 0) out.push(b);
  }
  return out;
}
