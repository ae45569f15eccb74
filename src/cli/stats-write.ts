import type { LeRobotDataset } from "../io/index.js";
import { EMBODIMENT_PRESETS, lerobotStatsJson, molmoAct2NormStatsJson, openpiNormStatsJson, type EmbodimentPreset, type PercentileStats } from "../normalize/index.js";
import { intOption, type ParsedArgs } from "./args.js";
import { UsageError } from "./cli-io.js";
import { checkOutFile, writeOutFile } from "./output.js";

export type StatsFormat = "lerobot" | "openpi" | "molmoact2";

/** Options of `stats --write`, added to the stats command's. */
export const WRITE_OPTIONS = {
  write: { type: "string", arg: "FORMAT", help: "write normalization stats as lerobot (meta/stats.json), openpi or molmoact2 (norm_stats.json)" },
  out: { type: "string", short: "o", arg: "FILE", help: "where --write writes (default: <dataset>/meta/stats.json, <dataset>/norm_stats.json, <dataset>/norm_stats.molmoact2.json); lerobot keeps the other features of the stats.json it replaces or of the dataset's own" },
  force: { type: "boolean", help: "let --write replace an existing file" },
  tag: { type: "string", arg: "TAG", help: "molmoact2: the embodiment tag (a known tag also sets setup, control mode, horizon, gripper rule, cameras); default the folder name" },
  horizon: { type: "string", arg: "N", help: "molmoact2: action_horizon (default: the tag's, else round(fps), one second)" },
  "normalize-gripper": { type: "boolean", help: "molmoact2: normalize dims named gripper too (default: they pass through, unless the tag says otherwise)" },
} as const;

function defaultOut(dir: string, format: StatsFormat, join: (...p: string[]) => string): string {
  if (format === "lerobot") return join(dir, "meta", "stats.json");
  return join(dir, format === "openpi" ? "norm_stats.json" : "norm_stats.molmoact2.json");
}

/**
 * Write the pooled stats (numpy linear quantiles over every frame of the episodes read) in one of the three
 * formats. Checks the output path first; never replaces a file without `--force`. Returns the path written.
 */
export async function writeStats(
  cmd: string,
  format: StatsFormat,
  values: ParsedArgs["values"],
  dir: string,
  ds: LeRobotDataset,
  stats: { state: PercentileStats; action: PercentileStats },
): Promise<string> {
  const path = await import("node:path");
  const fs = await import("node:fs/promises");
  const out = (values.out as string | undefined) ?? defaultOut(dir, format, path.join);
  await checkOutFile(cmd, "--out", out, { overwrite: values.force === true });
  let text: string;
  if (format === "lerobot") {
    // Keep the other features (images, timestamps) of the file being replaced, or else of the dataset's own
    // meta/stats.json, so the result is a whole stats.json.
    const own = path.join(dir, "meta", "stats.json");
    let base: Record<string, unknown> | undefined;
    for (const f of [out, own]) {
      const text = await fs.readFile(f, "utf8").catch(() => undefined);
      if (text === undefined) continue;
      try {
        base = JSON.parse(text) as Record<string, unknown>;
      } catch {
        throw new UsageError(`${cmd}: ${f === out ? `--out ${JSON.stringify(out)}` : JSON.stringify(own)} is not JSON, so its other features cannot be kept; move it away to write a new one`);
      }
      break;
    }
    text = lerobotStatsJson({ [ds.keys.state]: stats.state, [ds.keys.action]: stats.action }, base);
  } else if (format === "openpi") {
    text = openpiNormStatsJson({ state: stats.state, actions: stats.action });
  } else {
    const tag = (values.tag as string | undefined) ?? path.basename(path.resolve(dir));
    const preset = (EMBODIMENT_PRESETS as Record<string, EmbodimentPreset>)[tag] as EmbodimentPreset | undefined;
    const horizon = intOption(cmd, values, "horizon", 1, 100_000) ?? preset?.actionHorizon ?? Math.max(1, Math.round(ds.fps));
    const names = ds.names;
    text = molmoAct2NormStatsJson({
      tag,
      action: stats.action,
      state: stats.state,
      actionKey: ds.keys.action,
      stateKey: ds.keys.state,
      cameraKeys: preset?.cameraKeys.length ? [...preset.cameraKeys] : ds.cameraKeys,
      normalizeGripper: values["normalize-gripper"] === true || (preset?.normalizeGripper ?? false),
      actionHorizon: horizon,
      nActionSteps: horizon,
      setupType: preset?.setupType,
      controlMode: preset?.controlMode,
      actionNames: names.action,
      stateNames: names.state,
    });
  }
  await writeOutFile(cmd, "--out", out, text);
  return out;
}
