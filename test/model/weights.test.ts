import * as tf from "@tensorflow/tfjs-core";
import { beforeAll, describe, expect, it } from "vitest";
import { useBackend, disposeParams } from "../../src/nn/index.js";
import { readSafetensors, writeSafetensors } from "../../src/io/index.js";
import { TINY, exportParams, initRandomParams, loadParams, memoryTensorReader } from "../../src/model/index.js";
import { LM, VIT, modelParamShapes } from "../../src/model/param-shapes.js";
import { assertCheckpoint } from "../../src/model/weights.js";

const load = async (files: ReturnType<typeof readSafetensors>[]) => {
  const r = memoryTensorReader(files);
  assertCheckpoint("loadParams", r, TINY, "checkpoint");
  return loadParams(r, TINY);
};

describe("weights (safetensors with reference names)", () => {
  beforeAll(async () => {
    await useBackend("cpu");
  });

  it("writes a tiny checkpoint in PyTorch orientation and loads it back bit-exactly", async () => {
    const params = initRandomParams(TINY, 11);
    const ck = await exportParams(params, TINY);
    // PyTorch Linear layout [out, in] on disk
    const qkv = `${LM}.blocks.0.self_attn.att_proj.weight`;
    expect(ck[qkv].shape).toEqual([(4 + 2 * 2) * 16, 64]);
    expect(ck["model.action_expert_depth_gate.0.weight"].shape).toEqual([1, 32]);
    const file = readSafetensors(writeSafetensors(ck, { format: "pt" }));
    const loaded = await load([file]);
    const names = Object.keys(modelParamShapes(TINY));
    expect(Object.keys(loaded).sort()).toEqual(names.sort());
    for (const n of names) {
      expect(loaded[n].shape).toEqual(params[n].shape);
      expect(Array.from(await loaded[n].data())).toEqual(Array.from(await params[n].data()));
    }
    disposeParams(params);
    disposeParams(loaded);
  });

  it("transposes Linear weights [out, in] → [in, out] and concatenates wte.embedding + new_embedding", async () => {
    const ck = await exportParams(initRandomParams(TINY, 1), TINY);
    const name = `${VIT}.transformer.resblocks.0.attention.wq.weight`; // [32, 32]
    const w = Array.from({ length: 32 * 32 }, (_, i) => i);
    ck[name] = { shape: [32, 32], data: w };
    const V = 2703 + 128;
    const d = 64;
    const base = Array.from(ck[`${LM}.wte.embedding`].data);
    const extra = Array.from(ck[`${LM}.wte.new_embedding`].data);
    expect(base.length).toBe(2703 * d);
    ck[`${LM}.wte.new_embedding`] = { shape: [128, d], data: extra, dtype: "BF16" };
    const p = await load([readSafetensors(writeSafetensors(ck))]);
    const got = (await p[name].array()) as number[][];
    expect(got[3][5]).toBe(w[5 * 32 + 3]); // model[in=3][out=5] = checkpoint[out=5][in=3]
    const e = (await p[`${LM}.wte.embedding`].array()) as number[][];
    expect(e.length).toBe(V);
    expect(e[V - 1][0]).toBeCloseTo(extra[127 * d], 2); // bf16 rounding
    expect(e[0][0]).toBe(Math.fround(base[0]));
    disposeParams(p);
  });

  it("names the tensor, the expected and the actual shape when a tensor is missing or mis-shaped", async () => {
    const params = initRandomParams(TINY, 2);
    const ck = await exportParams(params, TINY);
    disposeParams(params);
    const before = tf.memory().numTensors;
    const missing = { ...ck };
    delete missing[`${LM}.blocks.1.mlp.ff_out.weight`];
    await expect(load([readSafetensors(writeSafetensors(missing))])).rejects.toThrow(/missing \(1\): model.transformer.blocks.1.mlp.ff_out.weight \[64, 128\]/);
    const bad = { ...ck, [`${LM}.ln_f.weight`]: { shape: [63], data: new Float32Array(63) }, extra: { shape: [1], data: [0] } };
    await expect(load([readSafetensors(writeSafetensors(bad))])).rejects.toThrow(/unexpected \(1\): extra\. mismatched \(1\): model.transformer.ln_f.weight: expected \[64\], got \[63\]/);
    const ints = { ...ck, [`${LM}.ln_f.weight`]: { shape: [64], data: new Int32Array(64), dtype: "I32" as const } };
    await expect(load([readSafetensors(writeSafetensors(ints))])).rejects.toThrow(/model.transformer.ln_f.weight: expected a float tensor \(F32\/F16\/BF16\/F64\), got I32/);
    expect(tf.memory().numTensors).toBe(before); // partial loads are freed
  });

  it("reads a checkpoint split into shards", async () => {
    const params = initRandomParams(TINY, 4);
    const ck = await exportParams(params, TINY);
    const entries = Object.entries(ck);
    const half = Math.floor(entries.length / 2);
    const a = readSafetensors(writeSafetensors(Object.fromEntries(entries.slice(0, half))));
    const b = readSafetensors(writeSafetensors(Object.fromEntries(entries.slice(half))));
    const p = await load([a, b]);
    expect(Object.keys(p).length).toBe(Object.keys(params).length);
    disposeParams(p);
    disposeParams(params);
  });
});
