import type { TagConfig, RgbImage } from "../../src/model/index.js";
import { Rng } from "../../src/core/index.js";

/** A 6-dof arm + gripper tag for the tiny model (gripper passes through un-normalised). */
export function tinyTag(D = 7, H = 10): TagConfig {
  return {
    setupType: "single so100/so101 robotic arm in molmoact2",
    controlMode: "absolute joint pose",
    actionHorizon: H,
    actionDim: D,
    actionStats: { q01: Array.from({ length: D }, (_, i) => -1 - i), q99: Array.from({ length: D }, (_, i) => 1 + 2 * i), mask: Array.from({ length: D }, (_, i) => i < D - 1) },
    stateStats: { q01: Array(D).fill(-2), q99: Array(D).fill(2) },
  };
}

/** Seeded noise image (uint8 RGB). */
export function noiseImage(seed: number, width = 64, height = 48): RgbImage {
  const rng = new Rng(seed);
  const data = new Uint8Array(width * height * 3);
  for (let i = 0; i < data.length; i++) data[i] = rng.int(256);
  return { data, width, height, channels: 3 };
}
