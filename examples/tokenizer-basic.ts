// FAST+ action tokenizer: encode a chunk, decode it back, and see what a bad id sequence returns.
// Run: npx tsx examples/tokenizer-basic.ts
import { loadFastPlus } from "../src/tokenizer/index.js";

const tok = await loadFastPlus(); // Node: assets/fast-plus (Apache-2.0). Browser: OpenFastTokenizer.fetch(url)

// a normalized chunk: 30 steps × 7 dims in about [-1, 1]
const chunk = Array.from({ length: 30 }, (_, t) => Array.from({ length: 7 }, (_, d) => 0.5 * Math.sin(t / 10 + d)));

const ids = tok.encode(chunk);
console.log(`${chunk.length}x${chunk[0].length} chunk -> ${ids.length} tokens:`, ids.join(" "));

const back = tok.decode(ids, { horizon: 30, dim: 7 }); // actions: a float64 ndarray [30, 7]
if (back.ok) {
  let err = 0;
  for (let t = 0; t < 30; t++) for (let d = 0; d < 7; d++) err = Math.max(err, Math.abs(back.actions.get(t, d) - chunk[t][d]));
  console.log(`round-trip max error: ${err.toFixed(4)} (bound per dim: sqrt(30) * 0.5 / scale = ${(Math.sqrt(30) * 0.05).toFixed(4)})`);
}

// a truncated generation: a value with a reason, not silent zeros
const bad = tok.decode(ids.slice(0, -1), { horizon: 30, dim: 7 });
console.log("truncated:", bad.ok ? "ok" : `${bad.reason}: ${bad.message}`);

// LeRobot-style relaxed decoding pads/truncates the coefficients instead
console.log("relaxed:", tok.decode(ids.slice(0, -1), { horizon: 30, dim: 7, relaxed: true }).ok);
