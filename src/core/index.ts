export { VlaError, fail, describe, parseJson, type Result } from "./errors.js";
export { checkInt, checkNumber, checkOneOf, checkFinite, formatIndex, isNumericArray, type NumericArray } from "./validate.js";
// the array currency: ndarray views, made and unpacked in one place
export { isNdArray, ndView, rowMajor, toChunk, toVector, type NdArray, type Chunk, type Vector, type ChunkInput, type VectorInput, type ChunkShape } from "./ndarray.js";
export { toRows, toList } from "./nested.js";
export { toImage, type RgbImage, type ImageInput } from "./image.js";
export { Rng } from "./random.js";
export { roundHalfEven, quantileSorted } from "./math.js";
