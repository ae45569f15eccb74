import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import os from "node:os";

export interface BenchRow {
  /** What was measured, e.g. "encode 30x14". */
  name: string;
  /** Work items per second (chunks/s, frames/s, episodes/s ...). */
  opsPerSec: number;
  /** Unit of one op, e.g. "chunk". */
  unit: string;
  /** Median milliseconds per op. */
  msPerOp: number;
  /** Optional target (ops/s) from the issue; the table shows whether it is met. */
  target?: number;
  /** Free-form extra numbers (GFLOP/s, speed-ups ...). */
  extra?: Record<string, number | string>;
}

/**
 * Time `fn` (which performs `opsPerCall` ops) for about `minMs` after `warmup` calls; returns the
 * median of per-call timings, so one slow GC pause does not move the number.
 */
export async function measure(
  name: string,
  unit: string,
  fn: () => unknown | Promise<unknown>,
  opts: { opsPerCall?: number; minMs?: number; warmup?: number; minRuns?: number; target?: number; extra?: BenchRow["extra"] } = {},
): Promise<BenchRow> {
  const opsPerCall = opts.opsPerCall ?? 1;
  const minMs = opts.minMs ?? 1500;
  const minRuns = opts.minRuns ?? 5;
  for (let i = 0; i < (opts.warmup ?? 3); i++) await fn();
  const times: number[] = [];
  const start = performance.now();
  while (times.length < minRuns || performance.now() - start < minMs) {
    const t0 = performance.now();
    await fn();
    times.push(performance.now() - t0);
    if (times.length > 100000) break;
  }
  times.sort((a, b) => a - b);
  const median = times[Math.floor(times.length / 2)];
  const msPerOp = median / opsPerCall;
  return { name, unit, opsPerSec: 1000 / msPerOp, msPerOp, target: opts.target, extra: opts.extra };
}

function fmt(x: number): string {
  if (Number.isNaN(x)) return "—"; // rows that are ratios, not timings
  if (!Number.isFinite(x)) return String(x);
  if (x >= 1000) return Math.round(x).toLocaleString("en-US");
  if (x >= 10) return x.toFixed(1);
  return x.toPrecision(3);
}

/** Print a table and write `bench/results/<suite>.json` (plus a timestamped copy). */
export function report(suite: string, rows: BenchRow[], meta: Record<string, unknown> = {}): void {
  const header = ["case", "ops/s", "unit", "ms/op", "target", "met", "extra"];
  const body = rows.map((r) => [
    r.name,
    fmt(r.opsPerSec),
    r.unit,
    fmt(r.msPerOp),
    r.target === undefined ? "" : fmt(r.target),
    r.target === undefined ? "" : r.opsPerSec >= r.target ? "yes" : "NO",
    r.extra ? Object.entries(r.extra).map(([k, v]) => `${k}=${typeof v === "number" ? fmt(v) : v}`).join(" ") : "",
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells: string[]) => "| " + cells.map((c, i) => c.padEnd(widths[i])).join(" | ") + " |";
  console.log(`\n## ${suite}`);
  console.log(line(header));
  console.log("|" + widths.map((w) => "-".repeat(w + 2)).join("|") + "|");
  for (const b of body) console.log(line(b));
  const dir = join(dirname(fileURLToPath(import.meta.url)), "results");
  mkdirSync(dir, { recursive: true });
  const json = {
    suite,
    date: new Date().toISOString(),
    machine: { cpus: os.cpus().length, cpu: os.cpus()[0]?.model, node: process.version, platform: `${os.platform()}-${os.arch()}` },
    ...meta,
    rows,
  };
  writeFileSync(join(dir, `${suite}.json`), JSON.stringify(json, null, 2));
  console.log(`wrote bench/results/${suite}.json`);
}
