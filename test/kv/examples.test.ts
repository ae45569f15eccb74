import { describe, expect, it } from "vitest";
import { kvBasic } from "../../examples/kv-basic.js";

describe("examples/kv-basic.ts (docs/kv.md)", () => {
  it("hides BOS/EOS and the action span; projected heads are RMS-normalised", async () => {
    const r = await kvBasic();
    expect(r.visible).toEqual([0, 1, 1, 1, 0, 0, 0, 0]);
    expect(r.kShape).toEqual([8, 2, 8]);
    expect(Math.abs(r.kRowRms - 1)).toBeLessThan(1e-3);
  });
});
