import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it, vi } from "vitest";
import { VlaError } from "../../src/core/index.js";
import { MAX_CHUNK_VALUES, OpenFastTokenizer } from "../../src/tokenizer/index.js";
import { FAST_PLUS_DIR, fastPlus } from "./helpers.js";

function smooth(T: number, D: number): number[][] {
  return Array.from({ length: T }, (_, t) => Array.from({ length: D }, (_, d) => 0.6 * Math.sin((t / T) * Math.PI * (1 + d * 0.3) + d)));
}

// Sizes are checked before any work: without the check, decode of horizon 1e7 ran an inverse DCT for minutes and a
// 300000×32 encode failed deep inside BPE. A test that hangs here fails by the suite's timeout.
describe("OpenFastTokenizer size limits (MAX_CHUNK_VALUES)", () => {
  const tok = fastPlus();
  const ids = tok.encode(smooth(30, 7));

  it("is 2^18 values and keeps the worst-case text (4 bytes per value) inside one BPE word", () => {
    expect(MAX_CHUNK_VALUES).toBe(262144);
    expect(4 * MAX_CHUNK_VALUES).toBeLessThan(4194303);
  });

  it("decode / decodeInto reject horizon·dim above the limit, relaxed or not, with a message naming both", () => {
    for (const opts of [{ horizon: 1e7, dim: 7, relaxed: true }, { horizon: 1e7, dim: 7 }, { horizon: 8193, dim: 32 }]) {
      expect(() => tok.decode(ids, opts)).toThrow(VlaError);
      expect(() => tok.decode(ids, opts)).toThrow(/OpenFastTokenizer\.decode: horizon\*dim must be at most 262144; got \d+\*\d+ = \d+/);
    }
    expect(() => tok.decodeInto(ids, { horizon: 1e7, dim: 1, relaxed: true }, new Float64Array(1))).toThrow(/OpenFastTokenizer\.decodeInto: horizon\*dim must be at most 262144/);
    // at the limit it still works (relaxed pads the coefficients)
    expect(tok.decode(ids, { horizon: 8192, dim: 32, relaxed: true }).ok).toBe(true);
  });

  it("encode / quantize / fit reject an oversized chunk before converting it", () => {
    const big = new Float32Array(300000 * 32);
    expect(() => tok.encode(big, { horizon: 300000, dim: 32 })).toThrow(/OpenFastTokenizer\.encode: chunk must have at most 262144 values \(horizon\*dim\); got 300000\*32 = 9600000/);
    const rows = Array.from({ length: 8193 }, () => new Array<number>(32).fill(0));
    expect(() => tok.encode(rows)).toThrow(/chunk must have at most 262144 values .*got 8193\*32 = 262176/);
    expect(() => tok.quantize(rows)).toThrow(/OpenFastTokenizer\.quantize: chunk must have at most/);
    expect(() => OpenFastTokenizer.fit([smooth(10, 2), rows])).toThrow(/OpenFastTokenizer\.fit: chunks\[1\] must have at most 262144 values/);
    expect(() => tok.encode(new Float64Array(MAX_CHUNK_VALUES + 1))).toThrow(/chunk must have at most/); // no shape: length alone
  });
});

