import { describe, fail, isNdArray, isNumericArray, type ChunkInput, type ChunkShape } from "../core/index.js";

/**
 * Largest chunk (horizon·dim values) that encode, decode, quantize and fit accept: 2^18 = 262,144 values, e.g.
 * 8192 steps × 32 dims (a FAST chunk is about one second, 30 × 32 = 960). Checked before any work, so a huge
 * chunk or a `horizon` typo fails at once instead of running for minutes (an inverse DCT of 10^7 steps) or failing
 * deep inside BPE. It also keeps every chunk far below the BPE word limit: a chunk's text is at most 4 UTF-8 bytes
 * per value, so 4·2^18 bytes < `MAX_WORD_BYTES` (2^22 − 1) always holds.
 */
export const MAX_CHUNK_VALUES = 1 << 18;

/** Integer typed arrays accepted as token ids (besides `number[]`). */
export type IntegerArray = Int8Array | Uint8Array | Uint8ClampedArray | Int16Array | Uint16Array | Int32Array | Uint32Array;

/** Token ids: a plain array or an integer typed array (e.g. an `Int32Array` from an argmax). */
export type TokenIdList = readonly number[] | IntegerArray;

export function isIntegerArray(value: unknown): value is IntegerArray {
  return (
    value instanceof Int32Array ||
    value instanceof Uint32Array ||
    value instanceof Uint16Array ||
    value instanceof Int16Array ||
    value instanceof Uint8Array ||
    value instanceof Int8Array ||
    value instanceof Uint8ClampedArray
  );
}

/** Reject ids that are neither `number[]` nor an integer typed array, naming what was given. */
export function checkTokenIds(fn: string, arg: string, ids: unknown): asserts ids is TokenIdList {
  if (Array.isArray(ids) || isIntegerArray(ids)) return;
  const hint = ArrayBuffer.isView(ids) ? " (float typed arrays are not accepted: token ids are integers)" : "";
  fail(fn, arg, `must be an array or an integer typed array (Int32Array, Uint16Array, ...) of token ids; got ${describe(ids)}${hint}`);
}

const SPLIT_HINT = "Split long trajectories into chunks (FAST chunks are about one second, e.g. 30*32)";

/** Throw when a chunk's `horizon·dim` exceeds {@link MAX_CHUNK_VALUES} (`arg` names the chunk argument). */
export function checkChunkValues(fn: string, arg: string, horizon: number, dim: number): void {
  const n = horizon * dim;
  if (n > MAX_CHUNK_VALUES) fail(fn, arg, `must have at most ${MAX_CHUNK_VALUES} values (horizon*dim); got ${horizon}*${dim} = ${n}. ${SPLIT_HINT}`);
}

/** Throw when the requested decode shape `horizon·dim` exceeds {@link MAX_CHUNK_VALUES}. */
export function checkDecodeShape(fn: string, horizon: number, dim: number): void {
  const n = horizon * dim;
  if (n > MAX_CHUNK_VALUES) fail(fn, "horizon*dim", `must be at most ${MAX_CHUNK_VALUES}; got ${horizon}*${dim} = ${n}. ${SPLIT_HINT}`);
}

/**
 * The size check of {@link checkChunkValues} on a chunk before it is converted (no copy of a huge input):
 * an ndarray's shape, rows × columns of `number[][]`, or the typed array's length (its `{ horizon, dim }` when given).
 */
export function checkChunkInputSize(fn: string, arg: string, chunk: ChunkInput, shape?: Partial<ChunkShape>): void {
  if (isNdArray(chunk)) {
    if (chunk.shape.length === 2) checkChunkValues(fn, arg, chunk.shape[0], chunk.shape[1]);
  } else if (isNumericArray(chunk)) {
    if (shape?.horizon !== undefined && shape.dim !== undefined && typeof shape.horizon === "number" && typeof shape.dim === "number") {
      checkChunkValues(fn, arg, shape.horizon, shape.dim);
    } else if (chunk.length > MAX_CHUNK_VALUES) {
      checkChunkValues(fn, arg, chunk.length, 1);
    }
  } else if (Array.isArray(chunk) && chunk.length > 0 && Array.isArray(chunk[0])) {
    checkChunkValues(fn, arg, chunk.length, chunk[0].length);
  }
}
