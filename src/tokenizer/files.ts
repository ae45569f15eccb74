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

/**
 * Where `tokenizer.json` may sit relative to `processor_config.json`: the flat layout (physical-intelligence/fast)
 * and the processor layout of newer `save_pretrained`, which puts the processor's `bpe_tokenizer` attribute in a
 * subfolder of that name.
 */
export const TOKENIZER_JSON_LOCATIONS = ["tokenizer.json", "bpe_tokenizer/tokenizer.json"] as const;

async function readOptional(path: string): Promise<string | undefined> {
  const fs = await import("node:fs/promises");
  try {
    return await fs.readFile(path, "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    return fail("OpenFastTokenizer.load", "dir", `must hold a readable ${path}; got ${(e as Error).message}`);
  }
}

/**
 * Read processor_config.json + tokenizer.json (+ tokenizer_config.json when present) from a folder. `tokenizer.json`
 * is read from the folder itself or from its `bpe_tokenizer/` subfolder (see {@link TOKENIZER_JSON_LOCATIONS});
 * when both exist they must be identical, so which one is used never matters.
 */
export async function readTokenizerDir(dir: string): Promise<TokenizerFiles> {
  const path = await import("node:path");
  const fn = "OpenFastTokenizer.load";
  const processorConfig = await readOptional(path.join(dir, "processor_config.json"));
  if (processorConfig === undefined) fail(fn, "dir", `must contain processor_config.json; not found in "${dir}"`);
  const found: { sub: string; text: string }[] = [];
  for (const rel of TOKENIZER_JSON_LOCATIONS) {
    const text = await readOptional(path.join(dir, rel));
    if (text !== undefined) found.push({ sub: path.dirname(rel), text });
  }
  if (found.length === 0) {
    fail(fn, "dir", `must contain ${TOKENIZER_JSON_LOCATIONS.join(" or ")} beside processor_config.json; found neither in "${dir}"`);
  }
  if (found.length > 1 && found[0].text !== found[1].text) {
    fail(fn, "dir", `must hold one tokenizer: "${dir}" has both ${TOKENIZER_JSON_LOCATIONS.join(" and ")} and they differ; remove the stale one`);
  }
  const tokenizerConfig = await readOptional(path.join(dir, found[0].sub, "tokenizer_config.json"));
  return { tokenizer: found[0].text, processorConfig, tokenizerConfig };
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
