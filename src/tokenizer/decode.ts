import { checkInt, checkOneOf, describe, fail } from "../core/index.js";
import type { BpeModel } from "./bpe.js";
import { decodeUtf8Lossy } from "./byte-level.js";
import { idctOrtho } from "./dct.js";

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

/** Decoded chunk: `data` is row-major float64 `[horizon][dim]`, `actions` the same as rows. */
export interface DecodeSuccess {
  ok: true;
  actions: number[][];
  data: Float64Array;
  /** Quantized DCT coefficients, row-major `[horizon (frequency)][dim]` (integers as float64). */
  coefficients: Float64Array;
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
  /** Only with `compat: "reference"`: the all-zero chunk upstream returns on failure. */
  actions?: number[][];
}

export type DecodeResult = DecodeSuccess | DecodeFailure;

/** Reusable buffers of one tokenizer (grown as needed). */
export interface DecodeScratch {
  bytes: Uint8Array<ArrayBuffer>;
  cps: Int32Array;
}

/**
 * FAST decode (see `OpenFastTokenizer.decode`): ids → ByteLevel bytes → lossy UTF-8 → `q = c + minToken` →
 * `q / scale` → inverse DCT, with the failure rules of {@link DecodeCompat} and optional relaxed padding.
 */
export function decodeFast(model: BpeModel, cfg: { minToken: number; scale: number }, scratch: DecodeScratch, ids: readonly number[], opts: DecodeOptions): DecodeResult {
  const fn = "OpenFastTokenizer.decode";
  if (!Array.isArray(ids)) fail(fn, "ids", `must be an array of token ids; got ${describe(ids)}`);
  if (typeof opts !== "object" || opts === null) fail(fn, "opts", `must be { horizon, dim }; got ${describe(opts)}`);
  const H = checkInt(fn, "horizon", opts.horizon, 1);
  const D = checkInt(fn, "dim", opts.dim, 1);
  const compat = opts.compat === undefined ? "strict" : checkOneOf(fn, "compat", opts.compat, ["strict", "reference"] as const);
  const reference = compat === "reference";
  const expected = H * D;
  const failure = (f: Omit<DecodeFailure, "ok" | "actions">): DecodeFailure => {
    const r: DecodeFailure = { ok: false, ...f };
    if (reference) r.actions = Array.from({ length: H }, () => new Array<number>(D).fill(0));
    return r;
  };
  const size = model.size;
  const tb = model.tokenBytes;
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i];
    if (typeof id !== "number" || !Number.isInteger(id) || id < 0) {
      return failure({ reason: "invalid-id", index: i, message: `ids[${i}] must be an integer >= 0; got ${describe(id)}` });
    }
    if (!reference && (id >= size || tb[id] === undefined)) {
      return failure({ reason: "unknown-id", index: i, message: `ids[${i}] = ${id} is not in the vocabulary (ids 0..${size - 1})` });
    }
  }
  // every coefficient takes 1..4 bytes: beyond 4·expected bytes the count is certainly too large, so never
  // materialize more (a hostile id list of long tokens cannot allocate gigabytes)
  const maxBytes = 4 * expected + 4;
  let total = 0;
  for (let i = 0; i < ids.length; i++) {
    const t = tb[ids[i]];
    if (t !== undefined) total += t.length;
  }
  if (total > maxBytes && !opts.relaxed) {
    return failure({ reason: "wrong-length", expected, message: `decoded more than ${expected} coefficients (${total} bytes of tokens); need horizon*dim = ${H}*${D} = ${expected}` });
  }
  const dec = model.decodeBytes(ids, scratch.bytes, maxBytes);
  scratch.bytes = dec.bytes;
  if (scratch.cps.length < dec.length) scratch.cps = new Int32Array(dec.length);
  const cps = scratch.cps;
  const n = decodeUtf8Lossy(dec.bytes, dec.length, cps);
  if (!reference) {
    for (let i = 0; i < n; i++) {
      if (cps[i] === 0xfffd) {
        return failure({ reason: "invalid-utf8", index: i, message: `the tokens' bytes are not valid UTF-8 at coefficient ${i} (U+FFFD); the id sequence cannot come from encode` });
      }
    }
  }
  if (!opts.relaxed && n !== expected) {
    const reason = n === 0 ? "empty" : "wrong-length";
    const message = n === 0 ? `no coefficients decoded; need horizon*dim = ${H}*${D} = ${expected}` : `decoded ${n} coefficients; need horizon*dim = ${H}*${D} = ${expected}`;
    return failure({ reason, got: n, expected, message });
  }
  const coefficients = new Float64Array(expected);
  const scaled = new Float64Array(expected);
  const m = Math.min(n, expected);
  const minToken = cfg.minToken;
  const scale = cfg.scale;
  for (let i = 0; i < m; i++) {
    const q = cps[i] + minToken;
    coefficients[i] = q;
    scaled[i] = q / scale;
  }
  const data = idctOrtho(scaled, H, D);
  const actions: number[][] = new Array(H);
  for (let t = 0; t < H; t++) {
    const row = new Array<number>(D);
    for (let d = 0; d < D; d++) row[d] = data[t * D + d];
    actions[t] = row;
  }
  return { ok: true, actions, data, coefficients, horizon: H, dim: D };
}
