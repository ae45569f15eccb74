/**
 * `vla-primitives/depth` — MolmoAct2-Think adaptive depth bookkeeping (spec §5), model-free:
 * Pillow-exact bilinear resize to 320 × 320, 10 × 10 cell cosine change detector, the carried-forward
 * depth-code buffer (paper eq. 10) and the selective decode plan (replay spans + single-cell decode steps).
 * The cell sums, resampling coefficients and SIMD probe behind them are in `vla-primitives/internal`.
 */
export type { RgbImage, ImageInput } from "./image.js";
export { resizeBilinearRgb8 } from "./resize.js";
export { changedCells, compareFrames, depthFrame, type DepthGridOptions, type ChangeOptions, type DepthGrid, type DepthChange } from "./cells.js";
export {
  DepthCache,
  DepthChangeDetector,
  type DepthCacheOptions,
  type DepthCacheUpdate,
  type DepthDetection,
  type DetectorOptions,
} from "./buffer.js";
export {
  planDepthDecode,
  executeDepthPlan,
  type DepthDecodePlan,
  type DepthPlanStep,
  type DepthReplayStep,
  type DepthDecodeStep,
  type DepthRun,
  type DepthPlanHandlers,
  type PlanOptions,
} from "./plan.js";
