/** Stage flags and subtask progress (spec §3.6). */
export interface StageResult {
  /** `{ "1": bool, ..., "K": bool }`: stage ever reached (sticky). */
  reached: Record<string, boolean>;
  /** (# stages reached) / K — a count of stages ever reached, not the furthest stage. */
  progress: number;
}

/**
 * Apply `[step, stage]` marks of an episode of `n` steps (marks at steps ≥ n never ran).
 * Returns undefined when the task defines no stages (K = 0): the reference then omits the keys.
 */
export function stageProgress(stageCount: number, marks: readonly (readonly [number, number])[], n: number): StageResult | undefined {
  if (stageCount <= 0) return undefined;
  const reached: Record<string, boolean> = {};
  for (let i = 1; i <= stageCount; i++) reached[String(i)] = false;
  for (const [step, stage] of marks) if (step < n && stage >= 1 && stage <= stageCount) reached[String(stage)] = true;
  const hit = Object.values(reached).filter(Boolean).length;
  return { reached, progress: hit / stageCount };
}
