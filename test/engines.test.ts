import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

// Every package the lock installs must run on the Node versions we promise: the library (runtime dependencies) on
// the lowest version package.json's engines allow, the dev tools (tests, build, docs) on TOOLS_NODE. puppeteer-core 25
// (Node >= 22.12) slipped in once; this test names any such package. It reads package-lock.json (what `npm ci`
// installs) and the installed direct dependencies.
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8"));
const lock = JSON.parse(readFileSync(join(ROOT, "package-lock.json"), "utf8"));

/** vitest 4 runs on vite 8 / rolldown, whose engines are `^20.19.0 || >=22.12.0`: the floor for the dev tools. */
const TOOLS_NODE = "20.19.0";

type Version = [number, number, number];
const cmp = (a: Version, b: Version) => a[0] - b[0] || a[1] - b[1] || a[2] - b[2];

/** A (possibly partial) version: "20", "14.17", "6.*", "1.2.3-beta" → numbers and how many were given. */
function partial(s: string): { v: Version; given: number } {
  const parts = s.replace(/^v/, "").split("-")[0].split(".").filter((p) => p !== "" && p !== "*" && p.toLowerCase() !== "x");
  const n = parts.map(Number);
  return { v: [n[0] ?? 0, n[1] ?? 0, n[2] ?? 0], given: parts.length };
}

/** The exclusive upper bound of an x-range ("20" → 21.0.0, "14.17" → 14.18.0). */
function bump(v: Version, given: number): Version {
  return given <= 1 ? [v[0] + 1, 0, 0] : [v[0], v[1] + 1, 0];
}

/** One comparator ("^20.19.0", ">=18", "20", "<22.0.0", "*") as a predicate. */
function comparator(tok: string): (x: Version) => boolean {
  const m = /^(>=|<=|>|<|=|\^|~)?(.*)$/.exec(tok)!;
  const op = m[1] ?? "";
  const { v, given } = partial(m[2]);
  if (given === 0) return op === "<" ? () => false : () => true;
  switch (op) {
    case ">=":
      return (x) => cmp(x, v) >= 0;
    case ">":
      return given < 3 ? (x) => cmp(x, bump(v, given)) >= 0 : (x) => cmp(x, v) > 0;
    case "<":
      return (x) => cmp(x, v) < 0;
    case "<=":
      return given < 3 ? (x) => cmp(x, bump(v, given)) < 0 : (x) => cmp(x, v) <= 0;
    case "^": {
      const hi: Version = v[0] > 0 || given === 1 ? [v[0] + 1, 0, 0] : v[1] > 0 || given === 2 ? [0, v[1] + 1, 0] : [0, 0, v[2] + 1];
      return (x) => cmp(x, v) >= 0 && cmp(x, hi) < 0;
    }
    case "~":
      return (x) => cmp(x, v) >= 0 && cmp(x, bump(v, Math.min(given, 2))) < 0;
    default:
      return given < 3 ? (x) => cmp(x, v) >= 0 && cmp(x, bump(v, given)) < 0 : (x) => cmp(x, v) === 0;
  }
}

/** npm's range grammar as used in `engines` fields: `||` of space-separated comparators, hyphen ranges, x-ranges. */
function satisfies(version: string, range: string): boolean {
  const x = partial(version).v;
  return range.split("||").some((alt) => {
    const a = alt.trim();
    const hyphen = /^(\S+)\s+-\s+(\S+)$/.exec(a);
    const toks = hyphen ? [`>=${hyphen[1]}`, `<=${hyphen[2]}`] : a.replace(/(>=|<=|>|<|=|\^|~)\s+/g, "$1").split(/\s+/).filter(Boolean);
    return toks.every((t) => comparator(t)(x));
  });
}

/** The lowest version a `>=X` style range admits (package.json's own engines). */
function floorOf(range: string): string {
  const m = /^>=\s*(\d+(?:\.\d+){0,2})$/.exec(range.trim());
  if (!m) throw new Error(`package.json engines.node should be ">=X"; got ${JSON.stringify(range)}`);
  const { v } = partial(m[1]);
  return v.join(".");
}

