// Stage rows of the side-by-side table: ms per stage (median over rounds) for each library backend and each
// torch thread count, and the speed ratio torch ms / library ms (median of the per-round ratios; above 1.0×
// the library is faster).
import type { Mode, SizeMeasurement } from "./rounds.js";

/** One stage of one checkpoint. `ms[column]`: "wasm", "cpu", "torch-1t", …; `ratio["wasm/torch-1t"]`. */
export interface StageRow {
  size: string;
  stage: string;
  ms: Record<string, number>;
  ratio: Record<string, number>;
}

interface StageDef {
  stage: string;
  mode: Mode;
  key: string;
  /** Divide the sample by this (the flow loop's 10 steps → one step). */
  per?: number;
}

const STAGES: StageDef[] = [
  { stage: "vision (ViT + connector)", mode: "continuous", key: "visionMs" },
  { stage: "prefill (LLM over the prompt)", mode: "continuous", key: "prefillMs" },
  { stage: "expert: KV context + 10 flow steps", mode: "continuous", key: "expertMs" },
  { stage: "flow step (one velocity, all DiT blocks)", mode: "continuous", key: "flowLoopMs", per: 10 },
  { stage: "discrete decode step", mode: "discrete", key: "decodeStepMs" },
  { stage: "Think depth step", mode: "think", key: "depthStepMs" },
  { stage: "end to end: continuous chunk", mode: "continuous", key: "totalMs" },
  { stage: "end to end: Think chunk (first frame, 100 codes)", mode: "think", key: "totalMs" },
];

export function stageRows(size: string, m: SizeMeasurement): StageRow[] {
  return STAGES.map((s) => {
    const ms: Record<string, number> = {};
    for (const [col, med] of Object.entries(m.medians)) {
      const v = med[s.mode][s.key];
      if (v !== undefined && Number.isFinite(v)) ms[col] = v / (s.per ?? 1);
    }
    const ratio: Record<string, number> = {};
    for (const [pair, r] of Object.entries(m.ratios)) {
      const v = r[s.mode][s.key];
      if (v !== undefined && Number.isFinite(v)) ratio[pair] = v;
    }
    return { size, stage: s.stage, ms, ratio };
  });
}

function fmt(x: number | undefined, digits = 3): string {
  if (x === undefined || !Number.isFinite(x)) return "—";
  if (x >= 1000) return Math.round(x).toLocaleString("en-US");
  if (x >= 100) return x.toFixed(0);
  if (x >= 10) return x.toFixed(1);
  return x.toPrecision(digits);
}

/** A markdown table: ms per column, wasm Hz, then the ratios. */
export function formatRows(rows: StageRow[], columns: string[], ratios: string[]): string[] {
  const header = ["size", "stage", ...columns.map((c) => `${c} ms`), "wasm Hz", ...ratios.map((r) => r.replace("/", " vs "))];
  const body = rows.map((r) => [
    r.size,
    r.stage,
    ...columns.map((c) => fmt(r.ms[c])),
    fmt(r.ms.wasm !== undefined ? 1000 / r.ms.wasm : undefined),
    ...ratios.map((k) => (r.ratio[k] !== undefined ? `${r.ratio[k].toFixed(2)}×` : "—")),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells: string[]) => "| " + cells.map((c, i) => c.padEnd(widths[i])).join(" | ") + " |";
  return [line(header), "|" + widths.map((w) => "-".repeat(w + 2)).join("|") + "|", ...body.map(line)];
}
