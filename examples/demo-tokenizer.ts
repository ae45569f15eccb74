/**
 * `npm run demo` (tokenizer part): tokenize a real trajectory with FAST+ and show ids, compression and
 * round-trip error. Data: one Unitree G1 + Inspire hands episode (MIT, examples/data/g1-inspire-bottle/NOTICE.md);
 * tokenizer: the official FAST+ files (Apache-2.0, assets/fast-plus/NOTICE.md). Nothing is downloaded.
 *
 *   npx tsx examples/demo-tokenizer.ts
 */
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { computeStats, normalize, unnormalize } from "../src/normalize/index.js";
import { discretizeState, stateString } from "../src/state/index.js";
import { loadFastPlus } from "../src/tokenizer/index.js";

const here = dirname(fileURLToPath(import.meta.url));

interface Episode {
  robot_type: string;
  fps: number;
  num_frames: number;
  action_names: string[];
  action: number[][];
  state: number[][];
}

export interface TokenizerDemoRow {
  chunk: number;
  start: number;
  tokens: number;
  ratio: number;
  /** Max abs round-trip error in normalized units ([-1, 1]). */
  errNorm: number;
  /** Max abs round-trip error in raw units (rad for arms, 0..1 for hands). */
  errRaw: number;
}

export interface TokenizerDemoResult {
  rows: TokenizerDemoRow[];
  totalTokens: number;
  totalValues: number;
  maxErrRaw: number;
}

const pad = (s: string | number, n: number) => String(s).padStart(n);

/** Run the tokenizer demo; prints a table through `log` (default console.log) and returns the numbers. */
export async function runTokenizerDemo(log: (line: string) => void = console.log): Promise<TokenizerDemoResult> {
  const ep = JSON.parse(readFileSync(join(here, "data", "g1-inspire-bottle", "episode_000001.json"), "utf8")) as Episode;
  const tok = await loadFastPlus();
  const H = ep.fps; // one-second chunks
  const D = ep.action[0].length;
  log(`FAST+ tokenizer (scale ${tok.scale}, min_token ${tok.minToken}, ${tok.vocabSize} ids) on ${ep.robot_type}: ${ep.num_frames} frames at ${ep.fps} fps, ${D} action dims`);
  const stats = computeStats(ep.action); // q01/q99 of this episode (numpy linear quantiles)
  const norm = normalize(ep.action, stats); // MolmoAct2 q01_q99: [-1, 1], clipped; a float64 ndarray [frames, D]
  log(`normalized with this episode's 1st/99th percentiles; one-second chunks of ${H}x${D} = ${H * D} values\n`);
  log(`| chunk | frames    | tokens | values/token | max err (norm) | max err (raw) | first ids`);
  log(`|-------|-----------|--------|--------------|----------------|---------------|----------`);
  const rows: TokenizerDemoRow[] = [];
  for (let c = 0, start = 0; start + H <= norm.shape[0]; c++, start += H) {
    const chunk = norm.lo(start, 0).hi(H, D); // rows start..start+H-1: a view, no copy
    const ids = tok.encode(chunk);
    const r = tok.decode(ids, { horizon: H, dim: D });
    if (!r.ok) throw new Error(`demo: chunk ${c} did not round-trip: ${r.message}`);
    const raw = unnormalize(r.actions, stats);
    // compare with the clipped original: normalization clips outliers beyond q01/q99
    const clipped = unnormalize(chunk, stats);
    let errNorm = 0;
    let errRaw = 0;
    for (let t = 0; t < H; t++)
      for (let d = 0; d < D; d++) {
        errNorm = Math.max(errNorm, Math.abs(r.actions.get(t, d) - chunk.get(t, d)));
        errRaw = Math.max(errRaw, Math.abs(raw.get(t, d) - clipped.get(t, d)));
      }
    const row = { chunk: c, start, tokens: ids.length, ratio: (H * D) / ids.length, errNorm, errRaw };
    rows.push(row);
    log(`| ${pad(c, 5)} | ${pad(`${start}-${start + H - 1}`, 9)} | ${pad(ids.length, 6)} | ${pad(row.ratio.toFixed(1), 12)} | ${pad(errNorm.toFixed(4), 14)} | ${pad(errRaw.toFixed(4), 13)} | ${ids.slice(0, 8).join(" ")}${ids.length > 8 ? " …" : ""}`);
  }
  const totalTokens = rows.reduce((s, r) => s + r.tokens, 0);
  const totalValues = rows.length * H * D;
  const maxErrRaw = Math.max(...rows.map((r) => r.errRaw));
  log(`\n${rows.length} chunks: ${totalValues} values -> ${totalTokens} tokens (${(totalValues / totalTokens).toFixed(1)} values per token, ${(totalTokens / rows.length).toFixed(1)} tokens per second of motion)`);
  log(`round-trip error: max ${Math.max(...rows.map((r) => r.errNorm)).toFixed(4)} normalized, ${maxErrRaw.toFixed(4)} raw units (bound per dim: sqrt(${H})*0.5/${tok.scale} = ${(Math.sqrt(H) * 0.5 / tok.scale).toFixed(3)} normalized, L2)`);
  const s0 = normalize(ep.state[0], computeStats(ep.state));
  log(`state of frame 0 as MolmoAct2 tokens: ${stateString(discretizeState(s0)).slice(0, 96)}…`);
  return { rows, totalTokens, totalValues, maxErrRaw };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) await runTokenizerDemo();
