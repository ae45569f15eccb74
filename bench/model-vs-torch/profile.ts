// Where the wasm time goes: one continuous call and one discrete call under tf.profile, every kernel attributed
// to a phase (vision, prefill, context, flow step, flow update, decode step) by wrapping the model's LLM
// forward and expert velocity on the instance and noting the profile's kernel count at each boundary.
import * as tf from "@tensorflow/tfjs-core";
import type { MolmoAct2, Observation } from "../../src/model/index.js";

export interface OpStat {
  op: string;
  count: number;
  ms: number;
  /** Input shapes of this op's slowest single kernel in the phase. */
  slowest: { ms: number; inputShapes: number[][] };
}

/** Op families, for the matmul / data-movement / elementwise split of each phase. */
export function opFamily(op: string): "matmul" | "movement" | "elementwise" {
  if (/MatMul|Conv2D/.test(op)) return "matmul";
  if (/^(Transpose|Reshape|Concat|SplitV|Unpack|Pack|Slice|StridedSlice|GatherV2|Gather|Tile|Cast|Identity|Fill|ZerosLike|OnesLike|PadV2|Pad|Reverse|ExpandDims|Squeeze|Range)$/.test(op)) return "movement";
  return "elementwise";
}

/** Kernels of one phase; `units` = how many flow steps / decode steps it covers (1 otherwise). */
export interface PhaseProfile {
  phase: string;
  units: number;
  kernels: number;
  kernelMs: number;
  ops: OpStat[];
}

export interface WasmProfile {
  phases: PhaseProfile[];
  expertLayers: number;
  vitBlocks: number;
  textLayers: number;
}

type Fn = (...args: unknown[]) => unknown;
interface ProfileState {
  activeProfile: { kernels: { name: string; kernelTimeMs: number | { error: string } | Promise<number>; inputShapes: number[][] }[] };
}

function kernelsSoFar(): number {
  return (tf.engine().state as unknown as ProfileState).activeProfile.kernels.length;
}

/** Wrap `obj[name]` for the duration of `body`, calling `enter(args)` / `exit(args)` around each call. */
async function withWrapped<T>(obj: Record<string, unknown> | null, name: string, enter: (args: unknown[]) => void, exit: (args: unknown[]) => void, body: () => Promise<T>): Promise<T> {
  const orig = obj?.[name];
  if (!obj || typeof orig !== "function") return body();
  obj[name] = (...args: unknown[]) => {
    enter(args);
    try {
      return (orig as Fn).apply(obj, args);
    } finally {
      exit(args);
    }
  };
  try {
    return await body();
  } finally {
    obj[name] = orig;
  }
}

/**
 * Profile one continuous call (`numSteps` flow steps) and one discrete call of `decodeTokens` steps on the
 * current backend. Kernel times are tfjs's per-kernel wall clock (synchronous on wasm / cpu); tfjs's own
 * per-op overhead (dispatch, tensor bookkeeping, tidy) is what the stage's unprofiled time has on top.
 */
export async function profileModel(model: MolmoAct2, obs: Observation, decodeTokens: number): Promise<WasmProfile> {
  const marks: { at: number; phase: string; unit: boolean }[] = [];
  let mode: "continuous" | "discrete" = "continuous";
  const mark = (phase: string, unit = false) => marks.push({ at: kernelsSoFar(), phase, unit });
  const rowsOf = (args: unknown[]) => ((args[0] as tf.Tensor | undefined)?.shape?.[0] ?? 1) as number;
  const eos = model.config.eosTokenId;
  const llm = model.llm as unknown as Record<string, unknown>;
  const expert = model.expert as unknown as Record<string, unknown> | null;
  const prof = await withWrapped(
    llm,
    "forward",
    (a) => mark(rowsOf(a) > 1 ? "prefill" : "decode step", rowsOf(a) === 1),
    (a) => mark(rowsOf(a) > 1 && mode === "continuous" ? "context (KV projection, gate, masks)" : "decode step"),
    () =>
      withWrapped(
        expert,
        "velocity",
        () => mark("flow step", true),
        () => mark("flow update (Euler, masks)"),
        () =>
          tf.profile(async () => {
            mode = "continuous";
            mark("vision (ViT + connector + embed)");
            await model.predictActions(obs, { seed: 0 });
            mode = "discrete";
            mark("vision (ViT + connector + embed)");
            await model.predictActions(obs, { mode: "discrete", maxNewTokens: decodeTokens, logitsProcessor: (l) => void (l[eos] = -Infinity) });
          }),
      ),
  );
  const phases = new Map<string, { units: number; kernels: number; kernelMs: number; ops: Map<string, OpStat> }>();
  const kernels = prof.kernels;
  for (let m = 0; m < marks.length; m++) {
    const { at, phase, unit } = marks[m];
    const end = m + 1 < marks.length ? marks[m + 1].at : kernels.length;
    let p = phases.get(phase);
    if (!p) phases.set(phase, (p = { units: 0, kernels: 0, kernelMs: 0, ops: new Map() }));
    if (unit) p.units++;
    for (let k = at; k < end; k++) {
      const kern = kernels[k];
      // `<op>__op` entries are custom-gradient scopes around real kernels (their time includes the inner kernel's)
      if (kern.name.endsWith("__op")) continue;
      const ms = typeof kern.kernelTimeMs === "number" ? kern.kernelTimeMs : 0;
      p.kernels++;
      p.kernelMs += ms;
      const o = p.ops.get(kern.name) ?? { op: kern.name, count: 0, ms: 0, slowest: { ms: -1, inputShapes: [] } };
      o.count++;
      o.ms += ms;
      if (ms > o.slowest.ms) o.slowest = { ms, inputShapes: kern.inputShapes as number[][] };
      p.ops.set(kern.name, o);
    }
  }
  // the prefill runs twice (one per call) and so does vision: report them per call
  const perCall = new Set(["prefill", "vision (ViT + connector + embed)"]);
  const out: PhaseProfile[] = [];
  for (const [phase, p] of phases) {
    const units = perCall.has(phase) ? 2 : Math.max(1, p.units);
    out.push({ phase, units, kernels: p.kernels, kernelMs: p.kernelMs, ops: [...p.ops.values()].sort((a, b) => b.ms - a.ms) });
  }
  const cfg = model.config;
  return { phases: out, expertLayers: cfg.expert?.numLayers ?? 0, vitBlocks: Math.max(...cfg.adapter.vitLayers.map((l) => (l < 0 ? l + cfg.vit.numHiddenLayers : l))) + 1, textLayers: cfg.text.numHiddenLayers };
}

