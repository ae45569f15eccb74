/**
 * `vla-primitives/tokenizer` — the FAST / OpenFAST action tokenizer (DCT over time, scale and round,
 * byte-level BPE) and a Hugging Face byte-level BPE text tokenizer. The DCT, quantizer and BPE pieces behind
 * them are in `vla-primitives/internal`.
 */
export { OpenFastTokenizer, loadFastPlus, type OpenFastTokenizerInit } from "./openfast.js";
export { type DecodeOptions, type DecodeResult, type DecodeIntoResult, type DecodeSuccess, type DecodeFailure, type DecodeFailureReason, type DecodeCompat } from "./decode.js";
export { type FitOptions, type FitInfo, type FitProgress } from "./fit.js";
export type { BpeModel } from "./bpe.js";
export { MAX_CHUNK_VALUES, type TokenIdList, type IntegerArray } from "./limits.js";
export { HfTextTokenizer, type HfDecodeOptions } from "./hf-text-tokenizer.js";
