import { existsSync } from "node:fs";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MolmoAct2, extractActionBins, type ActionPrediction, type CapturedStages } from "../../src/model/index.js";
import { useBackend, type BackendName } from "../../src/nn/index.js";
import { OpenFastTokenizer } from "../../src/tokenizer/index.js";
import { FIXTURES } from "../fixtures.js";
import { GOLDEN_DIR, firstFragileStep, maxAbs, maxDiff, observation, readGolden, tensorPrefix, type Golden, type GoldenRun } from "./reference-golden.js";

/**
 * Parity with the reference PyTorch implementation (huggingface/lerobot `molmoact2_hf_model`, run on CPU by
 * the fixture's generator through its own `predict_action`): the tiny reference checkpoint is opened as it
 * is with `MolmoAct2.fromPretrained`, every run of golden.json is repeated with the recorded inputs and
 * injected noise, and every recorded stage is compared. All expectations come from the golden files, so a
 * variant folder (`VLA_MOLMOACT2_GOLDEN=...`) runs the same checks.
 *
 * Tolerances (float32 on CPU, different kernels and summation orders than PyTorch):
 * - ids, token types, pooling rows, masks, depth codes, token traces, counts: exact;
 * - pixel values: exact (the same float32 operations on the same uint8 resize);
 * - per-layer K/V: 1e-4 × max(1, scale) — a few float32 ulps through 2 decoder layers;
 * - depth-gate values: 1e-5 (sigmoid of a pooled mean);
 * - flow output and normalised actions: 1e-4 × max(1, scale) (10 Euler steps of the expert);
 * - robot-unit actions: 1e-4 × (q99 − q01)/2 + 1e-6 per dim (the unnormalisation scales the normalised error).
 * Greedy traces are compared up to the first step whose recorded top-1/top-2 margin is below 1e-3, where
 * float32 noise may legitimately pick the other token.
 */
const present = existsSync(join(GOLDEN_DIR, "golden.json"));
if (!present) console.log(`[skip] reference parity: ${GOLDEN_DIR} is missing (put ../shared/fixtures beside the clone, or set VLA_MOLMOACT2_GOLDEN)`);

const BACKENDS: BackendName[] = (process.env.VLA_PARITY_BACKENDS?.split(",") as BackendName[] | undefined) ?? ["wasm", "cpu"];

function expectClose(name: string, got: ArrayLike<number>, want: ArrayLike<number>, tol: number): void {
  const d = maxDiff(got, want);
  expect(d, `${name}: max |Δ| ${d} (tolerance ${tol})`).toBeLessThanOrEqual(tol);
}

function rows(a: number[][] | undefined): number[] {
  return (a ?? []).flat();
}

