export { OpenFastTokenizer, loadFastPlus, type OpenFastTokenizerInit } from "./openfast.js";
export { type DecodeOptions, type DecodeResult, type DecodeIntoResult, type DecodeSuccess, type DecodeFailure, type DecodeFailureReason, type DecodeCompat } from "./decode.js";
export { type FitOptions, type FitInfo, type FitProgress } from "./fit.js";
export { BpeModel, MAX_WORD_BYTES } from "./bpe.js";
export { trainBpe, type TrainBpeOptions, type TrainBpeResult, type TrainProgress } from "./bpe-train.js";
export { dctOrtho, idctOrtho, dctMatrix, DCT_MATRIX_MAX, type DctMethod } from "./dct.js";
export { BYTE_TO_CHAR, CHAR_TO_BYTE, GPT2_SPLIT, pretokenizeString, pretokenizeCodePoints, decodeUtf8Lossy } from "./byte-level.js";
export { quantizeCoefficients } from "./quantize.js";