describe("decode accepts integer typed arrays as ids", () => {
  const tok = fastPlus();
  const chunk = smooth(30, 7);
  const ids = tok.encode(chunk);
  const want = tok.decode(ids, { horizon: 30, dim: 7 });

  it("Int32Array, Uint32Array, Uint16Array give the same chunk as number[]", () => {
    expect(want.ok).toBe(true);
    for (const typed of [Int32Array.from(ids), Uint32Array.from(ids), Uint16Array.from(ids)]) {
      const r = tok.decode(typed, { horizon: 30, dim: 7 });
      expect(r).toEqual(want);
      const out = new Float64Array(210);
      expect(tok.decodeInto(typed, { horizon: 30, dim: 7 }, out).ok).toBe(true);
      expect(Array.from(out)).toEqual(Array.from(want.ok ? want.actions.data : []));
    }
    expect(tok.decodeBatch([Int32Array.from(ids), ids], { horizon: 30, dim: 7 })).toEqual([want, want]);
  });

  it("bad values stay failure values; float typed arrays and non-arrays are rejected by name", () => {
    expect(tok.decode(Int32Array.from([...ids, -1]), { horizon: 30, dim: 7 })).toMatchObject({ ok: false, reason: "invalid-id", index: ids.length });
    expect(tok.decode(Int32Array.from([...ids, 99999]), { horizon: 30, dim: 7 })).toMatchObject({ ok: false, reason: "unknown-id" });
    expect(() => tok.decode(Float32Array.from(ids) as unknown as number[], { horizon: 30, dim: 7 })).toThrow(
      /OpenFastTokenizer\.decode: ids must be an array or an integer typed array .*got Float32Array\(\d+\) \(float typed arrays are not accepted/,
    );
    expect(() => tok.decode("1 2 3" as unknown as number[], { horizon: 30, dim: 7 })).toThrow(/ids must be an array or an integer typed array/);
    expect(() => tok.decodeBatch([ids, {} as unknown as number[]], { horizon: 30, dim: 7 })).toThrow(/decodeBatch: idLists\[1\] must be an array/);
  });
});

describe("tokenizer folder layouts (flat and bpe_tokenizer/)", () => {
  const root = mkdtempSync(join(tmpdir(), "vla-tok-layout-"));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  afterEach(() => vi.unstubAllGlobals());
  const chunk = smooth(30, 7);
  const want = fastPlus().encode(chunk);

  function layout(name: string, files: Record<string, string | null>): string {
    const dir = join(root, name);
    for (const [rel, src] of Object.entries(files)) {
      mkdirSync(join(dir, rel, ".."), { recursive: true });
      if (src === null) continue;
      if (src.startsWith("{")) writeFileSync(join(dir, rel), src);
      else copyFileSync(join(FAST_PLUS_DIR, src), join(dir, rel));
    }
    return dir;
  }

  it("loads processor_config.json + bpe_tokenizer/tokenizer.json (Hugging Face processor layout)", async () => {
    const dir = layout("nested", {
      "processor_config.json": "processor_config.json",
      "bpe_tokenizer/tokenizer.json": "tokenizer.json",
      "bpe_tokenizer/tokenizer_config.json": "tokenizer_config.json",
      "bpe_tokenizer/special_tokens_map.json": "special_tokens_map.json",
    });
    const tok = await OpenFastTokenizer.load(dir);
    expect(tok.encode(chunk)).toEqual(want);
    expect(tok.minToken).toBe(-354);
  });

  it("still loads the flat layout, and both when they are identical", async () => {
    const flat = layout("flat", { "processor_config.json": "processor_config.json", "tokenizer.json": "tokenizer.json" });
    expect((await OpenFastTokenizer.load(flat)).encode(chunk)).toEqual(want);
    const both = layout("both", { "processor_config.json": "processor_config.json", "tokenizer.json": "tokenizer.json", "bpe_tokenizer/tokenizer.json": "tokenizer.json" });
    expect((await OpenFastTokenizer.load(both)).encode(chunk)).toEqual(want);
  });

  it("names what is missing or ambiguous instead of guessing", async () => {
    const none = layout("none", { "processor_config.json": "processor_config.json" });
    await expect(OpenFastTokenizer.load(none)).rejects.toThrow(/OpenFastTokenizer\.load: dir must contain tokenizer\.json or bpe_tokenizer\/tokenizer\.json beside processor_config\.json; found neither in/);
    const noCfg = layout("no-config", { "bpe_tokenizer/tokenizer.json": "tokenizer.json" });
    await expect(OpenFastTokenizer.load(noCfg)).rejects.toThrow(/dir must contain processor_config\.json; not found in/);
    const text = JSON.parse(readFileSync(join(FAST_PLUS_DIR, "tokenizer.json"), "utf8"));
    text.model.merges = text.model.merges.slice(0, 10);
    const differ = layout("differ", { "processor_config.json": "processor_config.json", "tokenizer.json": "tokenizer.json", "bpe_tokenizer/tokenizer.json": null });
    writeFileSync(join(differ, "bpe_tokenizer", "tokenizer.json"), JSON.stringify(text));
    await expect(OpenFastTokenizer.load(differ)).rejects.toThrow(/has both tokenizer\.json and bpe_tokenizer\/tokenizer\.json and they differ/);
  });

  it("fetch tries bpe_tokenizer/tokenizer.json when tokenizer.json is 404", async () => {
    const served: Record<string, string> = {
      "https://hub.example/tok/processor_config.json": readFileSync(join(FAST_PLUS_DIR, "processor_config.json"), "utf8"),
      "https://hub.example/tok/bpe_tokenizer/tokenizer.json": readFileSync(join(FAST_PLUS_DIR, "tokenizer.json"), "utf8"),
    };
    const asked: string[] = [];
    vi.stubGlobal("fetch", async (url: string) => {
      asked.push(url);
      const body = served[url];
      return body === undefined ? new Response("not found", { status: 404 }) : new Response(body, { status: 200 });
    });
    const tok = await OpenFastTokenizer.fetch("https://hub.example/tok");
    expect(tok.encode(chunk)).toEqual(want);
    expect(asked).toEqual(["https://hub.example/tok/processor_config.json", "https://hub.example/tok/tokenizer.json", "https://hub.example/tok/bpe_tokenizer/tokenizer.json"]);
    delete served["https://hub.example/tok/bpe_tokenizer/tokenizer.json"];
    await expect(OpenFastTokenizer.fetch("https://hub.example/tok/")).rejects.toThrow(/must serve tokenizer\.json or bpe_tokenizer\/tokenizer\.json; both are 404/);
  });
});
