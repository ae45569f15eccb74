import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { decodePng, encodePng, readPng } from "../../src/io/png.js";
import { fixturePath, missingFixtures } from "../fixtures.js";

describe("png", () => {
  it("encode → decode round-trips RGB and drops alpha from RGBA", async () => {
    const data = Uint8Array.from({ length: 5 * 3 * 3 }, (_, i) => (i * 37) & 255);
    const bytes = await encodePng({ data, width: 5, height: 3, channels: 3 });
    expect(Array.from(bytes.subarray(0, 4))).toEqual([0x89, 0x50, 0x4e, 0x47]);
    const back = await decodePng(bytes);
    expect(back).toMatchObject({ width: 5, height: 3, channels: 3 });
    expect(Array.from(back.data)).toEqual(Array.from(data));
    const rgba = new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]);
    const b2 = await decodePng(await encodePng({ data: rgba, width: 2, height: 1, channels: 4 }));
    expect(Array.from(b2.data)).toEqual([1, 2, 3, 5, 6, 7]);
  });

  it.skipIf(missingFixtures("PNG read of a real frame", "real"))("reads a real 640×480 frame (pixel layout HWC RGB)", async () => {
    const f = fixturePath("real", "g1-inspire-bottle", "frames", "ep1_cam_high_000000.png");
    const img = await readPng(f);
    expect(img.width).toBe(640);
    expect(img.height).toBe(480);
    expect(img.data.length).toBe(640 * 480 * 3);
    // same file bytes as SOURCE.txt lists
    expect(createHash("sha256").update(readFileSync(f)).digest("hex")).toBe("f5af26be98708d78c44385a5c075d4bd7880a8aea232177e45a4b56048dcb3c4");
    const again = await decodePng(new Uint8Array(readFileSync(f)));
    expect(Array.from(again.data.subarray(0, 30))).toEqual(Array.from(img.data.subarray(0, 30)));
  });

  it("rejects garbage and bad arguments", async () => {
    await expect(decodePng(new Uint8Array([1, 2, 3]))).rejects.toThrow(/decodePng: bytes must be a valid PNG file/);
    await expect(decodePng("x" as unknown as Uint8Array)).rejects.toThrow(/decodePng: bytes must be a Uint8Array; got "x"/);
    await expect(readPng("")).rejects.toThrow(/readPng: path must be a non-empty string/);
    await expect(encodePng({ data: new Uint8Array(2), width: 1, height: 1, channels: 3 })).rejects.toThrow(/encodePng: image.data must be a Uint8Array of width\*height\*channels = 3 bytes/);
  });
});
