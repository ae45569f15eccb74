// The memory plan (issue part 2 when no GPU is lent): float32 bytes per component from `memoryPlan`, what the
// library holds at run time on top of that, and the largest release-shaped config each backend can hold.
import os from "node:os";
import { memoryPlan, releaseShapedConfig, type MolmoAct2Config } from "../../src/model/index.js";

const GiB = 2 ** 30;
/** The wasm backend's address space as `memoryPlan` states it (wasm32: 4 GiB). */
const WASM_BYTES = memoryPlan(releaseShapedConfig(768)).limits.wasm?.bytes ?? 4 * GiB;

/** A memory budget: what a backend can address, less a stated headroom for activations, KV cache and runtime. */
export interface Budget {
  backend: "wasm" | "cpu" | "webgpu";
  where: string;
  bytes: number;
  headroom: number;
  /** Largest single tensor allowed (WebGPU: maxStorageBufferBindingSize, often 2 GiB), if limited. */
  maxTensor?: number;
}

export const BUDGETS: Budget[] = [
  { backend: "wasm", where: "Node or a browser tab (wasm32)", bytes: WASM_BYTES, headroom: 0.5 * GiB },
  { backend: "cpu", where: "Node on a 24 GB machine", bytes: 24e9, headroom: 2 * GiB },
  { backend: "webgpu", where: "browser tab, 8 GB GPU", bytes: 8 * GiB, headroom: 1 * GiB, maxTensor: 2 * GiB },
  { backend: "webgpu", where: "browser tab / Node, 24 GB GPU", bytes: 24 * GiB, headroom: 1 * GiB, maxTensor: 2 * GiB },
];

/**
 * Bytes the model holds beyond `memoryPlan`'s parameters, as the library is today: `Qwen3Decoder` splits each
 * layer's fused `ff_proj` `[d, 2I]` into long-lived up / gate halves and keeps the original too, so the text
 * MLP's input weights are held twice (measured: tfjs tensor bytes after `fromPretrained` = parameters + this,
 * to the byte, on the bench checkpoints).
 */
export function splitCopyBytes(cfg: MolmoAct2Config): number {
  return 4 * cfg.text.numHiddenLayers * cfg.text.hiddenSize * 2 * cfg.text.intermediateSize;
}

/** XNNPACK (tfjs-wasm) packs a copy of every matmul weight on first use: ≈ all parameters but the embedding table. */
export function wasmPackedBytes(cfg: MolmoAct2Config): number {
  return memoryPlan(cfg).float32Bytes - 4 * (cfg.text.vocabSize + cfg.text.additionalVocabSize) * cfg.text.hiddenSize;
}

export interface PlanRow {
  name: string;
  params: number;
  float32Bytes: number;
  largestTensorBytes: number;
  components: Record<string, number>;
  /** Tensors held on cpu / webgpu (parameters + split copies). */
  heldBytes: number;
  /** wasm heap for weights (held + XNNPACK packed copies), before activations. */
  wasmWeightBytes: number;
}

export function planRow(name: string, cfg: MolmoAct2Config): PlanRow {
  const p = memoryPlan(cfg);
  const components = Object.fromEntries(Object.entries(p.components).map(([k, v]) => [k, v.float32Bytes]));
  const heldBytes = p.float32Bytes + splitCopyBytes(cfg);
  return { name, params: p.params, float32Bytes: p.float32Bytes, largestTensorBytes: p.largestTensorBytes, components, heldBytes, wasmWeightBytes: heldBytes + wasmPackedBytes(cfg) };
}

/** The release shape with `layers` text layers and as many expert blocks (the expert reads one LLM layer each). */
export function releaseWithLayers(layers: number, expertWidth: 768 | 1024 = 768): MolmoAct2Config {
  const cfg = releaseShapedConfig(expertWidth);
  return { ...cfg, text: { ...cfg.text, numHiddenLayers: layers }, expert: cfg.expert ? { ...cfg.expert, numLayers: layers } : null };
}

export interface FitRow {
  budget: Budget;
  usable: number;
  /** Largest L (of 36) that fits as the library holds weights today, and if the split copies were freed. */
  layersToday: number;
  layersWithoutSplitCopies: number;
  /** Bytes the budget must hold for L = 1 (embedding, lm_head, ViT, connector, one layer). */
  oneLayerBytes: number;
  released: { today: [boolean, boolean]; withoutSplitCopies: [boolean, boolean] };
}

