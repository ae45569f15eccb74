import { fail } from "../core/index.js";
import type { Episode } from "./types.js";
import { episodeList, validateEpisode } from "./validate.js";

/** Like {@link validateEpisode} but throws a VlaError listing the issues (programming-error style). */
export function parseEpisode(raw: unknown, index = 0): Episode {
  const v = validateEpisode(raw, index);
  if (!v.ok) fail("parseEpisode", "episode", `must be a valid episode log; ${v.reason}`);
  return v.episode;
}

/** Parse a whole log (`{episodes: [...]}`, an array, or one episode); throws on the first bad episode. */
export function parseEpisodes(json: unknown): Episode[] {
  return episodeList(json).map((e, i) => parseEpisode(e, i));
}
