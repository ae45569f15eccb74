import { checkInt, checkOneOf, describe, fail, isNdArray, ndView, rowMajor, type Chunk } from "../core/index.js";
import type { BpeModel } from "./bpe.js";
import { decodeUtf8Lossy } from "./byte-level.js";
import { idctOrtho } from "./dct.js";
import { checkDecodeShape, checkTokenIds, type TokenIdList } from "./limits.js";

/** Why a decode failed (the `reason` of a failed {@link DecodeResult}). */
export type DecodeFailureReason = "empty" | "invalid-id" | "unknown-id" | "invalid-utf8" | "wrong-length";

/**
 * Decode behaviour:
 * - `"strict"` (default): a negative/non-integer id, an id outside the vocab, bytes that are not valid
 *   UTF-8 (U+FFFD) or a coefficient count other than horizon·dim fail with a reason.
 * - `"reference"`: what physical-intelligence/fast does (via HF `tokenizers`): unknown ids silently skipped,
 *   U+FFFD accepted (huge coefficients), negative ids and wrong counts fail; failures carry the all-zero
 *   `actions` upstream would return.
 */
export type DecodeCompat = "strict" | "reference";

export interface DecodeOptions {
  /** Time steps T of the chunk to rebuild (required: no sticky state from earlier calls). */
  horizon: number;
  /** Action dims D of the chunk to rebuild. */
  dim: number;
  compat?: DecodeCompat;
  /**
   * LeRobot pi0_fast `relaxed_decoding`: right-pad with zero coefficients or truncate to exactly
   * horizon·dim before the inverse DCT, instead of failing on a wrong count.
   */
  relaxed?: boolean;
}

/** Decoded chunk: `actions` is a float64 ndarray `[horizon, dim]` over packed row-major data (`actions.data`). */
export interface DecodeSuccess {
  ok: true;
  actions: Chunk;
  /** Quantized DCT coefficients, a float64 ndarray `[horizon (frequency), dim]` of integers. */
  coefficients: Chunk;
  horizon: number;
  dim: number;
}

export interface DecodeFailure {
  ok: false;
  reason: DecodeFailureReason;
  /** Human-readable explanation naming the offending id / count. */
  message: string;
  /** Position in `ids` (id failures) or in the decoded coefficients (`invalid-utf8`). */
  index?: number;
  /** Coefficients decoded (`wrong-length`, `empty`; absent when there were far too many to count) … */
  got?: number;
  /** … and coefficients needed (horizon·dim). */
  expected?: number;
  /** Only with `compat: "reference"`: the all-zero chunk `[horizon, dim]` upstream returns on failure. */
  actions?: Chunk;
}

export type DecodeResult = DecodeSuccess | DecodeFailure;

/** Reusable buffers of one tokenizer (grown as needed). */
export interface DecodeScratch {
  bytes: Uint8Array<ArrayBuffer>;
  cps: Int32Array;
  /** coefficients / scale, the inverse DCT's input (length horizon·dim of the last call). */
  scaled: Float64Array;
}

/** A failed result; with `reference` it carries the all-zero chunk upstream returns. */
function failed(f: Omit<DecodeFailure, "ok" | "actions">, reference: boolean, H: number, D: number): DecodeFailure {
  const r: DecodeFailure = { ok: false, ...f };
  if (reference) r.actions = ndView(new Float64Array(H * D), [H, D]);
  return r;
}

/** What the shared decode steps produce: the shape, or a failure value. */
type Decoded = { ok: true; H: number; D: number; n: number } | DecodeFailure;

/**
 * The steps shared by {@link decodeFast} and {@link decodeFastInto}: option checks, id checks, ids → ByteLevel
 * bytes → lossy UTF-8 code points (left in `scratch.cps[0..n)`), with the failure rules of {@link DecodeCompat}.
 */
function decodeCodePoints(fn: string, model: BpeModel, scratch: DecodeScratch, ids: TokenIdList, opts: DecodeOptions): Decoded {
  checkTokenIds(fn, "ids", ids);
  if (typeof opts !== "object" || opts === null) fail(fn, "opts", `must be { horizon, dim }; got ${describe(opts)}`);
  const H = checkInt(fn, "horizon", opts.horizon, 1);
  const D = checkInt(fn, "dim", opts.dim, 1);
  checkDecodeShape(fn, H, D); // before any work: a huge horizon would otherwise run an inverse DCT for minutes
  const compat = opts.compat === undefined ? "strict" : checkOneOf(fn, "compat", opts.compat, ["strict", "reference"] as const);
  const reference = compat === "reference";
  const expected = H * D;
  const size = model.size;
  const lens = model.tokenByteLength;
  // one pass: id checks (first bad id wins) and the byte total
  let total = 0;
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i];
    if (typeof id !== "number" || !Number.isInteger(id) || id < 0) {
      return failed({ reason: "invalid-id", index: i, message: `ids[${i}] must be an integer >= 0; got ${describe(id)}` }, reference, H, D);
    }
    const len = id < size ? lens[id] : -1;
    if (len < 0) {
      if (!reference) return failed({ reason: "unknown-id", index: i, message: `ids[${i}] = ${id} is not in the vocabulary (ids 0..${size - 1})` }, reference, H, D);
    } else total += len;
  }
  // every coefficient takes 1..4 bytes: beyond 4·expected bytes the count is certainly too large, so never
  // materialize more (a hostile id list of long tokens cannot allocate gigabytes)
  const maxBytes = 4 * expected + 4;
  if (total > maxBytes && !opts.relaxed) {
    return failed({ reason: "wrong-length", expected, message: `decoded more than ${expected} coefficients (${total} bytes of tokens); need horizon*dim = ${H}*${D} = ${expected}` }, reference, H, D);
  }
  // fast path: every token decodes to whole code points on its own (always so for encode's output with
  // FAST+); byte truncation at maxBytes (relaxed mode only) needs the byte path
  const direct = total <= maxBytes ? model.decodeCodePointsDirect(ids, scratch.cps) : undefined;
  let n: number;
  if (direct !== undefined) {
    scratch.cps = direct.cps;
    n = direct.length;
  } else {
    const dec = model.decodeBytes(ids, scratch.bytes, maxBytes);
    scratch.bytes = dec.bytes;
    if (scratch.cps.length < dec.length) scratch.cps = new Int32Array(dec.length);
    n = decodeUtf8Lossy(dec.bytes, dec.length, scratch.cps);
  }
  const cps = scratch.cps;
  if (!reference) {
    for (let i = 0; i < n; i++) {
      if (cps[i] === 0xfffd) {
        return failed({ reason: "invalid-utf8", index: i, message: `the tokens' bytes are not valid UTF-8 at coefficient ${i} (U+FFFD); the id sequence cannot come from encode` }, reference, H, D);
      }
    }
  }
  if (!opts.relaxed && n !== expected) {
    const reason = n === 0 ? "empty" : "wrong-length";
    const message = n === 0 ? `no coefficients decoded; need horizon*dim = ${H}*${D} = ${expected}` : `decoded ${n} coefficients; need horizon*dim = ${H}*${D} = ${expected}`;
    return failed({ reason, got: n, expected, message }, reference, H, D);
  }
  return { ok: true, H, D, n };
}

