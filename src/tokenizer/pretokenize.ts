import { fail } from "../core/index.js";
import type { HfPreTokenizer, HfSplitBehavior } from "../io/index.js";
import { GPT2_SPLIT } from "./byte-level.js";
import { literalSource, onigToJsRegExp } from "./onig-regex.js";

/**
 * `tokenizers` pre-tokenizers on plain strings: `Split` (regex or literal pattern, five delimiter behaviors,
 * invert) and the splitting half of `ByteLevel` (optional prefix space, GPT-2 regex). The byte → char
 * mapping half of ByteLevel is left to the BPE step (`BpeModel` works on UTF-8 bytes), so a pipeline must
 * end with its one ByteLevel step. Empty pieces are dropped after every step, as `tokenizers` does.
 */

const isHighSurrogate = (u: number): boolean => u >= 0xd800 && u <= 0xdbff;
const isLowSurrogate = (u: number): boolean => u >= 0xdc00 && u <= 0xdfff;

/** `[start, end, isMatch]` spans covering the whole string (UTF-16 offsets). */
type Span = [number, number, boolean];

/**
 * Matches of a global regex as spans covering `s`, with the Rust `onig` crate's `find_iter` rule for empty
 * matches: the next search starts one character later, and an empty match right at the end of the previous
 * match is skipped.
 */
export function findMatchSpans(re: RegExp, s: string): Span[] {
  if (s === "") return [[0, 0, false]];
  const out: Span[] = [];
  let prev = 0;
  let from = 0;
  let lastEnd = -1;
  while (from <= s.length) {
    re.lastIndex = from;
    const m = re.exec(s);
    if (m === null) break;
    const start = m.index;
    const end = start + m[0].length;
    if (start > 0 && isLowSurrogate(s.charCodeAt(start)) && isHighSurrogate(s.charCodeAt(start - 1))) {
      // V8 can report a match inside a surrogate pair (seen with `(?![\s\S])` under `u`); Rust never
      // searches there, so resume after the pair
      from = start + 1;
      continue;
    }
    if (start === end) {
      from = end + ((s.codePointAt(end) ?? 0) > 0xffff ? 2 : 1);
      if (end === lastEnd) continue;
    } else from = end;
    lastEnd = end;
    if (prev !== start) out.push([prev, start, false]);
    out.push([start, end, true]);
    prev = end;
  }
  if (prev !== s.length) out.push([prev, s.length, false]);
  return out;
}

/** `NormalizedString::split`: turn match spans into pieces for one delimiter behavior. */
export function splitSpans(s: string, spans: readonly Span[], behavior: HfSplitBehavior): string[] {
  const keep: [number, number][] = [];
  let prevMatch = false;
  switch (behavior) {
    case "Isolated":
      for (const [a, b] of spans) keep.push([a, b]);
      break;
    case "Removed":
      for (const [a, b, m] of spans) if (!m) keep.push([a, b]);
      break;
    case "Contiguous":
      for (const [a, b, m] of spans) {
        if (m === prevMatch && keep.length > 0) keep[keep.length - 1][1] = b;
        else keep.push([a, b]);
        prevMatch = m;
      }
      break;
    case "MergedWithPrevious":
      for (const [a, b, m] of spans) {
        if (m && !prevMatch && keep.length > 0) keep[keep.length - 1][1] = b;
        else keep.push([a, b]);
        prevMatch = m;
      }
      break;
    case "MergedWithNext":
      for (let k = spans.length - 1; k >= 0; k--) {
        const [a, b, m] = spans[k];
        if (m && !prevMatch && keep.length > 0) keep[keep.length - 1][0] = a;
        else keep.push([a, b]);
        prevMatch = m;
      }
      keep.reverse();
      break;
  }
  const out: string[] = [];
  for (const [a, b] of keep) if (b > a) out.push(s.slice(a, b));
  return out;
}

/** A compiled pre-tokenizer: pieces in, pieces out (each piece is split on its own). */
export type PreTokenizeStep = (piece: string) => string[];

function splitStep(re: RegExp, behavior: HfSplitBehavior, invert: boolean): PreTokenizeStep {
  return (piece) => {
    const spans = findMatchSpans(re, piece);
    if (invert) for (const sp of spans) sp[2] = !sp[2];
    return splitSpans(piece, spans, behavior);
  };
}

function byteLevelStep(addPrefixSpace: boolean, useRegex: boolean): PreTokenizeStep {
  const re = new RegExp(GPT2_SPLIT.source, "gu");
  return (piece) => {
    const s = addPrefixSpace && !piece.startsWith(" ") ? " " + piece : piece;
    return useRegex ? splitSpans(s, findMatchSpans(re, s), "Isolated") : [s];
  };
}

function flatten(spec: HfPreTokenizer, field: string, out: { spec: HfPreTokenizer; field: string }[]): void {
  if (spec.type === "Sequence") spec.pretokenizers.forEach((p, i) => flatten(p, `${field}.pretokenizers[${i}]`, out));
  else out.push({ spec, field });
}

/**
 * Compile a pre-tokenizer spec (Split / ByteLevel / Sequence) into one function from a normalized segment to
 * its pre-tokens (before the byte-level char mapping). Requires exactly one ByteLevel, as the last step:
 * the BPE model here is byte-level only.
 */
export function compilePreTokenizer(spec: HfPreTokenizer | null, fn: string): (segment: string) => string[] {
  const steps: { spec: HfPreTokenizer; field: string }[] = [];
  if (spec !== null) flatten(spec, "pre_tokenizer", steps);
  const last = steps[steps.length - 1];
  if (last === undefined || last.spec.type !== "ByteLevel") {
    fail(fn, "pre_tokenizer", `must end with a ByteLevel step (only byte-level BPE is supported); got ${last === undefined ? "none" : `${last.spec.type} last`}`);
  }
  const funcs = steps.map(({ spec: s, field }, k): PreTokenizeStep => {
    if (s.type === "ByteLevel") {
      if (k !== steps.length - 1) fail(fn, field, "must be the last pre-tokenizer step (a step after the byte mapping is not supported)");
      return byteLevelStep(s.addPrefixSpace, s.useRegex);
    }
    if (s.type !== "Split") return fail(fn, field, `has an unexpected type ${s.type}`);
    const re = s.pattern.kind === "Regex" ? onigToJsRegExp(s.pattern.source, fn, `${field}.pattern.Regex`) : new RegExp(literalSource(s.pattern.source), "gu");
    return splitStep(re, s.behavior, s.invert);
  });
  return (segment) => {
    let pieces = segment === "" ? [] : [segment];
    for (const f of funcs) pieces = pieces.flatMap(f);
    return pieces;
  };
}
