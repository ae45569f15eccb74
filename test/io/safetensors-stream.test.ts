import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { open, truncate } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { blobSource, bytesSource, nodeFileSource, type ByteSource } from "../../src/io/byte-source.js";
import { openSafetensors } from "../../src/io/safetensors-stream.js";
import { readSafetensors, writeSafetensors, type SafeTensorInput } from "../../src/io/safetensors.js";
import { fixturePath, hasFixtures } from "../fixtures.js";

const dir = mkdtempSync(join(tmpdir(), "vla-st-stream-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A safetensors file with a hand-written header (to build broken files). */
function rawFile(header: Record<string, unknown>, dataLen: number, declaredLen?: number): Uint8Array {
  const hb = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(8 + hb.length + dataLen);
  new DataView(out.buffer).setBigUint64(0, BigInt(declaredLen ?? hb.length), true);
  out.set(hb, 8);
  return out;
}

const TENSORS: Record<string, SafeTensorInput> = {
  f32: { shape: [2, 3], data: [1, -2.5, 3.25, 1e-8, -0, 65504] },
  f16: { shape: [3], data: [1, -2.5, 0.1], dtype: "F16" },
  bf16: { shape: [1, 2], data: [3.140625, -1e30], dtype: "BF16" },
  ids: { shape: [2], data: [7, -9], dtype: "I64" },
  empty: { shape: [0, 4], data: [] },
};

async function sources(bytes: Uint8Array, name: string): Promise<ByteSource[]> {
  const p = join(dir, name);
  writeFileSync(p, bytes);
  return [bytesSource(bytes, name), blobSource(new Blob([new Uint8Array(bytes)]), name), await nodeFileSource(p)];
}

describe("openSafetensors", () => {
  it("round-trips F32/F16/BF16/I64 through memory, blob and node-file sources like readSafetensors", async () => {
    const bytes = writeSafetensors(TENSORS, { format: "pt" });
    const mem = readSafetensors(bytes);
    for (const src of await sources(bytes, "rt.safetensors")) {
      const h = await openSafetensors(src);
      expect(h.names()).toEqual(Object.keys(TENSORS));
      expect(h.metadata).toEqual({ format: "pt" });
      for (const n of h.names()) {
        const t = await h.read(n);
        expect(t).toEqual(mem.get(n));
        expect(h.entry(n)).toEqual(mem.entry(n));
      }
      expect((await h.read("f16")).data).toBeInstanceOf(Float32Array);
      expect((await h.read("bf16")).data).toBeInstanceOf(Float32Array);
      await expect(h.read("nope")).rejects.toThrow(/SafetensorsHandle.read: name must name a tensor in ".*rt.safetensors"; got "nope" \(5 tensors\)/);
      await h.close();
    }
  });

  it("reads only the header and the bytes of the tensor asked for", async () => {
    const bytes = writeSafetensors({ a: { shape: [1000], data: new Float32Array(1000) }, b: { shape: [2], data: [5, 6] } });
    const reads: [number, number][] = [];
    const inner = bytesSource(bytes, "counted");
    const src: ByteSource = { name: "counted", size: inner.size, read: (o, l) => (reads.push([o, l]), inner.read(o, l)) };
    const h = await openSafetensors(src);
    expect(reads.length).toBe(2);
    expect(reads[0]).toEqual([0, 8]);
    expect(Array.from((await h.read("b")).data)).toEqual([5, 6]);
    expect(reads[2]).toEqual([h.dataStart + 4000, 8]);
  });

  it("names the file and the tensor for unknown dtypes, bad shapes and bad sizes", async () => {
    const bad = rawFile({ w: { dtype: "F8_E4M3", shape: [2], data_offsets: [0, 2] } }, 2);
    await expect(openSafetensors(bytesSource(bad, "m.safetensors"))).rejects.toThrow(/openSafetensors: w has an unsupported dtype "F8_E4M3" of "m.safetensors"; supported: F64, F32/);
    expect(() => readSafetensors(bad)).toThrow(/readSafetensors: w has an unsupported dtype "F8_E4M3"/);
    const shape = rawFile({ w: { dtype: "F32", shape: [2, -1], data_offsets: [0, 0] } }, 0);
    await expect(openSafetensors(bytesSource(shape, "m"))).rejects.toThrow(/w must have a shape of non-negative integers of "m"; got \[2,-1\]/);
    const size = rawFile({ w: { dtype: "F32", shape: [3], data_offsets: [0, 8] } }, 8);
    await expect(openSafetensors(bytesSource(size, "m"))).rejects.toThrow(/w must hold 3 x 4 bytes for shape \[3\] F32 of "m"; got data_offsets \[0,8\] \(8 bytes\)/);
  });

  it("names the first tensor (in file order) that a truncated file cannot hold", async () => {
    const bytes = writeSafetensors({ z: { shape: [4], data: [1, 2, 3, 4] }, a: { shape: [4], data: [5, 6, 7, 8] }, m: { shape: [4], data: [0, 0, 0, 0] } });
    const cut = bytes.subarray(0, bytes.length - 20); // 'a' and 'm' (bytes 16..48) no longer fit
    for (const src of await sources(cut, "cut.safetensors")) {
      await expect(openSafetensors(src)).rejects.toThrow(/openSafetensors: a must have data_offsets inside the 28-byte data section of ".*cut.safetensors"; got \[16,32\], ending 4 bytes past the end of the file: the file is truncated \(1 more tensor after it do not fit either\)/);
      await src.close?.();
    }
    expect(() => readSafetensors(cut, "cut.safetensors")).toThrow(/readSafetensors: a must have data_offsets inside the 28-byte data section of "cut.safetensors"/);
  });

  it("rejects overlapping offsets, whatever the header order, naming both tensors (both readers)", async () => {
    const over = rawFile({ late: { dtype: "F32", shape: [2], data_offsets: [8, 16] }, early: { dtype: "F32", shape: [3], data_offsets: [0, 12] } }, 16);
    await expect(openSafetensors(bytesSource(over, "o.safetensors"))).rejects.toThrow(/openSafetensors: early must not overlap "late" of "o.safetensors": data_offsets \[0,12\] and \[8,16\] share bytes/);
    expect(() => readSafetensors(over)).toThrow(/readSafetensors: early must not overlap "late": data_offsets \[0,12\] and \[8,16\] share bytes/);
    // a long tensor covering two later ones is reported against the first one it overlaps
    const cover = rawFile({ a: { dtype: "U8", shape: [10], data_offsets: [0, 10] }, b: { dtype: "U8", shape: [2], data_offsets: [2, 4] }, c: { dtype: "U8", shape: [2], data_offsets: [6, 8] } }, 10);
    expect(() => readSafetensors(cover)).toThrow(/a must not overlap "b"/);
    const same = rawFile({ a: { dtype: "U8", shape: [4], data_offsets: [0, 4] }, b: { dtype: "U8", shape: [4], data_offsets: [0, 4] } }, 4);
    expect(() => readSafetensors(same)).toThrow(/a must not overlap "b"/);
    // empty tensors share no bytes; gaps are allowed
    const ok = rawFile({ a: { dtype: "U8", shape: [4], data_offsets: [0, 4] }, e: { dtype: "F32", shape: [0], data_offsets: [2, 2] }, b: { dtype: "U8", shape: [2], data_offsets: [6, 8] } }, 8);
    expect(readSafetensors(ok).names()).toEqual(["a", "e", "b"]);
  });

  it("rejects a header length beyond the file and a header that is not JSON", async () => {
    const beyond = rawFile({}, 0, 5000);
    await expect(openSafetensors(bytesSource(beyond, "h.safetensors"))).rejects.toThrow(/openSafetensors: "h.safetensors" has a header length of 5000 bytes, which exceeds the 10-byte file size/);
    expect(() => readSafetensors(beyond)).toThrow(/readSafetensors: bytes has a header length of 5000 bytes, which exceeds/);
    const huge = rawFile({}, 0, 2 ** 40);
    await expect(openSafetensors(bytesSource(huge, "h"))).rejects.toThrow(/above the 100000000-byte limit/);
    await expect(openSafetensors(bytesSource(new Uint8Array(5), "tiny"))).rejects.toThrow(/"tiny" must hold at least the 8-byte header length; got 5 bytes/);
    const notJson = rawFile({}, 0);
    notJson.set(new TextEncoder().encode("{x"), 8);
    await expect(openSafetensors(bytesSource(notJson, "j"))).rejects.toThrow(/openSafetensors: "j" must start with a JSON header/);
  });

  it("property: random tensor sets read identically through memory and streaming readers", async () => {
    const dtype = fc.constantFrom("F32", "F16", "BF16", "F64", "I32", "I64", "U8") as fc.Arbitrary<NonNullable<SafeTensorInput["dtype"]>>;
    const tensor = fc.record({ dtype, shape: fc.array(fc.integer({ min: 0, max: 4 }), { maxLength: 3 }), seed: fc.integer() });
    await fc.assert(
      fc.asyncProperty(fc.dictionary(fc.string({ minLength: 1, maxLength: 8 }), tensor, { maxKeys: 6 }), async (spec) => {
        const tensors: Record<string, SafeTensorInput> = {};
        for (const [name, { dtype: dt, shape, seed }] of Object.entries(spec)) {
          const n = shape.reduce((a, b) => a * b, 1);
          const data = Array.from({ length: n }, (_, i) => {
            const x = Math.sin(seed + i * 12.9898) * 43758.5453;
            return dt === "U8" ? Math.abs(Math.floor(x)) % 256 : dt.startsWith("I") ? Math.floor(x) : x / 1000;
          });
          tensors[name] = { shape, data, dtype: dt };
        }
        const bytes = writeSafetensors(tensors);
        const mem = readSafetensors(bytes);
        for (const src of [bytesSource(bytes), blobSource(new Blob([new Uint8Array(bytes)]))]) {
          const h = await openSafetensors(src);
          expect(h.names()).toEqual(mem.names());
          for (const n of h.names()) expect(await h.read(n)).toEqual(mem.get(n));
        }
      }),
      { numRuns: 60 },
    );
  });
});

describe("openSafetensors on a sparse file over 2 GiB (nodeFileSource)", () => {
  it("reads a tensor placed beyond byte 2^31 with positioned reads", async (ctx) => {
    const pad = 2 ** 31 + 64; // a U8 "pad" tensor covers everything before the small tensor
    const header = { pad: { dtype: "U8", shape: [pad], data_offsets: [0, pad] }, far: { dtype: "F32", shape: [4], data_offsets: [pad, pad + 16] } };
    const hb = new TextEncoder().encode(JSON.stringify(header).padEnd(128, " "));
    const p = join(dir, "sparse.safetensors");
    const total = 8 + hb.length + pad + 16;
    try {
      const fh = await open(p, "w");
      const lenBytes = new Uint8Array(8);
      new DataView(lenBytes.buffer).setBigUint64(0, BigInt(hb.length), true);
      await fh.write(lenBytes, 0, 8, 0);
      await fh.write(hb, 0, hb.length, 8);
      await fh.write(new Uint8Array(new Float32Array([1.5, -2, 3e-3, 4e9]).buffer), 0, 16, 8 + hb.length + pad);
      await fh.close();
      await truncate(p, total);
    } catch (e) {
      console.info(`skipped: the filesystem of ${dir} refused a sparse ${total}-byte file (${(e as Error).message})`);
      ctx.skip();
    }
    const src = await nodeFileSource(p);
    try {
      expect(await src.size()).toBe(total);
      const h = await openSafetensors(src);
      expect(h.entry("far")).toEqual({ dtype: "F32", shape: [4], dataOffsets: [pad, pad + 16] });
      expect(Array.from((await h.read("far")).data)).toEqual([1.5, -2, Math.fround(3e-3), 4e9]);
    } finally {
      await src.close!();
      rmSync(p, { force: true });
    }
  });
});

const TINY = fixturePath("molmoact2-tiny", "model.safetensors");
describe.skipIf(!hasFixtures || !existsSync(TINY))(`fixture ${TINY}`, () => {
  it("every tensor read by openSafetensors equals readSafetensors of the whole file", async () => {
    const mem = readSafetensors(new Uint8Array(readFileSync(TINY)));
    const src = await nodeFileSource(TINY);
    const h = await openSafetensors(src);
    expect(h.names()).toEqual(mem.names());
    expect(h.names().length).toBe(211);
    for (const n of h.names()) expect(await h.read(n)).toEqual(mem.get(n));
    await h.close();
  });
});
if (!hasFixtures || !existsSync(TINY)) console.info(`skipped fixture tests: ${TINY} is missing`);