describe.skipIf(!present).each(BACKENDS)("MolmoAct2 vs the reference predict_action (%s)", (backend) => {
  let g: Golden;
  let tensors: ReturnType<typeof readGolden>["tensors"];
  let fast: OpenFastTokenizer;
  let model: MolmoAct2;
  let think: MolmoAct2;

  beforeAll(async () => {
    await useBackend(backend);
    ({ golden: g, tensors } = readGolden());
    fast = await OpenFastTokenizer.load(join(FIXTURES, "fast-official"));
    model = await MolmoAct2.fromPretrained(GOLDEN_DIR, { actionTokenizer: fast });
    think = await MolmoAct2.fromPretrained(GOLDEN_DIR, { actionTokenizer: fast, think: true });
  });
  afterAll(() => {
    model?.dispose();
    think?.dispose();
  });

  const tensor = (name: string) => tensors.get(name).data;

  /** The reference raised a ValueError (a call the checkpoint does not allow): here a VlaError, not a value. */
  const refused = (run: GoldenRun) => run.error !== null && /^ValueError/.test(run.error);

  function checkInputs(m: MolmoAct2, run: GoldenRun, name: string, captured: CapturedStages): void {
    if (run.prompt_text !== undefined) expect(captured.promptText).toBe(run.prompt_text);
    expect(captured.inputIds).toEqual(run.input_ids);
    if (run.token_type_ids) expect(captured.tokenTypeIds).toEqual(run.token_type_ids);
    expect(captured.images.map((i) => i.numCrops)).toEqual(run.image_num_crops);
    expect(captured.images.map((i) => [...i.grid])).toEqual(run.image_grids);
    expect(captured.images.flatMap((i) => Array.from(i.pooling))).toEqual(run.image_token_pooling.flat());
    const px = `${tensorPrefix(name)}.pixel_values`;
    if (tensors.has(px)) {
      const all = new Float32Array(captured.images.reduce((n, i) => n + i.pixelValues.length, 0));
      let o = 0;
      for (const i of captured.images) (all.set(i.pixelValues, o), (o += i.pixelValues.length));
      expectClose(`${name} pixel values`, all, tensor(px), 0);
    }
    void m;
  }

  function checkContext(run: GoldenRun, name: string, captured: CapturedStages): void {
    const p = tensorPrefix(name);
    captured.kv.forEach((l, i) => {
      for (const kind of ["k", "v"] as const) {
        const key = `${p}.kv.layer${i}.${kind}`;
        if (!tensors.has(key)) continue;
        const want = tensor(key);
        expectClose(`${key}`, l[kind], want, 1e-4 * Math.max(1, maxAbs(want)));
      }
    });
    if (run.encoder_mask) expect(Array.from(captured.encoderMask)).toEqual(run.encoder_mask);
    if (run.depth_gate?.values) expectClose(`${name} depth gate`, captured.depthGate ?? [], run.depth_gate.values, 1e-5);
    else if (run.depth_gate !== undefined) expect(captured.depthGate).toBeUndefined();
  }

  function checkActions(run: GoldenRun, name: string, r: ActionPrediction): void {
    if (!r.ok) throw new Error(`${name}: expected actions, got ${r.reason}: ${r.message}`);
    const flow = `${tensorPrefix(name)}.flow_out`;
    if (r.captured?.flowOut && tensors.has(flow)) {
      const want = tensor(flow);
      expectClose(`${name} flow output`, r.captured.flowOut, want, 1e-4 * Math.max(1, maxAbs(want)));
    }
    if (run.actions_normalized) expectClose(`${name} normalised actions`, r.normalized.flat(), rows(run.actions_normalized), 1e-4 * Math.max(1, maxAbs(rows(run.actions_normalized))));
    if (run.actions) {
      const tag = model.tags[g.norm_tag];
      const scale = tag.actionStats.q99.map((hi, d) => (hi - tag.actionStats.q01[d]) / 2);
      r.actions.forEach((row, t) =>
        row.forEach((v, d) => {
          const tol = 1e-4 * Math.max(scale[d], Math.abs((run.actions as number[][])[t][d]) * 1e-2) + 1e-6;
          expect(Math.abs(v - (run.actions as number[][])[t][d]), `${name} action [${t}][${d}]`).toBeLessThanOrEqual(tol);
        }),
      );
    }
  }

  it("processor: normalised task, float32 state and bins exactly as the reference", () => {
    const m = model;
    const obsState = m.processObservation({ images: [{ data: new Uint8Array(56 * 56 * 3), width: 56, height: 56, channels: 3 }], task: g.task_raw, state: g.state_raw, normTag: g.norm_tag });
    expect(Array.from(obsState.stateNormalized)).toEqual(g.state_normalized);
    expect(obsState.stateBins).toEqual(g.state_bins);
  });

  it("continuous: prompt, ids, token types, pixels, per-layer K/V, encoder mask, depth gate, flow, actions", async (ctx) => {
    const run = g.continuous;
    if (!run) return ctx.skip();
    const r = await model.predictActions(await observation(g, run), { mode: "continuous", noise: run.noise, capture: true });
    const c = r.captured as CapturedStages;
    checkInputs(model, run, "continuous", c);
    checkContext(run, "continuous", c);
    if (run.error) expect(r.ok).toBe(false);
    else checkActions(run, "continuous", r);
  });

  it("discrete: the greedy token trace and the failure rule", async (ctx) => {
    const run = g.discrete;
    if (!run) return ctx.skip();
    if (refused(run)) return void (await expect(model.predictActions(await observation(g, run), { mode: "discrete" })).rejects.toThrow(/opts\.mode/));
    const r = await model.predictActions(await observation(g, run), { mode: "discrete", capture: true });
    checkInputs(model, run, "discrete", r.captured as CapturedStages);
    const upTo = firstFragileStep(run.greedy_margins);
    const want = (run.greedy_tokens ?? []).slice(0, upTo);
    expect((r.tokens ?? []).slice(0, want.length)).toEqual(want);
    if (run.error) {
      expect(r.ok).toBe(false);
      if (!r.ok && /did not emit end token/.test(run.error)) expect(r.reason).toBe("no-eos");
    } else checkActions(run, "discrete", r);
  });

  it("discrete decode of a reference action span: FAST+ decode and unnormalisation", () => {
    const s = g.discrete_synthetic_decode;
    if (!s) return;
    const bins = extractActionBins(s.generated_token_ids, model.table);
    expect(bins).toEqual(s.fast_token_ids);
    const H = s.decoded_normalized.length;
    const D = s.decoded_normalized[0].length;
    const dec = fast.decode(bins, { horizon: H, dim: D });
    if (!dec.ok) throw new Error(dec.reason);
    expectClose("decoded", Array.from(dec.actions.data), s.decoded_normalized.flat(), 1e-5);
  });

  it("think: first frame decodes every code, the next frame replays unchanged cells (codes, masks, counts, K/V, actions)", async (ctx) => {
    const runs = g.think;
    if (!runs || runs.length === 0) return ctx.skip();
    think.reset();
    for (let i = 0; i < runs.length; i++) {
      const run = runs[i];
      const name = `think[${i}]`;
      const r = await think.predictActions(await observation(g, run), { mode: "continuous", noise: run.noise, capture: true });
      const c = r.captured as CapturedStages;
      checkInputs(think, run, name, c);
      if (run.generated_token_ids) expect(r.tokens).toEqual(run.generated_token_ids);
      if (run.depth_bins) expect(r.depthCodes).toEqual((run.depth_bins as number[]).flat());
      if (run.update_mask) expect(r.trace.depth?.updateMask?.map((v) => v === 1)).toEqual(run.update_mask);
      else expect(r.trace.depth?.full).toBe(true);
      if (run.decoded_cells !== undefined) expect(r.trace.depth?.decodeSteps).toBe(run.decoded_cells);
      if (run.replay_chunks !== undefined) expect(r.trace.depth?.replayForwards).toBe(run.replay_chunks);
      if (run.replayed_cells !== undefined) expect(r.trace.depth?.replayTokens).toBe(run.replayed_cells);
      checkContext(run, name, c);
      if (run.error) expect(r.ok).toBe(false);
      else checkActions(run, name, r);
    }
  });

  it("think + discrete: depth span, then the discrete continuation", async (ctx) => {
    const run = g.think_discrete;
    if (!run) return ctx.skip();
    think.reset();
    if (refused(run)) return void (await expect(think.predictActions(await observation(g, run), { mode: "discrete" })).rejects.toThrow(/opts\.mode/));
    const r = await think.predictActions(await observation(g, run), { mode: "discrete", capture: true });
    checkInputs(think, run, "think_discrete", r.captured as CapturedStages);
    if (run.depth_bins_constrained) expect(r.depthCodes).toEqual(run.depth_bins_constrained);
    const fed = run.fed_tokens ?? [];
    // the depth span (fed as-is), then the discrete trace up to the first fragile greedy step
    const span = fed.indexOf(think.table.ids.depthEnd) + 1;
    const upTo = span + Math.max(0, firstFragileStep(run.greedy_margins) - 2);
    expect((r.tokens ?? []).slice(0, Math.min(upTo, fed.length))).toEqual(fed.slice(0, Math.min(upTo, fed.length)));
    if (run.error) expect(r.ok).toBe(false);
    think.reset();
  });

  it("think without adaptive depth: free argmax from the prefill until <depth_end>", async (ctx) => {
    const run = g.think_nonadaptive;
    if (!run) return ctx.skip();
    think.reset();
    const r = await think.predictActions(await observation(g, run), { mode: "continuous", adaptiveDepth: false, noise: run.noise, capture: true });
    if (run.generated_token_ids) expect(r.tokens).toEqual(run.generated_token_ids);
    if (run.depth_bins) expect(r.depthCodes).toEqual((run.depth_bins as number[]).flat());
    if (run.error) {
      expect(r.ok).toBe(false);
      if (!r.ok && /no decodable depth tokens/.test(run.error)) expect(r.reason).toBe("no-depth-codes");
      if (!r.ok && /did not emit <depth_end>/.test(run.error)) expect(r.reason).toBe("no-depth-end");
      const upTo = firstFragileStep(run.greedy_margins);
      if (run.fed_tokens) expect((r.tokens ?? []).slice(0, upTo)).toEqual(run.fed_tokens.slice(0, upTo));
    } else checkActions(run, "think_nonadaptive", r);
    think.reset();
  });

  it("leaves no tensors behind", async () => {
    const before = tf.memory().numTensors;
    if (g.continuous) await model.predictActions(await observation(g, g.continuous), { noise: g.continuous.noise });
    expect(tf.memory().numTensors).toBe(before);
  });
});
