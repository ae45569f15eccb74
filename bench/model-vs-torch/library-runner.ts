// This library's side of the comparison: one MolmoAct2 loaded on one backend, answering the same timed calls the
// torch driver answers — a continuous chunk, a Think first-frame chunk (all 100 codes decoded, <depth_end>
// forced after them) and a fixed number of discrete decode steps (EOS banned so every run does the same work).
//
// The plain model and the Think model are loaded one after the other, never together: on wasm the heap holds
// the float32 parameters, the model's derived tensors and XNNPACK's packed copy of every matmul weight
// (together ~2.5× the parameters), so two models at once would halve the largest size that can be measured.
import * as tf from "@tensorflow/tfjs-core";
import { MolmoAct2, type ActionPrediction, type ActionTokenizer, type Observation } from "../../src/model/index.js";
import { useBackend, type BackendName } from "../../src/nn/index.js";
import type { StageSample } from "./stats.js";

/** Discrete mode needs an action tokenizer; the timed runs stop on the token budget before anything is decoded. */
const NO_DECODE: ActionTokenizer = { decode: () => ({ ok: false, reason: "bench: not decoded" }) };

type Velocity = (...args: unknown[]) => unknown;

/** The wasm backend's linear memory in bytes (undefined when the active backend is not wasm). */
export function wasmHeapBytes(): number | undefined {
  const b = tf.backend() as unknown as { wasm?: { HEAPU8?: Uint8Array } };
  return b.wasm?.HEAPU8?.length;
}

function check(r: ActionPrediction, what: string, allowed: string[] = []): void {
  if (!r.ok && !allowed.includes(r.reason)) throw new Error(`${what}: ${r.reason}: ${r.message}`);
}

export class LibrarySide {
  readonly name: BackendName;
  /** Sum of the expert's velocity evaluations (the flow loop) since the last call. */
  private flowMs = 0;
  private flowCalls = 0;

  private constructor(
    readonly model: MolmoAct2,
    readonly backend: BackendName,
    readonly loadS: number,
    /** tfjs tensor bytes right after loading (parameters + derived tensors). */
    readonly tensorBytesAfterLoad: number,
    private readonly obs: Observation,
  ) {
    this.name = backend;
    // the expert is wrapped on this instance only; wasm and cpu kernels run synchronously, so the wall
    // time of the call is the work
    const expert = model.expert as unknown as { velocity?: Velocity } | null;
    if (expert && typeof expert.velocity === "function") {
      const orig = expert.velocity.bind(expert);
      expert.velocity = (...args: unknown[]) => {
        const t0 = performance.now();
        try {
          return orig(...args);
        } finally {
          this.flowMs += performance.now() - t0;
          this.flowCalls++;
        }
      };
    }
  }

  static async open(dir: string, backend: BackendName, think: boolean, obs: Observation, log: (s: string) => void): Promise<LibrarySide> {
    await useBackend(backend);
    const t = performance.now();
    const before = tf.memory().numBytes;
    let lastPct = -1;
    const model = await MolmoAct2.fromPretrained(dir, {
      backend,
      think,
      actionTokenizer: NO_DECODE,
      onProgress: (p) => {
        const pct = p.totalBytes > 0 ? Math.floor((2 * p.loadedBytes) / p.totalBytes) * 50 : 100;
        if (p.totalBytes > 2e8 && pct !== lastPct) {
          lastPct = pct;
          log(`  [${backend}] loading${think ? " (Think)" : ""} ${pct}% of ${(p.totalBytes / 1e9).toFixed(2)} GB`);
        }
      },
    });
    const side = new LibrarySide(model, backend, (performance.now() - t) / 1e3, tf.memory().numBytes - before, obs);
    log(`  [${backend}] ${think ? "Think model" : "model"} loaded in ${side.loadS.toFixed(1)} s`);
    return side;
  }

  private takeFlow(): { ms: number; calls: number } {
    const r = { ms: this.flowMs, calls: this.flowCalls };
    this.flowMs = 0;
    this.flowCalls = 0;
    return r;
  }

  async continuous(seed: number): Promise<StageSample> {
    await useBackend(this.backend);
    this.takeFlow();
    const r = await this.model.predictActions(this.obs, { seed });
    check(r, "continuous");
    const f = this.takeFlow();
    const s = r.timings;
    return { totalMs: s.totalMs, visionMs: s.visionMs, prefillMs: s.prefillMs, expertMs: s.expertMs, flowLoopMs: f.ms, flowCalls: f.calls, promptTokens: r.trace.promptTokens };
  }

  async discrete(tokens: number): Promise<StageSample> {
    await useBackend(this.backend);
    const eos = this.model.config.eosTokenId;
    const r = await this.model.predictActions(this.obs, { mode: "discrete", maxNewTokens: tokens, logitsProcessor: (l) => void (l[eos] = -Infinity) });
    check(r, "discrete", ["no-eos"]);
    const s = r.timings;
    const n = r.trace.generatedTokens;
    return { visionMs: s.visionMs, prefillMs: s.prefillMs, decodeSteps: n, decodeStepMs: s.decodeMs / Math.max(1, n) };
  }

  async think(seed: number): Promise<StageSample> {
    await useBackend(this.backend);
    this.model.reset(); // first frame of an episode: every depth code is decoded
    this.takeFlow();
    const r = await this.model.predictActions(this.obs, { seed, forceDepthEnd: true });
    check(r, "think");
    const f = this.takeFlow();
    const s = r.timings;
    const d = r.trace.depth;
    // forward passes of the depth phase: <depth_start>, each decoded code, each replay, <depth_end>
    const steps = d ? 1 + d.decodeSteps + d.replayForwards + Math.max(1, d.endSteps) : 0;
    return { totalMs: s.totalMs, visionMs: s.visionMs, prefillMs: s.prefillMs, depthMs: s.depthMs, depthSteps: steps, depthStepMs: s.depthMs / Math.max(1, steps), expertMs: s.expertMs, flowLoopMs: f.ms };
  }

  dispose(): void {
    this.model.dispose();
  }
}
