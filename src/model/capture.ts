import * as tf from "@tensorflow/tfjs-core";
import { contextKeyMask } from "../kv/index.js";
import type { TokenTable } from "../vocab/index.js";
import type { ActionExpert } from "./action-expert.js";
import type { MolmoAct2Config } from "./config.js";
import type { ProcessedInputs } from "./inputs.js";
import type { DecodeSession } from "./session.js";
import type { CapturedStages } from "./types.js";

/**
 * Read back what one call computed, in the reference's layouts (`opts.capture`): the processor outputs,
 * every layer's cached K/V flattened to `[T, kvHeads·headDim]`, the expert's encoder mask and the depth
 * gate values. Costs a device → host copy of the cache; off by default.
 */
export async function captureStages(inputs: ProcessedInputs, session: DecodeSession, cfg: MolmoAct2Config, table: TokenTable, expert: ActionExpert | null): Promise<CapturedStages> {
  const contextIds = session.cache.tokenIds;
  const T = contextIds.length;
  const kvDim = cfg.text.numKeyValueHeads * cfg.text.headDim;
  const kv: CapturedStages["kv"] = [];
  for (let l = 0; l < cfg.text.numHiddenLayers; l++) {
    const { k, v } = session.cache.layer(l);
    const flat = tf.tidy(() => [tf.reshape(k, [T, kvDim]), tf.reshape(v, [T, kvDim])]);
    kv.push({ k: Float32Array.from(await flat[0].data()), v: Float32Array.from(await flat[1].data()) });
    tf.dispose(flat);
  }
  const hide = cfg.actionMode === "both";
  const layers = Array.from({ length: cfg.text.numHiddenLayers }, (_, l) => session.cache.layer(l));
  const gate = expert ? await expert.adapter.gateValues(layers, contextIds, { tokens: table, hideActionAndEos: hide }) : null;
  return {
    promptText: inputs.promptText,
    inputIds: [...inputs.inputIds],
    tokenTypeIds: Array.from(inputs.tokenTypeIds),
    images: inputs.images.map((im) => ({ pixelValues: im.crops, numCrops: im.numCrops, pooling: im.pooling, poolWindow: im.poolWindow, grid: im.grid })),
    contextIds,
    kv,
    encoderMask: contextKeyMask(contextIds, { tokens: table, hideActionAndEos: hide }),
    ...(gate ? { depthGate: gate } : {}),
  };
}
