// Umbrella re-export. Prefer the subpath imports ("vla-primitives/tokenizer", ...) to load only what you use.
export * from "./core/index.js";
export * from "./vocab/index.js";
