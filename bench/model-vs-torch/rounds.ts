// Measures one checkpoint on every side (library backends, torch thread counts) in alternating rounds: each
// round makes the same call on every side back to back (the order flips every round), so a burst of load on a
// shared machine hits both columns of a ratio. Ratios are the median over rounds of the per-round ratio.
import { useBackend, type BackendName } from "../../src/nn/index.js";
import type { MolmoAct2, Observation } from "../../src/model/index.js";
import { LibrarySide, wasmHeapBytes } from "./library-runner.js";
import { median, type ModeRuns, type StageSample } from "./stats.js";
import { TorchSide, type TorchEnv, type TorchJob } from "./torch-runner.js";

export type Mode = "continuous" | "think" | "discrete";

export interface SizeRuns {
  continuous: number;
  think: number;
  discrete: number;
  decodeTokens: number;
}

/** Everything measured on one checkpoint. */
export interface SizeMeasurement {
  /** Per column ("wasm", "cpu", "torch-1t", …) and mode: the timed samples, one per round. */
  samples: Record<string, Record<Mode, StageSample[]>>;
  medians: Record<string, ModeRuns>;
  /** `ratios["wasm/torch-1t"].continuous.totalMs` = median over rounds of torch ms / wasm ms. */
  ratios: Record<string, Record<Mode, StageSample>>;
  loadS: Record<string, number>;
  torchInfo: Record<string, { torch: string; params: number }>;
  errors: string[];
  /** Library memory: tfjs tensor bytes after loading and (wasm) the heap at the end. */
  memory: Record<string, { tensorBytesAfterLoad: number; heapBytesPeak?: number }>;
}

export interface MeasureOptions {
  dir: string;
  runs: SizeRuns;
  backends: BackendName[];
  torch?: { env: TorchEnv; threads: number[]; job: Omit<TorchJob, "threads" | "checkpoint"> };
  obs: Observation;
  log: (s: string) => void;
  /** Called with the plain wasm model after its timed rounds (the profile). */
  afterPlain?: (model: MolmoAct2) => Promise<void>;
}

interface Side {
  name: string;
  call(mode: Mode, arg: number): Promise<StageSample>;
}

function librarySide(s: LibrarySide): Side {
  return { name: s.name, call: (m, a) => (m === "continuous" ? s.continuous(a) : m === "think" ? s.think(a) : s.discrete(a)) };
}

function torchSide(s: TorchSide): Side {
  return { name: s.name, call: (m, a) => s.call(m === "discrete" ? { cmd: m, tokens: a } : { cmd: m, seed: a }) };
}

const emptyModes = (): Record<Mode, StageSample[]> => ({ continuous: [], think: [], discrete: [] });

export async function measureSize(o: MeasureOptions): Promise<SizeMeasurement> {
  const out: SizeMeasurement = { samples: {}, medians: {}, ratios: {}, loadS: {}, torchInfo: {}, errors: [], memory: {} };
  // the reference loads in its own process while the library loads here
  const torchStarts = (o.torch?.threads ?? []).map((n) =>
    TorchSide.start(o.torch!.env, { ...o.torch!.job, checkpoint: o.dir, threads: n }, o.log).catch((e: Error) => e),
  );
  const plain: LibrarySide[] = [];
  for (const b of o.backends) plain.push(await LibrarySide.open(o.dir, b, false, o.obs, o.log));
  const torch: TorchSide[] = [];
  for (const t of await Promise.all(torchStarts)) {
    if (t instanceof Error) {
      out.errors.push(t.message);
      o.log(`  [torch] failed to start: ${t.message}`);
    } else {
      torch.push(t);
      out.loadS[t.name] = t.info.loadS;
      out.torchInfo[t.name] = { torch: t.info.torch, params: t.info.params };
    }
  }
  for (const p of plain) {
    out.loadS[p.name] = p.loadS;
    out.memory[p.name] = { tensorBytesAfterLoad: p.tensorBytesAfterLoad };
  }
  let alive: Side[] = [...plain.map(librarySide), ...torch.map(torchSide)];
  for (const s of alive) out.samples[s.name] = emptyModes();

  let round = 0;
  const rounds = async (mode: Mode, n: number, arg: (i: number) => number, record = true) => {
    for (let i = 0; i < n; i++) {
      const order = round++ % 2 === 0 ? alive : [...alive].reverse();
      const line: string[] = [];
      for (const side of order) {
        try {
          const s = await side.call(mode, arg(i));
          if (record) out.samples[side.name][mode].push(s);
          line.push(`${side.name} ${(s.totalMs ?? s.decodeStepMs ?? 0).toFixed(s.totalMs === undefined ? 1 : 0)}`);
        } catch (e) {
          out.errors.push(`${side.name} ${mode}: ${(e as Error).message}`);
          o.log(`  [${side.name}] ${mode} failed: ${(e as Error).message}; dropped from the remaining rounds`);
          alive = alive.filter((x) => x !== side);
        }
      }
      o.log(`  ${record ? `${mode} ${i + 1}/${n}` : `warm-up (${mode})`}: ${line.join(", ")} ms${mode === "discrete" ? " per decode step" : ""}`);
    }
  };
  try {
    await rounds("continuous", 1, () => 0, false);
    await rounds("continuous", o.runs.continuous, (i) => i + 1);
    await rounds("discrete", o.runs.discrete, () => o.runs.decodeTokens);
    const wasm = plain.find((p) => p.backend === "wasm");
    if (wasm && o.afterPlain) await o.afterPlain(wasm.model);
  } finally {
    for (const p of plain) p.dispose();
  }
  if (o.runs.think > 0) {
    const think: LibrarySide[] = [];
    try {
      for (const b of o.backends) think.push(await LibrarySide.open(o.dir, b, true, o.obs, o.log));
      const names = new Set(think.map((t) => t.name));
      alive = [...think.map(librarySide), ...alive.filter((s) => !names.has(s.name as BackendName))];
      await rounds("think", o.runs.think, (i) => i);
    } finally {
      for (const t of think) t.dispose();
    }
  }
  for (const t of torch) await t.close();
  if (o.backends.includes("wasm")) {
    await useBackend("wasm");
    out.memory.wasm.heapBytesPeak = wasmHeapBytes();
  }
  for (const [name, modes] of Object.entries(out.samples)) {
    out.medians[name] = { continuous: median(modes.continuous), think: median(modes.think), discrete: median(modes.discrete) };
  }
  for (const lib of o.backends) {
    for (const t of torch) {
      const ratio: Record<Mode, StageSample> = { continuous: {}, think: {}, discrete: {} };
      for (const mode of ["continuous", "think", "discrete"] as Mode[]) {
        const a = out.samples[lib]?.[mode] ?? [];
        const b = out.samples[t.name]?.[mode] ?? [];
        const n = Math.min(a.length, b.length);
        const per = Array.from({ length: n }, (_, i) => Object.fromEntries(Object.keys(a[i]).filter((k) => k in b[i]).map((k) => [k, b[i][k] / a[i][k]])));
        ratio[mode] = median(per);
      }
      out.ratios[`${lib}/${t.name}`] = ratio;
    }
  }
  return out;
}
