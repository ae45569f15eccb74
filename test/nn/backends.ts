import * as tf from "@tensorflow/tfjs-core";
import { useBackend, type BackendName } from "../../src/nn/index.js";

/** Backends every tfjs test runs on (CI: no GPU). */
export const TEST_BACKENDS: BackendName[] = ["cpu", "wasm"];

/** Switch backend (for beforeAll). */
export async function setBackend(name: BackendName): Promise<void> {
  await useBackend(name);
}

/** Read a tensor as float64 (async; never dataSync). */
export async function read(t: tf.Tensor): Promise<Float64Array> {
  return Float64Array.from(await t.data());
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length mismatch ${a.length} vs ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - b[i]);
    if (!(d <= m)) m = Number.isNaN(d) ? Infinity : d;
  }
  return m;
}
