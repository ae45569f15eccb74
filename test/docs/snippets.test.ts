import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { missingFixtures } from "../fixtures.js";
import { allSnippets, extractTsSnippets, type Snippet } from "./snippets.js";

// Every ```ts block of README.md and docs/*.md runs as written against the BUILT package (npm test builds dist/
// with tsup first): each block is written to a .mts file inside the repository, so `vla-primitives/<module>`
// resolves to dist/ through the package's self-reference, and run with tsx from the repository root (the shipped
// data under examples/data/ is read by relative path). All blocks are also type-checked together (strict, against
// dist/'s declarations) in one tsc run. A failure names the page and the line.
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
/**
 * Where the blocks are written: a git-ignored folder inside the package. VLA_SNIPPET_DIR overrides it (for tooling:
 * a folder under another package.json named vla-primitives runs the blocks against that package's build instead).
 */
const OUT = resolve(ROOT, process.env.VLA_SNIPPET_DIR ?? join(".tmp", "docs-snippets"));
const PER_BLOCK_TIMEOUT_MS = 90_000;
const PARALLEL = 2; // CI has 2 cores

const snippets = allSnippets(ROOT);
const runnable = snippets.filter((s) => s.noRun === undefined);
const built = process.env.VLA_SNIPPET_DIR !== undefined || existsSync(join(ROOT, "dist", "index.js"));

let running = 0;
const waiting: (() => void)[] = [];
async function limited<T>(job: () => Promise<T>): Promise<T> {
  if (running >= PARALLEL) await new Promise<void>((r) => waiting.push(r));
  running++;
  try {
    return await job();
  } finally {
    running--;
    waiting.shift()?.();
  }
}

function fileFor(s: Snippet): string {
  return join(OUT, `${s.file.replace(/[^A-Za-z0-9]+/g, "-")}-L${s.line}.mts`);
}

function runSnippet(s: Snippet): Promise<{ code: number | null; output: string }> {
  const file = fileFor(s);
  writeFileSync(file, s.code);
  return new Promise((done) => {
    const child = spawn(process.execPath, ["--import", "tsx", file], { cwd: ROOT, env: { ...process.env, FORCE_COLOR: "0" }, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (d) => (output += d));
    child.stderr.on("data", (d) => (output += d));
    const timer = setTimeout(() => {
      output += `\n[killed after ${PER_BLOCK_TIMEOUT_MS / 1000} s]`;
      child.kill("SIGKILL");
    }, PER_BLOCK_TIMEOUT_MS);
    child.on("close", (code) => {
      clearTimeout(timer);
      done({ code, output });
    });
  });
}

/** One strict tsc run over every runnable block; errors mapped back to `page:line` per block (`global`: the rest). */
function typecheck(blocks: Snippet[]): { perBlock: Map<Snippet, string[]>; global: string[] } {
  writeFileSync(
    join(OUT, "tsconfig.json"),
    JSON.stringify({
      compilerOptions: { target: "ES2022", lib: ["ES2022", "DOM"], module: "NodeNext", moduleResolution: "NodeNext", strict: true, skipLibCheck: true, noEmit: true, types: ["node"] },
      include: ["*.mts"],
    }),
  );
  for (const s of blocks) writeFileSync(fileFor(s), s.code);
  const tsc = join(ROOT, "node_modules", "typescript", "bin", "tsc");
  const r = spawnSync(process.execPath, [tsc, "-p", join(OUT, "tsconfig.json"), "--pretty", "false"], { cwd: ROOT, encoding: "utf8", timeout: 120_000 });
  const byFile = new Map(blocks.map((s) => [fileFor(s), s] as const));
  const perBlock = new Map<Snippet, string[]>(blocks.map((s) => [s, []]));
  const global: string[] = r.error ? [`tsc did not run: ${r.error.message}`] : [];
  let last: string[] = global;
  for (const line of (r.stdout + r.stderr).split("\n")) {
    const m = /^(.*\.mts)\((\d+),(\d+)\): (.*)$/.exec(line);
    const s = m ? byFile.get(resolve(ROOT, m[1])) : undefined;
    if (m && s) {
      last = perBlock.get(s)!;
      // the block's first line is the line after its fence
      last.push(`${s.file}:${s.line + Number(m[2])}:${m[3]}: ${m[4]}`);
    } else if (/^\s/.test(line)) last.push(line);
    else if (line.trim() !== "") (last = global).push(line);
  }
  return { perBlock, global };
}

function tail(text: string, lines = 30): string {
  const all = text.trimEnd().split("\n");
  return (all.length > lines ? ["…", ...all.slice(-lines)] : all).map((l) => (l.length > 400 ? l.slice(0, 400) + "…" : l)).join("\n");
}

describe("the snippet extractor", () => {
  it("finds ```ts blocks with their fence line, honours ```ts no-run <reason>, and skips other languages", () => {
    const md = ["# t", "```bash", "```ts inside bash", "```", "", "```ts", "const a = 1;", "```", "  ```ts no-run needs a camera", "  x();", "  ```", "````typescript", "```", "````"].join("\n");
    const got = extractTsSnippets(md, "page.md");
    expect(got).toEqual([
      { file: "page.md", line: 6, code: "const a = 1;\n" },
      { file: "page.md", line: 9, code: "x();\n", noRun: "needs a camera" },
      { file: "page.md", line: 12, code: "```\n" },
    ]);
  });

  it("finds the pages' blocks; every no-run block gives its reason", () => {
    expect(runnable.length).toBeGreaterThan(10);
    const noReason = snippets.filter((s) => s.noRun === "").map((s) => `${s.file}:${s.line}`);
    expect(noReason, "```ts no-run blocks need a one-line reason").toEqual([]);
  });
});

describe.skipIf(runnable.length === 0)("docs snippets run against the built package", () => {
  rmSync(OUT, { recursive: true, force: true });
  mkdirSync(OUT, { recursive: true });

  let types: { perBlock: Map<Snippet, string[]>; global: string[] } = { perBlock: new Map(), global: [] };
  beforeAll(() => {
    if (built) types = typecheck(runnable);
  }, 120_000);

  it("tsc runs on the blocks (no errors outside them)", () => {
    if (!built) throw new Error("dist/ is not built: run `npx tsup` (npm test builds first)");
    expect(types.global).toEqual([]);
  });

  for (const s of runnable) {
    it(`${s.file}:${s.line} type-checks`, () => {
      if (!built) throw new Error("dist/ is not built: run `npx tsup` (npm test builds first)");
      expect(types.perBlock.get(s) ?? [], `${s.file}:${s.line}: the \`\`\`ts block has type errors`).toEqual([]);
    });
    // a block that opens the shared fixtures (e.g. the tiny reference checkpoint) runs only where they exist
    const needsShared = s.code.includes("../shared/fixtures");
    const skip = needsShared && missingFixtures(`docs block ${s.file}:${s.line}`);
    it.skipIf(skip).concurrent(`${s.file}:${s.line}`, async () => {
      if (!built) throw new Error("dist/ is not built: run `npx tsup` (npm test builds first)");
      const r = await limited(() => runSnippet(s));
      if (r.code !== 0) {
        throw new Error(`${s.file}:${s.line}: the \`\`\`ts block exited with ${r.code} (written to ${fileFor(s)})\n${tail(r.output)}`);
      }
    }, PER_BLOCK_TIMEOUT_MS * 3);
  }
});
