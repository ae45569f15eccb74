import { readFileSync } from "node:fs";
import { join } from "node:path";
import { OpenFastTokenizer } from "../../src/tokenizer/index.js";

/** FAST+ from the repo's assets/ (present without ../shared). */
export const FAST_PLUS_DIR = join(import.meta.dirname, "..", "..", "assets", "fast-plus");

let cached: OpenFastTokenizer | undefined;
export function fastPlus(): OpenFastTokenizer {
  cached ??= OpenFastTokenizer.fromJSON({
    tokenizer: readFileSync(join(FAST_PLUS_DIR, "tokenizer.json"), "utf8"),
    processorConfig: readFileSync(join(FAST_PLUS_DIR, "processor_config.json"), "utf8"),
  });
  return cached;
}

export { maxAbsDiff } from "../util.js";

export function rows(flat: ArrayLike<number>, dim: number): number[][] {
  const out: number[][] = [];
  for (let i = 0; i < flat.length; i += dim) out.push(Array.from({ length: dim }, (_, d) => flat[i + d]));
  return out;
}
