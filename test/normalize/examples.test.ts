import { describe, expect, it, vi } from "vitest";

describe("docs/normalize.md example", () => {
  it("examples/normalize-basic.ts", async () => {
    const lines: string[] = [];
    const spy = vi.spyOn(console, "log").mockImplementation((...a: unknown[]) => void lines.push(a.map((x) => (typeof x === "string" ? x : JSON.stringify(x))).join(" ")));
    try {
      await import("../../examples/normalize-basic.js");
    } finally {
      spy.mockRestore();
    }
    const out = lines.join("\n");
    expect(out).toContain('mask: [true,true,false]');
    expect(out).toContain("padded to 32 dims; real dims: 3");
  });
});
