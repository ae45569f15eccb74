// Runs every bench/*.bench.ts (or only those named: `npm run bench -- tokenizer depth`).
import { readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const dir = dirname(fileURLToPath(import.meta.url));
const wanted = process.argv.slice(2).filter((a) => !a.startsWith("-"));
const files = readdirSync(dir)
  .filter((f) => f.endsWith(".bench.ts"))
  .filter((f) => wanted.length === 0 || wanted.some((w) => f.startsWith(w)))
  .sort();
if (files.length === 0) {
  console.error(`no benchmark matches ${wanted.join(", ")}; available: ${readdirSync(dir).filter((f) => f.endsWith(".bench.ts")).join(", ")}`);
  process.exit(1);
}
for (const f of files) {
  console.log(`\n>>> ${f}`);
  const mod = (await import(pathToFileURL(join(dir, f)).href)) as { run?: () => Promise<void> };
  if (typeof mod.run === "function") await mod.run();
}
