import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import ts from "typescript";
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

  it("nn holds only generic blocks: it imports neither kv nor model and names no MolmoAct2 checkpoint tensor", () => {
    // the reference's tensor names (model.transformer…, model.action_expert…, context_k_proj, …) belong to model/ (and
    // the KV adapter's to kv/); an nn block that needs them is model code
    const checkpointName = /\b(?:model\.(?:transformer|vision_backbone|action_expert)|action_expert|lm_head|wte|context_[kv]_proj|final_layer|time_embed|modulation\.linear|self_attn|cross_attn|depth_gate|image_vit|image_pooling_2d|image_projector)\b/;
    const bad: string[] = [];
    for (const f of imports.filter((i) => i.module === "nn")) {
      for (const s of f.specs) if (/^\.\.\/(?:kv|model)\//.test(s)) bad.push(`${f.file}: imports ${s}`);
      const hit = checkpointName.exec(readFileSync(join(SRC, f.file), "utf8"));
      if (hit) bad.push(`${f.file}: names ${JSON.stringify(hit[0])}`);
      if (/(?:^|[/-])(?:expert|dit)(?:[-.]|$)/.test(f.file)) bad.push(`${f.file}: an action-expert file (the expert lives in model/)`);
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

// ---- ndarray, the array floor's currency (issue 11 item 2) ----

describe("architecture: ndarray is the array floor's currency", () => {
  const code = (f: string) => readFileSync(join(SRC, f), "utf8").replace(/\/\*[\s\S]*?\*\//g, "").replace(/\/\/.*$/gm, "").replace(/`(?:\\.|[^`\\])*`|"(?:\\.|[^"\\\n])*"/g, '""'); // code only: no comments, no message strings

  it("only core makes ndarray views from the package (everyone else goes through core's face)", () => {
    const bad = imports.filter((f) => f.specs.includes("ndarray") && f.file !== "core/ndarray.ts" && !/import\s+type\s[^;]*from\s+["']ndarray["']/.test(readFileSync(join(SRC, f.file), "utf8")));
    expect(bad.map((f) => f.file)).toEqual([]);
    expect(imports.find((f) => f.file === "core/ndarray.ts")?.specs).toContain("ndarray");
  });

  it("no array-floor file builds number[][] except core's one conversion and the record/list exceptions", () => {
    // exceptions, each not an array to compute on: metrics reads JSON episode logs (per-step records);
    // BPE training and encodeBatch hold ragged lists of token ids
    const allowed = new Set(["core/nested.ts", "metrics/episode-metrics.ts", "metrics/simple-log.ts", "tokenizer/bpe-train.ts", "tokenizer/openfast.ts"]);
    const bad = imports.filter((f) => ARRAY_FLOOR.includes(f.module) && !allowed.has(f.file) && /number\[\]\[\]/.test(code(f.file))).map((f) => f.file);
    expect(bad).toEqual([]);
    expect(/encodeBatch[^{]*\)\s*:\s*number\[\]\[\]/.test(code("tokenizer/openfast.ts"))).toBe(true); // the one use there: token-id lists
  });

  it("array-floor functions return ndarray views where they return arrays, and accept them", async () => {
    const core = await import("../src/core/index.js");
    const { normalize, unnormalize, padDims, unpadDims, computeStats } = await import("../src/normalize/index.js");
    const { undiscretizeState, discretizeState } = await import("../src/state/index.js");
    const { loadFastPlus } = await import("../src/tokenizer/index.js");
    const { episodeChunks } = await import("../src/io/index.js");
    const x = core.ndView(Float64Array.from({ length: 20 }, (_, i) => Math.sin(i)), [10, 2]);
    const stats = computeStats(x);
    const tok = await loadFastPlus();
    const dec = tok.decode(tok.encode(normalize(x, stats)), { horizon: 10, dim: 2 });
    if (!dec.ok) throw new Error(dec.reason);
    const episode = { episodeIndex: 0, length: 10, fps: 10, timestamps: new Float64Array(10), frameIndex: new Float64Array(10), state: x, action: x, names: { state: null, action: null }, file: "mem" };
    const returned = {
      normalize: normalize(x, stats),
      unnormalize: unnormalize(x, stats),
      "padDims().values": padDims(x, 4).values,
      unpadDims: unpadDims(padDims(x, 4).values, 2),
      "decode().actions": dec.actions,
      quantize: tok.quantize(x),
      undiscretizeState: undiscretizeState(discretizeState(normalize(x.pick(0), stats))),
      "episodeChunks()[0]": episodeChunks(episode as never, { seconds: 0.5 })[0],
    };
    const notNd = Object.entries(returned).filter(([, v]) => !core.isNdArray(v)).map(([k]) => k);
    expect(notNd).toEqual([]);
  });
});

// ---- one reader per format, small faces (issue 11) ----

const ARRAY_FACES = ["core", "vocab", "io", "tokenizer", "normalize", "state", "depth", "metrics"] as const;
/** Runtime exports each array-floor face may have; raising one is a decision (add the row to the docs table too). */
const FACE_BUDGET: Record<(typeof ARRAY_FACES)[number], number> = { core: 21, vocab: 4, io: 29, tokenizer: 4, normalize: 17, state: 6, depth: 8, metrics: 24 };
/** The docs page holding each face's export table (core and vocab have no page of their own). */
const FACE_DOCS: Record<(typeof ARRAY_FACES)[number], string> = {
  core: "architecture-faces.md",
  vocab: "architecture-faces.md",
  io: "io.md",
  tokenizer: "tokenizer.md",
  normalize: "normalize.md",
  state: "state.md",
  depth: "depth.md",
  metrics: "metrics.md",
};
const DOCS = resolve(SRC, "..", "docs");
/** A module face's runtime exports (by path: the faces are found by listing src/). */
const importFace = (m: string): Promise<Record<string, unknown>> => import(/* @vite-ignore */ pathToFileURL(join(SRC, m, "index.ts")).href);

/**
 * Keys a file reads from objects, from the TypeScript AST (so strings and comments never count): `a.key`,
 * `a["key"]`, `const { key } = a` and `"key" in a`.
 */
function keysRead(file: string): Set<string> {
  const src = ts.createSourceFile(file, readFileSync(file, "utf8"), ts.ScriptTarget.ES2022, true);
  const out = new Set<string>();
  const visit = (n: ts.Node): void => {
    if (ts.isPropertyAccessExpression(n)) out.add(n.name.text);
    else if (ts.isElementAccessExpression(n) && ts.isStringLiteralLike(n.argumentExpression)) out.add(n.argumentExpression.text);
    else if (ts.isBindingElement(n) && ts.isObjectBindingPattern(n.parent)) {
      const key = n.propertyName ?? n.name;
      if (ts.isIdentifier(key) || ts.isStringLiteralLike(key)) out.add(key.text);
    } else if (ts.isBinaryExpression(n) && n.operatorToken.kind === ts.SyntaxKind.InKeyword && ts.isStringLiteralLike(n.left)) out.add(n.left.text);
    ts.forEachChild(n, visit);
  };
  visit(src);
  return out;
}

/** Calls of `JSON.parse(…)` or core's `parseJson(…)` in a file. */
function parsesJson(file: string): boolean {
  const src = ts.createSourceFile(file, readFileSync(file, "utf8"), ts.ScriptTarget.ES2022, true);
  let found = false;
  const visit = (n: ts.Node): void => {
    if (ts.isCallExpression(n)) {
      const e = n.expression;
      if ((ts.isIdentifier(e) && e.text === "parseJson") || (ts.isPropertyAccessExpression(e) && e.name.text === "parse" && ts.isIdentifier(e.expression) && e.expression.text === "JSON")) found = true;
    }
    if (!found) ts.forEachChild(n, visit);
  };
  visit(src);
  return found;
}

/** The first-column names of the `## Exports` table of a docs page section about `module`. */
function documentedExports(page: string, module: string): string[] {
  const text = readFileSync(join(DOCS, page), "utf8");
  const start = text.search(new RegExp(`^## Exports of \`vla-primitives/${module}\``, "m"));
  if (start < 0) return [];
  const rest = text.slice(start).split("\n").slice(1);
  const end = rest.findIndex((l) => l.startsWith("## "));
  return (end < 0 ? rest : rest.slice(0, end)).flatMap((l) => /^\| `([A-Za-z0-9_$]+)` \|/.exec(l)?.[1] ?? []);
}

describe("architecture: one reader per format (issue 11)", () => {
  const allFiles = files(SRC).map((f) => relative(SRC, f));
  const reads = new Map(allFiles.map((f) => [f, keysRead(join(SRC, f))]));
  // Keys only the format has: a second parser of the format has to read them.
  const FORMATS = [
    { format: "Hugging Face tokenizer.json", reader: "io/hf-tokenizer-json.ts", keys: ["added_tokens", "pre_tokenizer", "post_processor", "byte_fallback", "ignore_merges", "continuing_subword_prefix", "end_of_word_suffix"] },
    { format: "LeRobot stats.json", reader: "io/lerobot-stats-json.ts", keys: ["q10", "q50", "q90"] },
  ];

  it.each(FORMATS)("$format is read only by $reader", ({ reader, keys }) => {
    expect(allFiles).toContain(reader);
    const bad = allFiles.filter((f) => f !== reader).flatMap((f) => keys.filter((k) => reads.get(f)!.has(k)).map((k) => `${f} reads "${k}"`));
    expect(bad).toEqual([]);
  });

  it("normalize's statsFromLeRobot reads stats.json through io's reader (its errors are parseStatsJson's)", async () => {
    const { statsFromLeRobot } = await import("../src/normalize/index.js");
    expect(() => statsFromLeRobot({ action: { q01: "low" } }, "action")).toThrow(/^parseStatsJson: "action".q01 /);
  });

  it("on the array floor only io (and core's parseJson itself) turns text into JSON", () => {
    // Known exception, to move into io together with model's tagsFromNormStats (which reads the same file):
    // normalize/stats-files.ts reads openpi and MolmoAct2 norm_stats.json, each once.
    const allowed = new Set(["core/errors.ts", "normalize/stats-files.ts"]);
    const bad = allFiles.filter((f) => ARRAY_FLOOR.includes(f.split("/")[0]) && f.split("/")[0] !== "io" && !allowed.has(f) && parsesJson(join(SRC, f)));
    expect(bad).toEqual([]);
  });

  it("preprocess.json is read and written in io, not in the CLI", () => {
    // its types are declared in io only, and each CLI file that names the file goes through io's reader/writer
    const declared = allFiles.filter((f) => /\b(?:interface\s+(?:Preprocess|PreprocessFile|FittedOn)\b|type\s+(?:Preprocess|PreprocessFile|FittedOn)\s*=)/.test(readFileSync(join(SRC, f), "utf8")));
    expect(declared).toEqual(["io/preprocess-json.ts"]);
    const text = (f: string) => readFileSync(join(SRC, f), "utf8");
    const bad = allFiles
      .filter((f) => f.startsWith("cli/") && /join\([^)]*"preprocess\.json"\)/.test(text(f)))
      .filter((f) => !/\b(?:parsePreprocessJson|serializePreprocessJson)\(/.test(text(f)) || (/\bparsePreprocessJson\(/.test(text(f)) && parsesJson(join(SRC, f))));
    expect(bad).toEqual([]);
  });
});

describe("architecture: small faces (issue 11)", () => {
  const faces = Object.fromEntries(readdirSync(SRC).filter((d) => statSync(join(SRC, d)).isDirectory() && d in FLOOR && d !== "cli").map((d) => [d, join(SRC, d, "index.ts")]));

  it.each(ARRAY_FACES)("%s: every runtime export is in its docs table, within the budget", async (m) => {
    const names = Object.keys(await importFace(m)).sort();
    expect(names.length).toBeLessThanOrEqual(FACE_BUDGET[m]);
    expect(documentedExports(FACE_DOCS[m], m).sort()).toEqual(names);
  });

  it("the umbrella export is every face's names, none lost to a clash", async () => {
    const all: string[] = [];
    for (const m of Object.keys(faces)) all.push(...Object.keys(await importFace(m)));
    const umbrella = Object.keys(await import(/* @vite-ignore */ pathToFileURL(join(SRC, "index.ts")).href));
    const twice = all.filter((n, i) => all.indexOf(n) !== i);
    expect(twice).toEqual([]);
    expect(umbrella.sort()).toEqual([...all].sort());
  });

  it("vla-primitives/internal: documented, no module imports it, and it repeats no face's name", async () => {
    const internal = Object.keys(await import(/* @vite-ignore */ pathToFileURL(join(SRC, "internal.ts")).href)).sort();
    const faceNames = new Set<string>();
    for (const m of Object.keys(faces)) for (const n of Object.keys(await importFace(m))) faceNames.add(n);
    expect(internal.filter((n) => faceNames.has(n))).toEqual([]);
    expect(documentedExports("architecture-faces.md", "internal").sort()).toEqual(internal);
    const importers = imports.filter((f) => f.specs.some((s) => /(^|\/)internal\.js$/.test(s))).map((f) => f.file);
    expect(importers).toEqual([]);
    const pkg = JSON.parse(readFileSync(resolve(SRC, "..", "package.json"), "utf8")) as { exports: Record<string, unknown>; sideEffects: unknown };
    expect(pkg.exports["./internal"]).toEqual({ types: "./dist/internal.d.ts", default: "./dist/internal.js" });
    expect(pkg.sideEffects).toBe(false);
  });
});
