// Small shared types and the per-key median of repeated runs.

/** One timed call: ms per stage and counts, keyed as in the torch driver's JSON. */
export type StageSample = Record<string, number>;

/** Per-key medians per mode. */
export interface ModeRuns {
  continuous: StageSample;
  think: StageSample;
  discrete: StageSample;
}

/** The median of every key over the samples (empty when there are none). */
export function median(samples: readonly StageSample[]): StageSample {
  const out: StageSample = {};
  if (samples.length === 0) return out;
  for (const key of Object.keys(samples[0])) {
    const v = samples.map((s) => s[key]).filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
    if (v.length === 0) continue;
    const m = v.length >> 1;
    out[key] = v.length % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
  }
  return out;
}
