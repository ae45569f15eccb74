import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readSafetensors, writeSafetensors, type SafeTensorInput } from "../../src/io/index.js";
import { MolmoAct2, TINY, memoryPlan, releaseShapedConfig } from "../../src/model/index.js";
import { useBackend } from "../../src/nn/index.js";
import { GOLDEN_DIR } from "./reference-golden.js";

const present = existsSync(join(GOLDEN_DIR, "config.json"));
if (!present) console.log(`[skip] fromPretrained: ${GOLDEN_DIR} is missing (put ../shared/fixtures beside the clone)`);

const FILES = ["config.json", "processor_config.json", "tokenizer.json", "norm_stats.json", "model.safetensors"];

/** A writable copy of the tiny snapshot, optionally with model.safetensors replaced. */
function snapshot(root: string, name: string, tensors?: Record<string, SafeTensorInput>): string {
  const dir = join(root, name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  for (const f of FILES) copyFileSync(join(GOLDEN_DIR, f), join(dir, f));
  if (tensors) writeFileSync(join(dir, "model.safetensors"), writeSafetensors(tensors));
  return dir;
}

function tensorsOf(bytes: Uint8Array): Record<string, SafeTensorInput> {
  const f = readSafetensors(bytes);
  return Object.fromEntries(f.names().map((n) => {
    const t = f.get(n);
    return [n, { shape: t.shape, data: t.data, dtype: t.dtype as SafeTensorInput["dtype"] }];
  }));
}

describe.skipIf(!present)("MolmoAct2.fromPretrained (tiny reference snapshot)", () => {
  let root: string;
  let base: Record<string, SafeTensorInput>;
  beforeAll(async () => {
    await useBackend("cpu");
    root = mkdtempSync(join(tmpdir(), "vla-pretrained-"));
    base = tensorsOf(readFileSync(join(GOLDEN_DIR, "model.safetensors")));
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it("loads the folder as it is: config, tokenizer ids, processor, tags; progress reaches the total", async () => {
    const seen: number[] = [];
    const m = await MolmoAct2.fromPretrained(GOLDEN_DIR, { onProgress: (p) => seen.push(p.loadedBytes) });
    expect(m.config.text.vocabSize).toBe(2703);
    expect(m.config.tokens.imStart).toBe(257); // from tokenizer.json (config.json has no such field)
    expect(m.config.tokens.imageTokens?.["<|image|>"]).toBe(2708);
    expect(m.bosTokenId).toBe(258); // no BOS token: the processor inserts EOS
    expect(m.imageProcessor.cropMode).toBe("resize");
    expect(Object.keys(m.tags)).toEqual(["g1-inspire-bottle_tiny"]);
    expect(m.tags["g1-inspire-bottle_tiny"].actionHorizon).toBe(10);
    expect(seen.length).toBeGreaterThan(200);
    // every byte of the tensors the model reads (the derived rotary inv_freq buffer, 8 floats, is not read)
    expect(seen[seen.length - 1]).toBe(readFileSync(join(GOLDEN_DIR, "model.safetensors")).length - seenHeader() - 32);
    m.dispose();
  });

  it("reads BF16 and F16 shards through model.safetensors.index.json", async () => {
    const names = Object.keys(base);
    const half = Math.floor(names.length / 2);
    const a = Object.fromEntries(names.slice(0, half).map((n) => [n, { ...base[n], dtype: "BF16" as const }]));
    const b = Object.fromEntries(names.slice(half).map((n) => [n, { ...base[n], dtype: "F16" as const }]));
    const dir = snapshot(root, "sharded");
    rmSync(join(dir, "model.safetensors"));
    writeFileSync(join(dir, "model-00001-of-00002.safetensors"), writeSafetensors(a));
    writeFileSync(join(dir, "model-00002-of-00002.safetensors"), writeSafetensors(b));
    const weightMap = Object.fromEntries([...names.slice(0, half).map((n) => [n, "model-00001-of-00002.safetensors"]), ...names.slice(half).map((n) => [n, "model-00002-of-00002.safetensors"])]);
    writeFileSync(join(dir, "model.safetensors.index.json"), JSON.stringify({ metadata: {}, weight_map: weightMap }));
    const m = await MolmoAct2.fromPretrained(dir);
    const ln = Array.from(await m.params["model.transformer.ln_f.weight"].data());
    const want = Array.from(base["model.transformer.ln_f.weight"].data);
    ln.forEach((v, i) => expect(Math.abs(v - want[i])).toBeLessThan(2e-2 * Math.abs(want[i]) + 1e-3)); // bf16 / f16 rounding
    m.dispose();
  });

  it("names the file and tensor for a missing tensor, a wrong shape, an unknown dtype, a truncated file or a missing shard; nothing stays allocated", async () => {
    const before = tf.memory().numTensors;
    const drop = { ...base };
    delete drop["model.transformer.blocks.1.mlp.ff_out.weight"];
    await expect(MolmoAct2.fromPretrained(snapshot(root, "missing", drop))).rejects.toThrow(/missing \(1\): model\.transformer\.blocks\.1\.mlp\.ff_out\.weight \[64, 128\]/);
    const wrong = { ...base, "model.transformer.ln_f.weight": { shape: [63], data: new Float32Array(63) } };
    await expect(MolmoAct2.fromPretrained(snapshot(root, "shape", wrong))).rejects.toThrow(/model\.transformer\.ln_f\.weight in model\.safetensors: expected \[64\], got \[63\]/);
    const ints = { ...base, "model.transformer.ln_f.weight": { shape: [64], data: new Int32Array(64), dtype: "I32" as const } };
    await expect(MolmoAct2.fromPretrained(snapshot(root, "dtype", ints))).rejects.toThrow(/ln_f\.weight in model\.safetensors: expected a float tensor \(F32\/F16\/BF16\/F64\), got I32/);
    const cut = snapshot(root, "truncated");
    truncateSync(join(cut, "model.safetensors"), 1_000_000);
    await expect(MolmoAct2.fromPretrained(cut)).rejects.toThrow(/model\.safetensors/);
    const shard = snapshot(root, "noshard");
    rmSync(join(shard, "model.safetensors"));
    writeFileSync(join(shard, "model.safetensors.index.json"), JSON.stringify({ weight_map: Object.fromEntries(Object.keys(base).map((n) => [n, "model-00001-of-00001.safetensors"])) }));
    await expect(MolmoAct2.fromPretrained(shard)).rejects.toThrow(/model-00001-of-00001\.safetensors/);
    const noTok = snapshot(root, "notok");
    rmSync(join(noTok, "tokenizer.json"));
    await expect(MolmoAct2.fromPretrained(noTok)).rejects.toThrow(/tokenizer\.json/);
    const badCfg = snapshot(root, "badcfg");
    const cfg = JSON.parse(readFileSync(join(badCfg, "config.json"), "utf8"));
    cfg.text_config.hidden_act = "gelu";
    cfg.depth_start_token_id = 9;
    writeFileSync(join(badCfg, "config.json"), JSON.stringify(cfg));
    await expect(MolmoAct2.fromPretrained(badCfg)).rejects.toThrow(/configFromJson: (text_config\.hidden_act must be "silu"|depth_start_token_id must match the tokenizer's id of <depth_start> \(2573\); got 9)/);
    expect(tf.memory().numTensors).toBe(before);
  });

  it("opens a map of Blobs as a browser would", async () => {
    const map = Object.fromEntries(FILES.map((f) => [f, new Blob([readFileSync(join(GOLDEN_DIR, f))])]));
    const m = await MolmoAct2.fromPretrained(map);
    expect(m.config.text.numHiddenLayers).toBe(2);
    m.dispose();
  });

  it("refuses a model the wasm backend cannot hold before allocating anything", async () => {
    const plan = memoryPlan(releaseShapedConfig(768));
    expect(plan.float32Bytes).toBeGreaterThan(4 * 2 ** 30);
    expect(plan.needs.wasm).toBeGreaterThan(2 * plan.float32Bytes);
    expect(plan.components.text.params).toBeGreaterThan(3e9);
    expect(memoryPlan(TINY).float32Bytes).toBeLessThan(20e6);
    await useBackend("wasm");
    const big = snapshot(root, "big");
    const cfg = JSON.parse(readFileSync(join(big, "config.json"), "utf8"));
    cfg.text_config.vocab_size = 2703 * 4096; // 11M rows × 64 ≈ 2.7 GiB of embedding + as much lm_head
    writeFileSync(join(big, "config.json"), JSON.stringify(cfg));
    const before = tf.memory().numTensors;
    await expect(MolmoAct2.fromPretrained(big)).rejects.toThrow(/on the wasm backend .* more than it can hold \(wasm32 linear memory is at most 4 GiB\)/);
    // below 4 GiB as float32 (≈ 2.2 GiB), but wasm also keeps XNNPACK's packed copy of every matMul weight
    cfg.text_config.vocab_size = 4_600_000;
    writeFileSync(join(big, "config.json"), JSON.stringify(cfg));
    const plan2 = memoryPlan({ ...TINY, text: { ...TINY.text, vocabSize: 4_600_000 } });
    expect(plan2.float32Bytes).toBeLessThan(4 * 2 ** 30);
    await expect(MolmoAct2.fromPretrained(big)).rejects.toThrow(/needs about \d+\.\d+ GiB on the wasm backend for 2\.\d+ GiB of float32 parameters/);
    expect(tf.memory().numTensors).toBe(before);
    await useBackend("cpu");
  });
});

function seenHeader(): number {
  const b = readFileSync(join(GOLDEN_DIR, "model.safetensors"));
  return 8 + Number(b.readBigUInt64LE(0));
}
