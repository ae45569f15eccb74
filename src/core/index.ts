export { VlaError, fail, describe, parseJson, type Result } from "./errors.js";
export { checkInt, checkNumber, checkOneOf, checkFinite, formatIndex, isNumericArray, type NumericArray } from "./validate.js";
export { toChunk, type Chunk, type ChunkInput, type ChunkShape } from "./chunk.js";
export { Rng } from "./random.js";
export { roundHalfEven, quantileSorted } from "./math.js";