const LIB_NODE = floorOf(pkg.engines.node);
const entries = Object.entries(lock.packages as Record<string, { version?: string; dev?: boolean; engines?: unknown }>).filter(([path]) => path !== "");
const nodeRange = (e: { engines?: unknown }) => {
  const eng = e.engines as Record<string, string> | string[] | undefined;
  return eng && !Array.isArray(eng) && typeof eng.node === "string" ? eng.node : undefined;
};

describe("engines: every dependency runs on the promised Node versions", () => {
  it("range matcher follows npm semantics on the ranges the tree uses", () => {
    const cases: [string, string, boolean][] = [
      ["20.0.0", ">=18", true],
      ["20.0.0", ">= 18", true],
      ["20.0.0", ">=22.12.0", false],
      ["20.19.0", "^20.19.0 || >=22.12.0", true],
      ["20.18.9", "^20.19.0 || >=22.12.0", false],
      ["22.12.0", "^20.19.0 || >=22.12.0", true],
      ["20.5.1", "^20.0.0 || ^22.0.0 || >=24.0.0", true],
      ["23.1.0", "^20.0.0 || ^22.0.0 || >=24.0.0", false],
      ["20.0.0", "20 || >=22", true],
      ["21.0.0", "20 || >=22", false],
      ["20.0.0", "6.* || 8.* || >= 10.*", true],
      ["20.0.0", ">=16 || 14 >=14.17", true],
      ["14.16.0", ">=16 || 14 >=14.17", false],
      ["20.19.0", ">=20.19.0 <22.0.0 || >=22.12.0", true],
      ["22.1.0", ">=20.19.0 <22.0.0 || >=22.12.0", false],
      ["20.0.0", "^10 || ^12 || ^13.7 || ^14 || >=15.0.1", true],
      ["13.6.0", "^10 || ^12 || ^13.7 || ^14 || >=15.0.1", false],
      ["20.0.0", "18 - 22", true],
      ["20.0.0", "~20.1", false],
      ["20.0.0", "*", true],
    ];
    for (const [v, r, want] of cases) expect([v, r, satisfies(v, r)]).toEqual([v, r, want]);
  });

  it("package-lock.json is in sync with package.json (a fresh npm ci / npm install leaves the tree clean)", () => {
    const root = lock.packages[""];
    expect(root.dependencies ?? {}).toEqual(pkg.dependencies ?? {});
    expect(root.devDependencies ?? {}).toEqual(pkg.devDependencies ?? {});
    expect(root.engines).toEqual(pkg.engines);
    expect(lock.version).toBe(pkg.version);
  });

  it(`runtime dependencies (and theirs) allow Node ${LIB_NODE}, the floor of package.json engines`, () => {
    const bad = entries.filter(([, e]) => !e.dev && nodeRange(e) && !satisfies(LIB_NODE, nodeRange(e)!)).map(([p, e]) => `${p}@${e.version}: ${nodeRange(e)}`);
    expect(bad).toEqual([]);
  });

  it(`every locked package, dev tools included, allows Node ${TOOLS_NODE}`, () => {
    const bad = entries.filter(([, e]) => nodeRange(e) && !satisfies(TOOLS_NODE, nodeRange(e)!)).map(([p, e]) => `${p}@${e.version}: ${nodeRange(e)}`);
    expect(bad).toEqual([]);
  });

  it(`direct dependencies as installed match the lock and allow Node ${LIB_NODE}`, () => {
    const direct = [...Object.keys(pkg.dependencies ?? {}), ...Object.keys(pkg.devDependencies ?? {})];
    const problems: string[] = [];
    for (const name of direct) {
      const file = join(ROOT, "node_modules", name, "package.json");
      if (!existsSync(file)) {
        problems.push(`${name}: not installed (run npm ci)`);
        continue;
      }
      const installed = JSON.parse(readFileSync(file, "utf8"));
      const locked = lock.packages[`node_modules/${name}`]?.version;
      if (installed.version !== locked) problems.push(`${name}: installed ${installed.version}, lock ${locked} (run npm ci)`);
      const range = nodeRange(installed);
      if (range && !satisfies(LIB_NODE, range)) problems.push(`${name}@${installed.version}: engines.node ${range}`);
    }
    expect(problems).toEqual([]);
  });
});