/** `q = c + minToken` (into `coefficients` when given) and `q / scale` into `scratch.scaled`, zero-padded. */
function scaleCoefficients(cfg: { minToken: number; scale: number }, scratch: DecodeScratch, n: number, expected: number, coefficients?: Float64Array): Float64Array {
  if (scratch.scaled.length !== expected) scratch.scaled = new Float64Array(expected);
  const scaled = scratch.scaled;
  const cps = scratch.cps;
  const m = Math.min(n, expected);
  const minToken = cfg.minToken;
  const scale = cfg.scale;
  for (let i = 0; i < m; i++) {
    const q = cps[i] + minToken;
    if (coefficients) coefficients[i] = q;
    scaled[i] = q / scale;
  }
  for (let i = m; i < expected; i++) scaled[i] = 0;
  return scaled;
}

/**
 * FAST decode (see `OpenFastTokenizer.decode`): ids → ByteLevel bytes → lossy UTF-8 → `q = c + minToken` →
 * `q / scale` → inverse DCT, with the failure rules of {@link DecodeCompat} and optional relaxed padding.
 */
export function decodeFast(model: BpeModel, cfg: { minToken: number; scale: number }, scratch: DecodeScratch, ids: TokenIdList, opts: DecodeOptions): DecodeResult {
  const r = decodeCodePoints("OpenFastTokenizer.decode", model, scratch, ids, opts);
  if (!r.ok) return r;
  const { H, D, n } = r;
  const expected = H * D;
  const coefficients = new Float64Array(expected);
  const data = idctOrtho(scaleCoefficients(cfg, scratch, n, expected, coefficients), H, D);
  return { ok: true, actions: ndView(data, [H, D]), coefficients: ndView(coefficients, [H, D]), horizon: H, dim: D };
}

/** The Float64Array decodeInto writes: `out` itself, or the memory of a packed float64 ndarray `[H, D]`. */
function intoTarget(fn: string, out: Float64Array | Chunk): Float64Array {
  if (out instanceof Float64Array) return out;
  if (!isNdArray(out) || !(out.data instanceof Float64Array) || out.shape.length !== 2) fail(fn, "out", `must be a Float64Array or a float64 ndarray [horizon, dim]; got ${describe(out)}`);
  const flat = rowMajor(out);
  if (flat.buffer !== out.data.buffer) fail(fn, "out", "must be a packed ndarray (row-major, no gaps): decodeInto writes in place, and a strided view cannot be written as one block");
  return flat;
}

/** Result of `OpenFastTokenizer.decodeInto`: success (the chunk is in `out`) or the same failures as decode. */
export type DecodeIntoResult = { ok: true; horizon: number; dim: number } | DecodeFailure;

/**
 * Like {@link decodeFast} but writes the chunk (row-major float64 `[horizon][dim]`) into `out` and allocates
 * no result arrays. `out` is only written on success.
 */
export function decodeFastInto(model: BpeModel, cfg: { minToken: number; scale: number }, scratch: DecodeScratch, ids: TokenIdList, opts: DecodeOptions, outArg: Float64Array | Chunk): DecodeIntoResult {
  const fn = "OpenFastTokenizer.decodeInto";
  const out = intoTarget(fn, outArg);
  const r = decodeCodePoints(fn, model, scratch, ids, opts);
  if (!r.ok) return r;
  const expected = r.H * r.D;
  if (out.length !== expected) fail(fn, "out", `must have horizon*dim = ${r.H}*${r.D} = ${expected} elements; got ${out.length}`);
  if (isNdArray(outArg) && (outArg.shape[0] !== r.H || outArg.shape[1] !== r.D)) fail(fn, "out", `must be [horizon, dim] = [${r.H}, ${r.D}]; got [${outArg.shape.join(", ")}]`);
  idctOrtho(scaleCoefficients(cfg, scratch, r.n, expected), r.H, r.D, out);
  return { ok: true, horizon: r.H, dim: r.D };
}
