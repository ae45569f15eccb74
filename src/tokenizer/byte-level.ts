/**
 * GPT-2 byte-level helpers as used by Hugging Face `tokenizers` (ByteLevel pre-tokenizer and decoder):
 * the byte ↔ unicode-char map, the GPT-2 pre-tokenizer split, and UTF-8 encode/decode of code points.
 */

/** `BYTE_TO_CHAR[b]` = the code point GPT-2 `bytes_to_unicode` assigns to byte `b`. */
export const BYTE_TO_CHAR: Int32Array = (() => {
  const map = new Int32Array(256);
  const direct = (b: number) => (b >= 0x21 && b <= 0x7e) || (b >= 0xa1 && b <= 0xac) || (b >= 0xae && b <= 0xff);
  let extra = 0;
  for (let b = 0; b < 256; b++) map[b] = direct(b) ? b : 256 + extra++;
  return map;
})();

/** Inverse of {@link BYTE_TO_CHAR}: code point → byte, or undefined for chars outside the byte alphabet. */
export const CHAR_TO_BYTE: ReadonlyMap<number, number> = new Map(Array.from(BYTE_TO_CHAR, (c, b) => [c, b] as [number, number]));

/** Byte-level string of a byte sequence (each byte → its GPT-2 char). */
export function bytesToByteLevel(bytes: ArrayLike<number>): string {
  let s = "";
  for (let i = 0; i < bytes.length; i++) s += String.fromCodePoint(BYTE_TO_CHAR[bytes[i]]);
  return s;
}

/**
 * The GPT-2 pre-tokenizer regex with Unicode White_Space semantics (Rust `\s`): JS `\s` would wrongly
 * include U+FEFF and exclude U+0085, so `\p{White_Space}` is spelled out.
 */
export const GPT2_SPLIT = /'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\p{White_Space}\p{L}\p{N}]+|\p{White_Space}+(?!\P{White_Space})|\p{White_Space}+/gu;

/** Reference split of a string into pre-tokenizer words (regex form; used in tests). */
export function pretokenizeString(text: string): string[] {
  return text.match(GPT2_SPLIT) ?? [];
}

// character classes for the hand-written splitter
const CLS_OTHER = 1;
const CLS_LETTER = 2;
const CLS_NUMBER = 3;
const CLS_SPACE = 4;
const classCache = new Uint8Array(0x110000);
const RE_L = /^\p{L}$/u;
const RE_N = /^\p{N}$/u;
const RE_WS = /^\p{White_Space}$/u;

/** Pre-tokenizer class of one code point (letter, number, White_Space or other), cached. */
function cls(cp: number): number {
  let c = classCache[cp];
  if (c !== 0) return c;
  if (cp >= 0xd800 && cp <= 0xdfff) c = CLS_OTHER;
  else {
    const s = String.fromCodePoint(cp);
    c = RE_L.test(s) ? CLS_LETTER : RE_N.test(s) ? CLS_NUMBER : RE_WS.test(s) ? CLS_SPACE : CLS_OTHER;
  }
  classCache[cp] = c;
  return c;
}

const APOS = 0x27;
const SPACE = 0x20;

/**
 * Split code points `cps[0..n)` into pre-tokenizer words exactly like {@link GPT2_SPLIT}; writes word end
 * offsets into `ends` and returns the number of words. Works on code points so encode needs no strings.
 */
export function pretokenizeCodePoints(cps: Int32Array, n: number, ends: Int32Array): number {
  let count = 0;
  let i = 0;
  while (i < n) {
    const c = cps[i];
    let j = -1;
    // 1. contractions 's 't 're 've 'm 'll 'd
    if (c === APOS && i + 1 < n) {
      const a = cps[i + 1];
      const b = i + 2 < n ? cps[i + 2] : -1;
      if (a === 0x73 || a === 0x74 || a === 0x6d || a === 0x64) j = i + 2;
      else if ((a === 0x72 || a === 0x76) && b === 0x65) j = i + 3;
      else if (a === 0x6c && b === 0x6c) j = i + 3;
    }
    if (j < 0) {
      // 2.-4. optional space + run of one class (letters, numbers, other)
      let start = i;
      if (c === SPACE && i + 1 < n && cls(cps[i + 1]) !== CLS_SPACE) start = i + 1;
      const k = cls(cps[start]);
      if (k !== CLS_SPACE) {
        j = start + 1;
        while (j < n && cls(cps[j]) === k) j++;
      } else {
        // 5. \s+(?!\S)  6. \s+
        let e = i + 1;
        while (e < n && cls(cps[e]) === CLS_SPACE) e++;
        if (e === n) j = n;
        else if (e - 1 > i) j = e - 1;
        else j = e;
      }
    }
    ends[count++] = j;
    i = j;
  }
  return count;
}

