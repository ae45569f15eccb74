// Runs every bench/*.bench.ts (or only those named: `npm run bench -- tokenizer depth`). Opt-in benches (minutes
// long, gigabytes of generated checkpoints) run only when named in full: `npm run bench -- model-vs-torch`.
import { readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const dir = dirname(fileURLToPath(import.meta.url));
const wanted = process.argv.slice(2).filter((a) => !a.startsWith("-"));
const OPT_IN = new Set(["model-vs-torch"]);
const nameOf = (f: string) => f.replace(/\.bench\.ts$/, "");
const files = readdirSync(dir)
  .filter((f) => f.endsWith(".bench.ts"))
  .filter((f) => (OPT_IN.has(nameOf(f)) ? wanted.includes(nameOf(f)) : wanted.length === 0 || wanted.some((w) => f.startsWith(w))))
  .sort();
const skipped = [...OPT_IN].filter((n) => !wanted.includes(n) && (wanted.length === 0 || wanted.some((w) => n.startsWith(w))));
if (skipped.length > 0) console.log(`(opt-in, not run: ${skipped.join(", ")}; name it in full to run it, e.g. npm run bench -- ${skipped[0]})`);
if (files.length === 0) {
  console.error(`no benchmark matches ${wanted.join(", ")}; available: ${readdirSync(dir).filter((f) => f.endsWith(".bench.ts")).join(", ")}`);
  process.exit(1);
}
for (const f of files) {
  console.log(`\n>>> ${f}`);
  const mod = (await import(pathToFileURL(join(dir, f)).href)) as { run?: () => Promise<void> };
  if (typeof mod.run === "function") await mod.run();
}
