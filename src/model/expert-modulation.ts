import * as tf from "@tensorflow/tfjs-core";
import { linear, silu, sinusoidalTimeEmbedding } from "../nn/index.js";
import type { BlockModulation } from "./dit-block.js";

/** The expert's time-conditioning weights (`[in, out]`): time MLP, per-block and final modulation linears. */
export interface TimeWeights {
  t1W: tf.Tensor2D;
  t1B: tf.Tensor1D;
  t3W: tf.Tensor2D;
  t3B: tf.Tensor1D;
  modW: tf.Tensor2D[];
  modB: tf.Tensor1D[];
  fModW: tf.Tensor2D;
  fModB: tf.Tensor1D;
}

/** Every modulation of one flow step: the blocks' nine and the final layer's shift and `scale1` (= 1 + scale). */
export type StepModulation = {
  blocks: BlockModulation[];
  shiftF: tf.Tensor2D;
  scale1F: tf.Tensor2D;
};

/** Time conditioning `c = time_embed.3(SiLU(time_embed.1(sinusoid(t))))`, `[N, h]` for N times (t = raw flow time). */
export function timeConditioning(w: TimeWeights, t: number | ArrayLike<number>, embedDim: number): tf.Tensor2D {
  return tf.tidy(() => {
    const e = sinusoidalTimeEmbedding(t, embedDim);
    return linear(silu(linear(e, w.t1W, w.t1B)) as tf.Tensor2D, w.t3W, w.t3B);
  });
}

/**
 * The modulations for times `t` from `SiLU(c)`: per block `split₉(modulation.linear)`, final `split₂`. One row per time;
 * with `rowSelect` (`[rows, N]` one-hot, differentiable) each row gets its own time's modulation.
 *
 * The shifts are not folded into the next linear's bias (shift·W + b): a per-time bias makes wasm's XNNPACK build and
 * pack a new operator for every (weight, bias) pair, i.e. re-pack every weight on the first step at each time of every
 * fresh context (measured ~3.5× slower); one add per modulation is far cheaper.
 */
export function stepModulation(w: TimeWeights, t: number | ArrayLike<number>, embedDim: number, rowSelect?: tf.Tensor2D): StepModulation {
  return tf.tidy(() => {
    const sc = silu(timeConditioning(w, t, embedDim)) as tf.Tensor2D;
    const rows = (m: tf.Tensor2D) => (rowSelect ? tf.matMul(rowSelect, m) : m);
    const blocks = w.modW.map((mw, l): BlockModulation => {
      const s = tf.split(rows(linear(sc, mw, w.modB[l])), 9, 1) as tf.Tensor2D[];
      return {
        shiftMsa: s[0], scale1Msa: tf.add(s[1], 1), gateMsa: s[2],
        shiftMca: s[3], scale1Mca: tf.add(s[4], 1), gateMca: s[5],
        shiftMlp: s[6], scale1Mlp: tf.add(s[7], 1), gateMlp: s[8],
      };
    });
    const [shiftF, scaleF] = tf.split(rows(linear(sc, w.fModW, w.fModB)), 2, 1) as tf.Tensor2D[];
    return { blocks, shiftF, scale1F: tf.add(scaleF, 1) };
  });
}

/** The tensors of a modulation (to keep or dispose them). */
export function modulationTensors(m: StepModulation): tf.Tensor[] {
  return [m.shiftF, m.scale1F, ...m.blocks.flatMap((b) => Object.values(b))];
}
