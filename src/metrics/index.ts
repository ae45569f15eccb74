/**
 * vla-primitives/metrics — RoboEval trajectory-quality metrics (no tfjs): per-episode metric dicts with the
 * reference's exact semantics, aggregation, radar normalisation and standalone SVG charts. The per-quantity
 * kernels (path lengths, jerk sums, contact and slip counters) are in `vla-primitives/internal`.
 */
export type * from "./types.js";
export { DEFAULT_METRIC_CONFIG, validateEpisode, formatIssue, episodeList, type EpisodeIssue, type EpisodeValidation } from "./validate.js";
export { parseEpisodes } from "./parse.js";
export { EPISODE_JSON_SCHEMA } from "./episode-schema.js";
export { computeEpisodeMetrics, computeAllEpisodeMetrics, type BatchMetricOptions } from "./episode-metrics.js";
export {
  GATHER_KEYS,
  summarize,
  aggregateEpisodes,
  aggregateByTask,
  successRate,
  molmoAct2Table,
  leaderboardGlobal,
  type SummaryStats,
  type TableMean,
  type MolmoAct2Table,
} from "./aggregate.js";
export { normalizeForRadar, type Direction, type PolicyValues, type RadarNormalizeOptions, type RadarData } from "./radar.js";
export { radarChartSvg, barChartSvg, type RadarChartOptions, type BarMetric, type BarSeries, type BarChartOptions } from "./svg.js";
export {
  isSimpleLog,
  validateSimpleLog,
  timingInfo,
  computeSimpleLogMetrics,
  ROBOEVAL_BIMANUAL_PANDA_LAYOUT,
  type SimpleLog,
  type SimpleLogOptions,
  type SimpleLogMetrics,
  type TimingInfo,
} from "./simple-log.js";
export { syntheticEpisode, type SyntheticEpisodeOptions } from "./synthetic.js";
