/**
 * `vla-primitives/flow`: flow-matching sampling and training on tfjs, independent of any VLM: Euler / midpoint / Heun
 * integration from noise to data with seeded or injected noise and dim/horizon masks, the training loss with K flow
 * samples per chunk, time samplers (MolmoAct2 and openpi schedules) and the two time conventions. See docs/flow.md.
 */
export { sample, type SampleOptions, type VelocityFn, type FlowMethod } from "./sampler.js";
export { flowMatchingLoss, interpolate, type FlowLossOptions, type TrainVelocityFn } from "./loss.js";
export {
  eulerGrid,
  sampleFlowTimes,
  toMolmoAct2Time,
  toOpenpiTime,
  VELOCITY_SIGN_BETWEEN_CONVENTIONS,
  MOLMOACT2_TIME_SAMPLER,
  OPENPI_TIME_SAMPLER,
  type TimeConvention,
  type OpenpiGridStyle,
  type TimeSamplerOptions,
} from "./time.js";
export { trajectoryMask, type TrajectoryMaskOptions } from "./masks.js";
export { gaussianVelocity } from "./gaussian.js";
