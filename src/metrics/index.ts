/**
 * vla-primitives/metrics — RoboEval trajectory-quality metrics (no tfjs): per-episode metric dicts with the
 * reference's exact semantics, aggregation, radar normalisation and standalone SVG charts.
 */
export type * from "./types.js";
export { DEFAULT_METRIC_CONFIG, validateEpisode, formatIssue, episodeList, type EpisodeIssue, type EpisodeValidation } from "./validate.js";
export { parseEpisode, parseEpisodes } from "./parse.js";
export { EPISODE_JSON_SCHEMA } from "./episode-schema.js";
export { diffNorm, norm, pathLength, quaternionAngle, orientationPathLength } from "./kinematics.js";
export { accumulateJerk, type JerkSums } from "./jerk.js";
export { COLLISION_MARGIN, countCollisions, type CollisionCounts } from "./contacts.js";
export { countSlips, roundTenth, type SlipCounts } from "./slips.js";
export { stageProgress, type StageResult } from "./stages.js";
export { computeEpisodeMetrics, computeAllEpisodeMetrics, scoreEpisode, type ScoredEpisode, type BatchMetricOptions } from "./episode-metrics.js";
export {
  GATHER_KEYS,
  MOLMOACT2_KEYS,
  quantileLinear,
  summarize,
  scalarMetric,
  aggregateEpisodes,
  aggregateByTask,
  successRate,
  molmoAct2Table,
  leaderboardGlobal,
  type SummaryStats,
  type TableMean,
  type MolmoAct2Table,
} from "./aggregate.js";
export { METRIC_DIRECTIONS, normalizeForRadar, type Direction, type PolicyValues, type RadarNormalizeOptions, type RadarData } from "./radar.js";
export { POLICY_COLORS, escapeXml, formatValue, niceMax, radarChartSvg, barChartSvg, type RadarChartOptions, type BarMetric, type BarSeries, type BarChartOptions } from "./svg.js";
export {
  isSimpleLog,
  defaultArmDims,
  validateSimpleLog,
  timingInfo,
  simpleLogToEpisode,
  computeSimpleLogMetrics,
  ROBOEVAL_BIMANUAL_PANDA_LAYOUT,
  type SimpleLog,
  type SimpleLogOptions,
  type SimpleLogMetrics,
  type TimingInfo,
} from "./simple-log.js";
export { syntheticEpisode, type SyntheticEpisodeOptions } from "./synthetic.js";
