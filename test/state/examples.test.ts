import { describe, expect, it, vi } from "vitest";

describe("docs/state.md example", () => {
  it("examples/state-basic.ts", async () => {
    const lines: string[] = [];
    const spy = vi.spyOn(console, "log").mockImplementation((...a: unknown[]) => void lines.push(a.map((x) => (typeof x === "string" ? x : JSON.stringify(x))).join(" ")));
    try {
      await import("../../examples/state-basic.js");
    } finally {
      spy.mockRestore();
    }
    const out = lines.join("\n");
    expect(out).toContain("MolmoAct2 bins: 0 96 128 191 255 255 128");
    expect(out).toContain('pi0.5 prompt: "State: 0 96 128 192 255 255;"');
    expect(out).toContain("pi05 NaN: discretizeState: state must not contain NaN");
  });
});
