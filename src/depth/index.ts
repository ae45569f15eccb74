/**
 * `vla-primitives/depth` — MolmoAct2-Think adaptive depth bookkeeping (spec §5), model-free:
 * Pillow-exact bilinear resize to 320 × 320, 10 × 10 cell cosine change detector, the carried-forward
 * depth-code buffer (paper eq. 10) and the selective decode plan (replay spans + single-cell decode steps).
 */
export { toRgb8, type RgbImage } from "./image.js";
export { resizeBilinearRgb8, bilinearCoeffs, PRECISION_BITS, type ResampleCoeffs } from "./resize.js";
export {
  changedCells,
  cellMask,
  compareFrames,
  depthFrame,
  cosineFromSums,
  cellNorms,
  cellDotsAndNorms,
  maskFromSums,
  resolveGrid,
  DEPTH_GRID,
  DEPTH_CELL_SIZE,
  DEPTH_THRESHOLD,
  type DepthGridOptions,
  type ChangeOptions,
  type DepthGrid,
  type DepthChange,
} from "./cells.js";
export {
  DepthCache,
  DepthChangeDetector,
  type DepthCacheOptions,
  type DepthCacheUpdate,
  type DepthDetection,
  type DetectorOptions,
} from "./buffer.js";
export { simdAvailable } from "./simd.js";
export {
  planDepthDecode,
  executeDepthPlan,
  maskRuns,
  depthSpanTokenIds,
  checkCodes,
  type DepthDecodePlan,
  type DepthPlanStep,
  type DepthReplayStep,
  type DepthDecodeStep,
  type DepthRun,
  type DepthPlanHandlers,
  type PlanOptions,
} from "./plan.js";
