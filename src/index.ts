// Umbrella re-export of every module face. Prefer the subpath imports ("vla-primitives/tokenizer", ...) to
// load only what you use: the array-floor modules never load tfjs, the tensor-floor ones do.
export * from "./core/index.js";
export * from "./vocab/index.js";
export * from "./io/index.js";
export * from "./tokenizer/index.js";
export * from "./normalize/index.js";
export * from "./state/index.js";
export * from "./depth/index.js";
export * from "./metrics/index.js";
export * from "./nn/index.js";
export * from "./flow/index.js";
export * from "./kv/index.js";
export * from "./model/index.js";
