import { describe, fail } from "../core/index.js";

/** One entry of `meta/info.json` → `features`. */
export interface LeRobotFeature {
  /** `float32`, `int64`, `video`, ... as written in info.json. */
  dtype: string;
  /** Per-frame shape, e.g. `[6]`. */
  shape: number[];
  /** Flat per-dimension names, or `null` when the dataset gives none. */
  names: string[] | null;
  /** For `dtype: "video"`: the `info` (v3, v2.1) or `video_info` (v2.0) block's fps and codec, when given. */
  video?: { fps: number | null; codec: string | null };
}

/** The parts of `meta/info.json` this library uses. */
export interface LeRobotInfo {
  /** `codebase_version`, e.g. `"v2.1"` or `"v3.0"`. */
  version: string;
  /** 2 or 3: the folder layout (v2: one parquet per episode; v3: many episodes per file). */
  major: number;
  /** Frames per second (Hz). */
  fps: number;
  robotType: string | null;
  totalEpisodes: number | null;
  /** `total_frames`, or null. */
  totalFrames: number | null;
  /** `chunks_size` (episodes or files per chunk folder); default 1000 as in LeRobot. */
  chunksSize: number;
  /** `data_path` template, e.g. `data/chunk-{episode_chunk:03d}/episode_{episode_index:06d}.parquet`, or null. */
  dataPath: string | null;
  /** `video_path` template, e.g. `videos/{video_key}/chunk-{chunk_index:03d}/file-{file_index:03d}.mp4`, or null. */
  videoPath: string | null;
  features: Record<string, LeRobotFeature>;
}

/** Column names of the two trajectories. */
export interface LeRobotKeys {
  state: string;
  action: string;
}

/** Candidates tried in order when the caller names no key. */
export const STATE_KEYS = ["observation.state", "state", "observation.states", "states"] as const;
export const ACTION_KEYS = ["action", "actions"] as const;

/**
 * Flatten a LeRobot `names` field: a flat list (`["j1", ...]`), a nested list (`[["j1", ...]]`,
 * as in some v2 exports) or an object of lists (`{ motors: [...] }`, LeRobot v2.0). Anything else
 * gives `null`.
 */
export function flattenNames(names: unknown): string[] | null {
  if (names === null || names === undefined) return null;
  const out: string[] = [];
  const visit = (v: unknown): boolean => {
    if (typeof v === "string") {
      out.push(v);
      return true;
    }
    if (Array.isArray(v)) return v.every(visit);
    if (typeof v === "object" && v !== null) return Object.values(v).every(visit);
    return false;
  };
  return visit(names) && out.length > 0 ? out : null;
}

/** Parse and check `meta/info.json` (already JSON-decoded). `where` names the file in errors. */
export function parseInfo(json: unknown, where = "meta/info.json"): LeRobotInfo {
  const fn = "parseInfo";
  if (typeof json !== "object" || json === null || Array.isArray(json)) fail(fn, where, `must be a JSON object; got ${describe(json)}`);
  const o = json as Record<string, unknown>;
  const version = typeof o.codebase_version === "string" ? o.codebase_version : "";
  const m = /^v?(\d+)/.exec(version);
  const major = m ? Number(m[1]) : 2;
  if (major !== 2 && major !== 3) fail(fn, where, `must be a LeRobot v2.x or v3 dataset; got codebase_version ${JSON.stringify(version)}`);
  const fps = o.fps;
  if (typeof fps !== "number" || !Number.isFinite(fps) || fps <= 0) fail(fn, where, `must have a positive "fps"; got ${describe(fps)}`);
  const rawFeatures = o.features;
  if (typeof rawFeatures !== "object" || rawFeatures === null) fail(fn, where, `must have a "features" object; got ${describe(rawFeatures)}`);
  const features: Record<string, LeRobotFeature> = {};
  for (const [key, value] of Object.entries(rawFeatures as Record<string, unknown>)) {
    const f = (value ?? {}) as Record<string, unknown>;
    features[key] = {
      dtype: typeof f.dtype === "string" ? f.dtype : "unknown",
      shape: Array.isArray(f.shape) ? f.shape.filter((x): x is number => typeof x === "number") : [],
      names: flattenNames(f.names),
    };
    if (f.dtype === "video") {
      const vi = (f.info ?? f.video_info ?? {}) as Record<string, unknown>;
      const vfps = vi["video.fps"];
      const codec = vi["video.codec"];
      features[key].video = { fps: typeof vfps === "number" && vfps > 0 ? vfps : null, codec: typeof codec === "string" ? codec : null };
    }
  }
  const str = (v: unknown) => (typeof v === "string" && v !== "" ? v : null);
  const count = (v: unknown) => (typeof v === "number" && Number.isInteger(v) && v >= 0 ? v : null);
  return {
    version,
    major,
    fps,
    robotType: typeof o.robot_type === "string" ? o.robot_type : null,
    totalEpisodes: count(o.total_episodes),
    totalFrames: count(o.total_frames),
    chunksSize: count(o.chunks_size) || 1000,
    dataPath: str(o.data_path),
    videoPath: str(o.video_path),
    features,
  };
}

/**
 * Pick the state and action columns: the caller's choice when given (checked to exist), else the
 * first of {@link STATE_KEYS} / {@link ACTION_KEYS} present in `features`.
 */
export function detectKeys(info: LeRobotInfo, override: Partial<LeRobotKeys> = {}): LeRobotKeys {
  const fn = "detectKeys";
  const keys = Object.keys(info.features);
  const pick = (arg: "state" | "action", given: string | undefined, candidates: readonly string[]): string => {
    if (given !== undefined) {
      if (!keys.includes(given)) fail(fn, arg, `must name a feature of the dataset (${keys.join(", ")}); got ${JSON.stringify(given)}`);
      return given;
    }
    const found = candidates.find((c) => keys.includes(c));
    if (found === undefined) {
      fail(fn, arg, `key not found: tried ${candidates.join(", ")}; the dataset has ${keys.join(", ")} (pass the key explicitly)`);
    }
    return found;
  };
  return { state: pick("state", override.state, STATE_KEYS), action: pick("action", override.action, ACTION_KEYS) };
}
