// Train a FAST tokenizer on your own (normalized) chunks, save it as a Hugging Face folder, load it back.
// Run: npx tsx examples/tokenizer-fit.ts
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Rng } from "../src/core/index.js";
import { OpenFastTokenizer } from "../src/tokenizer/index.js";

const rng = new Rng(0);
const chunks = Array.from({ length: 300 }, () => {
  const [a, b] = rng.normals(2);
  return Array.from({ length: 20 }, (_, t) => Array.from({ length: 4 }, (_, d) => Math.tanh(0.4 * a * Math.sin(t / 6 + d) + 0.2 * b)));
});

const tok = OpenFastTokenizer.fit(chunks, {
  vocabSize: 256,
  scale: 10,
  onProgress: (p) => {
    if (p.phase === "merge" && p.done % 50 === 0) console.log(`merges ${p.done}/${p.total}`);
  },
});
console.log("fit:", tok.fitInfo);

const dir = mkdtempSync(join(tmpdir(), "fast-fit-"));
await tok.save(dir); // tokenizer.json, processor_config.json, tokenizer_config.json, special_tokens_map.json
const again = await OpenFastTokenizer.load(dir);
console.log("same ids after save/load:", JSON.stringify(again.encode(chunks[0])) === JSON.stringify(tok.encode(chunks[0])));
rmSync(dir, { recursive: true, force: true });