function needed(cfg: MolmoAct2Config, backend: Budget["backend"], splitCopies: boolean): number {
  const base = memoryPlan(cfg).float32Bytes + (splitCopies ? splitCopyBytes(cfg) : 0);
  return backend === "wasm" ? base + wasmPackedBytes(cfg) : base;
}

export function fitRows(): FitRow[] {
  return BUDGETS.map((b) => {
    const usable = b.bytes - b.headroom;
    const fits = (cfg: MolmoAct2Config, split: boolean) => needed(cfg, b.backend, split) <= usable && (b.maxTensor === undefined || memoryPlan(cfg).largestTensorBytes <= b.maxTensor);
    const largest = (split: boolean) => {
      let l = 0;
      for (let k = 1; k <= 36; k++) if (fits(releaseWithLayers(k), split)) l = k;
      return l;
    };
    const rel = (split: boolean): [boolean, boolean] => [fits(releaseShapedConfig(768), split), fits(releaseShapedConfig(1024), split)];
    return {
      budget: b,
      usable,
      layersToday: largest(true),
      layersWithoutSplitCopies: largest(false),
      oneLayerBytes: needed(releaseWithLayers(1), b.backend, true),
      released: { today: rel(true), withoutSplitCopies: rel(false) },
    };
  });
}

/** Measured memory of one checkpoint on the wasm backend (from the timed runs). */
export interface MeasuredMemory {
  name: string;
  float32Bytes: number;
  predictedHeldBytes: number;
  tensorBytesAfterLoad: number;
  predictedWasmWeightBytes: number;
  heapBytesPeak?: number;
}

const gb = (b: number) => (b >= 0.1e9 ? `${(b / 1e9).toFixed(2)} GB` : b >= 0.1e6 ? `${(b / 1e6).toFixed(1)} MB` : `${(b / 1e3).toFixed(0)} kB`);
const yn = (x: boolean) => (x ? "yes" : "no");

/** The memory tables as printable lines. */
export function formatPlan(rows: PlanRow[], fits: FitRow[], measured: MeasuredMemory[]): string[] {
  const comps = ["vision", "connector", "text", "lm_head", "expert"];
  const lines = ["### memory plan: float32 parameters per component (memoryPlan), and what the backends hold"];
  lines.push(`| config | parameters | ${comps.join(" | ")} | total (memoryPlan) | largest tensor | held on cpu / webgpu | wasm heap for weights |`);
  lines.push(`|---|---|${comps.map(() => "---").join("|")}|---|---|---|---|`);
  for (const r of rows) {
    lines.push(`| ${r.name} | ${(r.params / 1e6).toFixed(1)} M | ${comps.map((c) => gb(r.components[c] ?? 0)).join(" | ")} | ${gb(r.float32Bytes)} | ${gb(r.largestTensorBytes)} | ${gb(r.heldBytes)} | ${gb(r.wasmWeightBytes)} |`);
  }
  if (measured.length > 0) {
    lines.push("", "measured on wasm: tfjs tensor bytes after fromPretrained, and the wasm heap at the end (its peak)");
    lines.push("| checkpoint | float32 parameters | tensors predicted / measured | heap for weights predicted / peak measured |");
    lines.push("|---|---|---|---|");
    for (const m of measured) {
      lines.push(`| ${m.name} | ${gb(m.float32Bytes)} | ${gb(m.predictedHeldBytes)} / ${gb(m.tensorBytesAfterLoad)} | ${gb(m.predictedWasmWeightBytes)} / ${m.heapBytesPeak === undefined ? "—" : gb(m.heapBytesPeak)} |`);
    }
  }
  lines.push("", `### largest release-shaped config per backend (L of 36 text layers = expert blocks; this machine: ${(os.totalmem() / 1e9).toFixed(1)} GB RAM)`);
  lines.push("| backend | where | budget | largest L today | largest L without the split copies | L = 1 needs | released 768 / 1024 today | … without the split copies |");
  lines.push("|---|---|---|---|---|---|---|---|");
  for (const f of fits) {
    const show = (l: number) => (l > 0 ? `${l} (${(memoryPlan(releaseWithLayers(l)).params / 1e9).toFixed(2)} B params)` : "none");
    lines.push(
      `| ${f.budget.backend} | ${f.budget.where} | ${gb(f.usable)} | ${show(f.layersToday)} | ${show(f.layersWithoutSplitCopies)} | ${gb(f.oneLayerBytes)} | ${yn(f.released.today[0])} / ${yn(f.released.today[1])} | ${yn(f.released.withoutSplitCopies[0])} / ${yn(f.released.withoutSplitCopies[1])} |`,
    );
  }
  return lines;
}
