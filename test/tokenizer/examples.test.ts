import { afterEach, describe, expect, it, vi } from "vitest";

// Runs the scripts shown in docs/tokenizer.md so the docs cannot rot.
async function runExample(path: string): Promise<string> {
  const lines: string[] = [];
  const spy = vi.spyOn(console, "log").mockImplementation((...a: unknown[]) => void lines.push(a.map((x) => (typeof x === "string" ? x : JSON.stringify(x))).join(" ")));
  try {
    await import(path);
  } finally {
    spy.mockRestore();
  }
  return lines.join("\n");
}

describe("docs/tokenizer.md examples", () => {
  afterEach(() => vi.restoreAllMocks());
  it("examples/tokenizer-basic.ts", async () => {
    const out = await runExample("../../examples/tokenizer-basic.js");
    expect(out).toMatch(/30x7 chunk -> \d+ tokens/);
    expect(out).toContain("truncated: wrong-length");
    expect(out).toContain("relaxed: true");
  });
  it("examples/tokenizer-fit.ts", async () => {
    const out = await runExample("../../examples/tokenizer-fit.js");
    expect(out).toContain("same ids after save/load: true");
  });
});
