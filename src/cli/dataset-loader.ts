import { VlaError } from "../core/index.js";
import { LeRobotDataset, type LeRobotEpisode } from "../io/index.js";
import { UsageError, type CliIo } from "./cli-io.js";
import { Progress } from "./progress.js";

/** Shared options of commands that read a LeRobot dataset. */
export const DATASET_OPTIONS = {
  "state-key": { type: "string", arg: "KEY", help: "state column (default: observation.state, state, ...)" },
  "action-key": { type: "string", arg: "KEY", help: "action column (default: action, actions)" },
  episodes: { type: "string", arg: "LIST", help: "only these episode indices, e.g. 0,1,5" },
} as const;

/** Parse `--episodes 0,1,5` (or undefined). */
export function parseEpisodeList(command: string, v: unknown): number[] | undefined {
  if (v === undefined) return undefined;
  const parts = String(v).split(",").map((s) => s.trim());
  const out = parts.map(Number);
  if (parts.some((p) => p === "") || out.some((n) => !Number.isInteger(n) || n < 0)) {
    throw new UsageError(`${command}: --episodes must be a comma-separated list of episode indices; got ${JSON.stringify(v)}`);
  }
  return out;
}

/**
 * Open a dataset folder and read its episodes, with a progress bar over data files. Bad folders,
 * missing keys or unreadable files become a {@link UsageError} naming the argument or file.
 */
export async function loadDataset(
  command: string,
  dir: string,
  values: Record<string, unknown>,
  io: CliIo,
  showProgress: boolean,
): Promise<{ ds: LeRobotDataset; episodes: LeRobotEpisode[] }> {
  let ds: LeRobotDataset;
  try {
    ds = await LeRobotDataset.open(dir, {
      stateKey: values["state-key"] as string | undefined,
      actionKey: values["action-key"] as string | undefined,
    });
  } catch (e) {
    if (e instanceof VlaError) throw new UsageError(`${command}: <dataset> ${JSON.stringify(dir)} is not a readable LeRobot dataset: ${e.message}`);
    throw e;
  }
  const wanted = parseEpisodeList(command, values.episodes);
  let bar: Progress | null = null;
  const onFile = (done: number, total: number) => {
    bar ??= new Progress(io, `${command}: reading`, total, showProgress);
    bar.update(done);
  };
  let episodes: LeRobotEpisode[];
  try {
    episodes = await ds.loadEpisodes(wanted ? { episodes: wanted, onFile } : { onFile });
  } catch (e) {
    if (e instanceof VlaError) throw new UsageError(`${command}: ${e.message}`);
    throw e;
  } finally {
    (bar as Progress | null)?.finish();
  }
  if (episodes.length === 0) throw new UsageError(`${command}: <dataset> ${JSON.stringify(dir)} has no episodes${wanted ? ` matching --episodes ${wanted.join(",")}` : ""}`);
  return { ds, episodes };
}
