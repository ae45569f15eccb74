// Tokenizer benchmarks: FAST+ encode/decode throughput on realistic smooth normalized chunks, fit time on
// 10k chunks, and a fuzz bench of random id sequences. `npm run bench -- tokenizer`.
import { Rng } from "../src/core/index.js";
import { OpenFastTokenizer, loadFastPlus } from "../src/tokenizer/index.js";
import { measure, report, type BenchRow } from "./lib.js";

/** Smooth trajectories in about [-1, 1] (random low-frequency sines per dim, like normalized joint motion). */
function chunks(n: number, T: number, D: number, seed: number): Float64Array[] {
  const rng = new Rng(seed);
  return Array.from({ length: n }, () => {
    const x = new Float64Array(T * D);
    for (let d = 0; d < D; d++) {
      const [a, b, c, ph] = rng.normals(4);
      for (let t = 0; t < T; t++) {
        const u = t / T;
        x[t * D + d] = Math.tanh(0.5 * a + 0.3 * b * Math.sin(Math.PI * u + ph) + 0.15 * c * u);
      }
    }
    return x;
  });
}

/**
 * Ops per second of CPU time (process.cpuUsage), which a busy shared machine distorts far less than wall time:
 * waiting for a core is not counted. Reported next to the wall-clock number.
 */
function cpuRate(fn: () => void, ops: number, minMs = 1000): number {
  let done = 0;
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  while (performance.now() - t0 < minMs) {
    fn();
    done += ops;
  }
  const c = process.cpuUsage(c0);
  return done / ((c.user + c.system) / 1e6);
}

function withCpu(row: BenchRow, fn: () => void, ops: number): BenchRow {
  row.extra = { ...row.extra, cpuOpsPerSec: cpuRate(fn, ops) };
  return row;
}

export async function run(): Promise<void> {
  const tok = await loadFastPlus();
  const rows: BenchRow[] = [];
  for (const D of [14, 32]) {
    const T = 30;
    // 10k distinct chunks: more than the tokenizer's word cache (4096), so cycling through them never hits it
    const data = chunks(10_000, T, D, D);
    const ids = data.map((c) => tok.encode(c, { horizon: T, dim: D }));
    const meanTokens = ids.reduce((s, x) => s + x.length, 0) / ids.length;
    let i = 0;
    const enc = () => {
      for (let k = 0; k < 100; k++) tok.encode(data[i++ % data.length], { horizon: T, dim: D });
    };
    rows.push(withCpu(await measure(`encode ${T}x${D} (FAST+)`, "chunk", enc, { opsPerCall: 100, target: 100_000, extra: { tokens: meanTokens, distinctChunks: data.length } }), enc, 100));
    const again = () => {
      for (let k = 0; k < 100; k++) tok.encode(data[0], { horizon: T, dim: D });
    };
    rows.push(withCpu(await measure(`encode ${T}x${D} same chunk again (word cache)`, "chunk", again, { opsPerCall: 100, target: 100_000 }), again, 100));
    let j = 0;
    const dec = () => {
      for (let k = 0; k < 100; k++) tok.decode(ids[j++ % ids.length], { horizon: T, dim: D });
    };
    rows.push(withCpu(await measure(`decode ${T}x${D} (FAST+)`, "chunk", dec, { opsPerCall: 100, target: 200_000, extra: { tokens: meanTokens } }), dec, 100));
    // same work without the number[][] / coefficient arrays per call: the chunk lands in a reused Float64Array
    const out = new Float64Array(T * D);
    let j2 = 0;
    const decInto = () => {
      for (let k = 0; k < 100; k++) tok.decodeInto(ids[j2++ % ids.length], { horizon: T, dim: D }, out);
    };
    rows.push(withCpu(await measure(`decodeInto ${T}x${D} (FAST+, Float64Array out)`, "chunk", decInto, { opsPerCall: 100, target: 200_000, extra: { tokens: meanTokens } }), decInto, 100));
  }
  // fuzz: random id sequences (1..64 ids over 0..2100, some negative) through strict decode
  const rng = new Rng(99);
  const fuzz = Array.from({ length: 5000 }, () => Array.from({ length: 1 + Math.floor(rng.uniform() * 64) }, () => Math.floor(rng.uniform() * 2110) - 5));
  let f = 0;
  let okCount = 0;
  const fuzzRow = await measure("decode random ids (fuzz, strict)", "sequence", () => {
    for (let k = 0; k < 100; k++) if (tok.decode(fuzz[f++ % fuzz.length], { horizon: 30, dim: 14 }).ok) okCount++;
  }, { opsPerCall: 100 });
  fuzzRow.extra = { decodedOk: okCount, tried: f };
  rows.push(fuzzRow);
  // fit on 10k chunks (30x14), vocab 1024
  const fitData = chunks(10_000, 30, 14, 7);
  const t0 = performance.now();
  let merges = 0;
  const fitted = OpenFastTokenizer.fit(fitData, { vocabSize: 1024, horizon: 30, dim: 14, onProgress: (p) => void (merges = p.phase === "merge" ? p.done : merges) });
  const fitMs = performance.now() - t0;
  rows.push({ name: "fit 10k chunks 30x14 vocab 1024", unit: "fit", opsPerSec: 1000 / fitMs, msPerOp: fitMs, extra: { merges, realizedVocab: fitted.vocabSize } });
  // machine load changes every number above: report a scalar multiply-add baseline next to them
  const a = new Float64Array(1000).map((_, k) => Math.sin(k));
  const tb = performance.now();
  let acc = 0;
  for (let r = 0; r < 20_000; r++) for (let k = 0; k < 1000; k++) acc += a[k] * 1.0001;
  const nsPerMadd = ((performance.now() - tb) * 1e6) / 2e7;
  report("tokenizer", rows, { nsPerMultiplyAdd: nsPerMadd, loadavg: (await import("node:os")).loadavg(), acc });
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
