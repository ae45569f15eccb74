import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

// The floors of ../shared/specs/architecture.md, checked on the source so a stray import fails CI.
const SRC = resolve(dirname(fileURLToPath(import.meta.url)), "..", "src");
const ARRAY_FLOOR = ["core", "vocab", "io", "tokenizer", "normalize", "state", "depth", "metrics"];
const FLOOR: Record<string, number> = { core: 0, vocab: 1, io: 1, tokenizer: 1, normalize: 1, state: 1, depth: 1, metrics: 1, nn: 2, flow: 2, kv: 2, model: 3, cli: 4 };

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? files(p) : p.endsWith(".ts") ? [p] : [];
  });
}

const imports = files(SRC).map((file) => {
  const src = readFileSync(file, "utf8");
  const specs = [...src.matchAll(/(?:from|import)\s*\(?\s*["']([^"']+)["']/g)].map((m) => m[1]);
  return { file: relative(SRC, file), module: relative(SRC, file).split("/")[0], specs };
});

describe("architecture", () => {
  it("array-floor modules never import tfjs", () => {
    const bad = imports.filter((f) => ARRAY_FLOOR.includes(f.module) && f.specs.some((s) => s.startsWith("@tensorflow/")));
    expect(bad.map((f) => f.file)).toEqual([]);
  });

  it("modules import other modules only through their index.ts face, and only downward", () => {
    const bad: string[] = [];
    for (const f of imports) {
      for (const s of f.specs) {
        if (!s.startsWith("../")) continue;
        const target = s.split("/")[1];
        if (target === f.module || !(target in FLOOR)) continue;
        if (s !== `../${target}/index.js`) bad.push(`${f.file}: ${s} (not a face)`);
        if (f.module in FLOOR && FLOOR[target] > FLOOR[f.module]) bad.push(`${f.file}: ${s} (imports upward)`);
      }
    }
    expect(bad).toEqual([]);
  });

  it("has no import cycle between modules", () => {
    const edges = new Map<string, Set<string>>();
    for (const f of imports) for (const s of f.specs) {
      const t = s.startsWith("../") ? s.split("/")[1] : "";
      if (t && t !== f.module && t in FLOOR) (edges.get(f.module) ?? edges.set(f.module, new Set()).get(f.module)!).add(t);
    }
    const state = new Map<string, number>();
    const cycle: string[] = [];
    const visit = (m: string, path: string[]): void => {
      if (state.get(m) === 2) return;
      if (state.get(m) === 1) { cycle.push([...path, m].join(" -> ")); return; }
      state.set(m, 1);
      for (const t of edges.get(m) ?? []) visit(t, [...path, m]);
      state.set(m, 2);
    };
    for (const m of edges.keys()) visit(m, []);
    expect(cycle).toEqual([]);
  });
});
