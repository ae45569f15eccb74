import { fail, formatIndex, roundHalfEven } from "../core/index.js";

/** Largest Unicode scalar value. */
const MAX_CP = 0x10ffff;

/**
 * FAST quantization: `q = round_half_even(coef * scale)` (numpy `np.around` on the float64 product) for
 * every coefficient of a row-major `[T][D]` DCT array; writes the integers `q` (as float64, no overflow) into `out`.
 */
export function quantizeCoefficients(coef: Float64Array, scale: number, out: Float64Array): Float64Array {
  // "+ 0" turns -0 into 0 so the integers compare and print like numpy's
  for (let i = 0; i < coef.length; i++) out[i] = roundHalfEven(coef[i] * scale) + 0;
  return out;
}

/**
 * Code points of the FAST text: `max(q - minToken, 0)` (clamped below only, like upstream). Throws a
 * VlaError naming the coefficient when a code point is a UTF-16 surrogate (U+D800–U+DFFF, which HF
 * `tokenizers` cannot take) or beyond U+10FFFF (`chr()` fails), instead of failing deep inside.
 */
export function coefficientsToCodePoints(fn: string, q: Float64Array, minToken: number, dim: number, out: Int32Array): Int32Array {
  for (let i = 0; i < q.length; i++) {
    let c = q[i] - minToken;
    if (c < 0) c = 0;
    if (c >= 0xd800 && (c <= 0xdfff || c > MAX_CP)) {
      const where = formatIndex(i, [q.length / dim, dim]);
      const what = c > MAX_CP ? "beyond U+10FFFF" : "in the UTF-16 surrogate range U+D800–U+DFFF";
      fail(
        fn,
        "chunk",
        `must quantize to code points below U+D800 or in U+E000–U+10FFFF; coefficient ${where} (frequency, dim) quantizes to ${q[i]}, code point U+${c.toString(16).toUpperCase()} ${what}. Normalize the actions to about [-1, 1] first`,
      );
    }
    out[i] = c;
  }
  return out;
}
