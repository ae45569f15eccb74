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

/** Print a warning on stderr the one way every command does. */
export function warn(io: CliIo, command: string, message: string): void {
  io.stderr(`vla-primitives ${command}: warning: ${message}\n`);
}

/** Open a dataset folder (no episodes read); warnings go to stderr as they come. */
export async function openDataset(command: string, dir: string, values: Record<string, unknown>, io: CliIo): Promise<LeRobotDataset> {
  try {
    return await LeRobotDataset.open(dir, {
      stateKey: values["state-key"] as string | undefined,
      actionKey: values["action-key"] as string | undefined,
      onWarning: (m) => warn(io, command, m),
    });
  } catch (e) {
    if (e instanceof VlaError) throw new UsageError(`${command}: <dataset> ${JSON.stringify(dir)} is not a readable LeRobot dataset: ${e.message}`);
    throw e;
  }
}

/** The first non-finite state/action value, named by file, episode, frame and dimension. */
function checkFinite(command: string, episodes: readonly LeRobotEpisode[]): void {
  for (const ep of episodes) {
    for (const which of ["state", "action"] as const) {
      const { data } = ep[which];
      const dim = ep[which].shape[1];
      for (let i = 0; i < data.length; i++) {
        if (!Number.isFinite(data[i])) {
          throw new UsageError(`${command}: ${ep.file ?? "a data file"} holds ${data[i]} in ${ep.keys[which]} of episode ${ep.episodeIndex}, frame ${Math.floor(i / dim)}, dimension ${i % dim} (a corrupt or unfinished file?)`);
        }
      }
    }
  }
}

/**
 * Open a dataset folder and read its episodes, with a progress bar over data files. Bad folders,
 * missing keys, unreadable files or non-finite values become a {@link UsageError} naming the argument or file.
 */
export async function loadDataset(
  command: string,
  dir: string,
  values: Record<string, unknown>,
  io: CliIo,
  showProgress: boolean,
): Promise<{ ds: LeRobotDataset; episodes: LeRobotEpisode[] }> {
  const ds = await openDataset(command, dir, values, io);
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
  checkFinite(command, episodes);
  return { ds, episodes };
}
