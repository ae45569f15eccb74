/**
 * `npm run demo`: runs on built-in data only (no arguments, nothing downloaded, no ../shared needed).
 * Each section lives in its own file; add a section with one import and one call below.
 */
import { runTokenizerDemo } from "./demo-tokenizer.js";
import { runModelDemo } from "./demo-model.js";

console.log("== vla-primitives demo: FAST+ action tokenizer on a real G1 trajectory ==\n");
await runTokenizerDemo();

console.log("\n== vla-primitives demo: tiny MolmoAct2 (random weights) on a real G1 camera frame ==\n");
await runModelDemo();
