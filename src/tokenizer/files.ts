import { fail } from "../core/index.js";

/**
 * Node-only file access for tokenizer folders. `node:*` modules are imported dynamically inside the
 * functions, so importing the tokenizer in a browser never touches `node:fs`.
 */

/** The two files needed to build a tokenizer, as text. */
export interface TokenizerFiles {
  tokenizer: string;
  processorConfig: string;
  tokenizerConfig?: string;
}

/** Read tokenizer.json + processor_config.json (+ tokenizer_config.json when present) from a folder. */
export async function readTokenizerDir(dir: string): Promise<TokenizerFiles> {
  const fs = await import("node:fs/promises");
  const path = await import("node:path");
  const read = (name: string) => fs.readFile(path.join(dir, name), "utf8");
  const [tokenizer, processorConfig] = await Promise.all([read("tokenizer.json"), read("processor_config.json")]);
  let tokenizerConfig: string | undefined;
  try {
    tokenizerConfig = await read("tokenizer_config.json");
  } catch {
    tokenizerConfig = undefined;
  }
  return { tokenizer, processorConfig, tokenizerConfig };
}

/** Write `{ fileName: text }` into `dir` (created if missing). */
export async function writeTokenizerDir(dir: string, files: Record<string, string>): Promise<void> {
  const fs = await import("node:fs/promises");
  const path = await import("node:path");
  await fs.mkdir(dir, { recursive: true });
  await Promise.all(Object.entries(files).map(([name, text]) => fs.writeFile(path.join(dir, name), text, "utf8")));
}

/**
 * Find `assets/fast-plus/` of this package: walks up from this module's folder (works from `src/` under
 * tsx and from `dist/` after a build). Node only.
 */
export async function findFastPlusDir(): Promise<string> {
  const fs = await import("node:fs");
  const path = await import("node:path");
  const url = await import("node:url");
  let dir = path.dirname(url.fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const cand = path.join(dir, "assets", "fast-plus");
    if (fs.existsSync(path.join(cand, "tokenizer.json"))) return cand;
    const up = path.dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  fail("loadFastPlus", "assets", "must contain assets/fast-plus/tokenizer.json next to the package; not found (use OpenFastTokenizer.load(dir) with your own copy)");
}