/** Number of UTF-8 bytes of a code point. */
export function utf8Length(cp: number): number {
  return cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
}

/** Append the UTF-8 bytes of `cp` into `out` at `pos`; returns the new position. */
export function writeUtf8(cp: number, out: Uint8Array | Int32Array, pos: number): number {
  if (cp < 0x80) {
    out[pos++] = cp;
  } else if (cp < 0x800) {
    out[pos++] = 0xc0 | (cp >> 6);
    out[pos++] = 0x80 | (cp & 0x3f);
  } else if (cp < 0x10000) {
    out[pos++] = 0xe0 | (cp >> 12);
    out[pos++] = 0x80 | ((cp >> 6) & 0x3f);
    out[pos++] = 0x80 | (cp & 0x3f);
  } else {
    out[pos++] = 0xf0 | (cp >> 18);
    out[pos++] = 0x80 | ((cp >> 12) & 0x3f);
    out[pos++] = 0x80 | ((cp >> 6) & 0x3f);
    out[pos++] = 0x80 | (cp & 0x3f);
  }
  return pos;
}

/**
 * Lossy UTF-8 decode of `bytes[0..n)` into code points (U+FFFD per maximal invalid subpart, the WHATWG /
 * Rust `from_utf8_lossy` rule). Returns the number of code points written to `out` (needs room for n).
 */
export function decodeUtf8Lossy(bytes: Uint8Array, n: number, out: Int32Array): number {
  let count = 0;
  let i = 0;
  while (i < n) {
    const b0 = bytes[i];
    if (b0 < 0x80) {
      out[count++] = b0;
      i++;
      continue;
    }
    // fast path for a complete 2-byte sequence (every FAST+ code point near zero is one)
    if (b0 >= 0xc2 && b0 <= 0xdf && i + 1 < n) {
      const b1 = bytes[i + 1];
      if (b1 >= 0x80 && b1 <= 0xbf) {
        out[count++] = ((b0 & 0x1f) << 6) | (b1 & 0x3f);
        i += 2;
        continue;
      }
    }
    let need: number;
    let cp: number;
    let lo = 0x80;
    let hi = 0xbf;
    if (b0 >= 0xc2 && b0 <= 0xdf) {
      need = 1;
      cp = b0 & 0x1f;
    } else if (b0 >= 0xe0 && b0 <= 0xef) {
      need = 2;
      cp = b0 & 0x0f;
      if (b0 === 0xe0) lo = 0xa0;
      else if (b0 === 0xed) hi = 0x9f;
    } else if (b0 >= 0xf0 && b0 <= 0xf4) {
      need = 3;
      cp = b0 & 0x07;
      if (b0 === 0xf0) lo = 0x90;
      else if (b0 === 0xf4) hi = 0x8f;
    } else {
      out[count++] = 0xfffd;
      i++;
      continue;
    }
    let j = i + 1;
    let ok = true;
    for (let k = 0; k < need; k++, j++) {
      const b = j < n ? bytes[j] : -1;
      if (b < lo || b > hi) {
        ok = false;
        break;
      }
      cp = (cp << 6) | (b & 0x3f);
      lo = 0x80;
      hi = 0xbf;
    }
    if (ok) {
      out[count++] = cp;
      i = j;
    } else {
      out[count++] = 0xfffd;
      i = j; // skip the valid prefix (maximal subpart), resume at the offending byte
    }
  }
  return count;
}