/** Unprofiled ms per unit of the phases, from the timed runs (`StageSample` medians of the wasm backend). */
export function phaseWallMs(m: { continuous: Record<string, number>; discrete: Record<string, number> }): Record<string, number> {
  const c = m.continuous;
  const flowStep = c.flowLoopMs !== undefined && c.flowCalls ? c.flowLoopMs / c.flowCalls : undefined;
  const out: Record<string, number | undefined> = {
    "vision (ViT + connector + embed)": c.visionMs,
    prefill: c.prefillMs,
    "flow step": flowStep,
    "decode step": m.discrete.decodeStepMs,
    "context (KV projection, gate, masks)": c.expertMs !== undefined && c.flowLoopMs !== undefined ? c.expertMs - c.flowLoopMs : undefined,
  };
  return Object.fromEntries(Object.entries(out).filter((e): e is [string, number] => e[1] !== undefined));
}

/** Markdown-ish lines: per phase, kernels and kernel ms per unit, and the top op types by time. */
export function formatProfile(name: string, p: WasmProfile, wall: Record<string, number> = {}, topOps = 6): string[] {
  const lines = [`### wasm profile ${name} (ViT ${p.vitBlocks} blocks, text ${p.textLayers} layers, expert ${p.expertLayers} blocks)`];
  lines.push("| phase | units | kernels / unit | kernel ms / unit | unprofiled ms / unit | matmul / movement / elementwise ms | top ops (count / unit, ms / unit) |");
  lines.push("|---|---|---|---|---|---|---|");
  for (const ph of p.phases) {
    const u = ph.units;
    const fam = { matmul: 0, movement: 0, elementwise: 0 };
    for (const o of ph.ops) fam[opFamily(o.op)] += o.ms / u;
    const ops = ph.ops
      .slice(0, topOps)
      .map((o) => `${o.op} ${(o.count / u).toFixed(o.count % u ? 1 : 0)} / ${(o.ms / u).toFixed(2)}`)
      .join(", ");
    const w = wall[ph.phase];
    lines.push(`| ${ph.phase} | ${u} | ${(ph.kernels / u).toFixed(0)} | ${(ph.kernelMs / u).toFixed(2)} | ${w === undefined ? "—" : w.toFixed(2)} | ${fam.matmul.toFixed(1)} / ${fam.movement.toFixed(1)} / ${fam.elementwise.toFixed(1)} | ${ops} |`);
  }
  lines.push("", "slowest single kernel of the costliest movement / elementwise ops (input shapes):");
  for (const ph of p.phases) {
    const worst = ph.ops.filter((o) => opFamily(o.op) !== "matmul").slice(0, 3);
    if (worst.length === 0) continue;
    lines.push(`- ${ph.phase}: ${worst.map((o) => `${o.op} ${JSON.stringify(o.slowest.inputShapes)} ${o.slowest.ms.toFixed(2)} ms`).join("; ")}`);
  }
  const flow = p.phases.find((x) => x.phase === "flow step");
  if (flow && p.expertLayers > 0) lines.push(`kernels per DiT block ≈ ${(flow.kernels / flow.units / p.expertLayers).toFixed(1)} (flow step / ${p.expertLayers} blocks)`);
  const dec = p.phases.find((x) => x.phase === "decode step");
  if (dec) lines.push(`kernels per decode step ≈ ${(dec.kernels / dec.units).toFixed(0)} (${(dec.kernels / dec.units / p.textLayers).toFixed(1)} per text layer, incl. lm_head + argmax + embed)`);
  return lines;
}
