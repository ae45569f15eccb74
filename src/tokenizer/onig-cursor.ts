import { fail } from "../core/index.js";

/**
 * The reading half of the Oniguruma → JS regex translator (see `onig-regex.ts`): a cursor over the
 * pattern's code points, character escapes, `\p{...}` property names and intervals.
 */

export const C = (s: string): number => s.codePointAt(0) as number;
export const WS = "\\p{White_Space}";

/** Property names that are closed under case folding, so `(?i)` leaves them unchanged. */
const CASE_CLOSED = new Set(["L", "Letter", "N", "Number", "Nd", "Decimal_Number", "M", "Mark", "P", "Punctuation", "Pc", "S", "Symbol", "Z", "Separator", "Zs", "White_Space", "Alphabetic", "Any", "Assigned"]);
/** Oniguruma property aliases with a JS spelling. */
const PROPERTY_ALIAS: Record<string, string> = { Alpha: "Alphabetic", Space: "White_Space", Digit: "Nd", Upper: "Uppercase", Lower: "Lowercase" };

export function isAlnum(cp: number): boolean {
  return (cp >= 0x30 && cp <= 0x39) || (cp >= 0x41 && cp <= 0x5a) || (cp >= 0x61 && cp <= 0x7a) || cp === 0x5f;
}

/** One code point as JS regex source, valid both outside and inside a class (`u` mode). */
export function lit(cp: number): string {
  return isAlnum(cp) ? String.fromCodePoint(cp) : `\\u{${cp.toString(16)}}`;
}

/** A literal string as JS regex source (the `Split` `String` pattern: `tokenizers` escapes it). */
export function literalSource(s: string): string {
  return Array.from(s, (ch) => lit(ch.codePointAt(0) as number)).join("");
}

export interface Flags {
  i: boolean;
  /** Ruby `m`: `.` also matches `\n`. */
  m: boolean;
}

export class OnigCursor {
  protected readonly cps: number[];
  protected i = 0;

  constructor(
    protected readonly src: string,
    protected readonly fn: string,
    protected readonly field: string,
  ) {
    this.cps = Array.from(src, (ch) => ch.codePointAt(0) as number);
  }

  protected err(what: string): never {
    return fail(this.fn, this.field, `${what} at offset ${this.i} of ${JSON.stringify(this.src)}`);
  }

  protected peek(k = 0): number {
    return this.i + k < this.cps.length ? this.cps[this.i + k] : -1;
  }

  /** `{n}`, `{n,}`, `{n,m}`, `{,m}` at the cursor: consumed and returned in JS form; else null. */
  protected interval(): string | null {
    const rest = String.fromCodePoint(...this.cps.slice(this.i, this.i + 24));
    const m = /^\{(\d*)(,?)(\d*)\}/.exec(rest);
    if (!m || (m[1] === "" && m[3] === "")) return null;
    if (m[1] !== "" && m[3] !== "" && Number(m[3]) < Number(m[1])) this.err("has an interval {n,m} with m < n");
    this.i += m[0].length;
    if (m[2] === "") return `{${m[1]}}`;
    return `{${m[1] === "" ? "0" : m[1]},${m[3]}}`;
  }

  /** A character escape at the cursor (the letter after `\`): returns its code point. */
  protected charEscape(inClass: boolean): number {
    const c = this.peek();
    if (c === -1) this.err("ends with a backslash");
    this.i++;
    const hex = (max: number, min: number): number => {
      let s = "";
      while (s.length < max && /[0-9a-fA-F]/.test(String.fromCodePoint(Math.max(this.peek(), 0)))) s += String.fromCodePoint(this.cps[this.i++]);
      if (s.length < min) this.err("has a malformed hex escape");
      return parseInt(s, 16);
    };
    switch (c) {
      case C("t"): return 0x09;
      case C("n"): return 0x0a;
      case C("r"): return 0x0d;
      case C("f"): return 0x0c;
      case C("v"): return 0x0b;
      case C("a"): return 0x07;
      case C("e"): return 0x1b;
      case C("b"):
        if (inClass) return 0x08;
        break;
      case C("u"): return hex(4, 4);
      case C("x"): {
        if (this.peek() !== C("{")) return hex(2, 1);
        this.i++;
        const v = hex(8, 1);
        if (this.peek() !== C("}")) this.err("has a malformed \\x{...} escape");
        this.i++;
        if (v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff)) this.err("has an escape outside Unicode scalar values");
        return v;
      }
      case C("0"): {
        let v = 0;
        for (let k = 0; k < 2 && this.peek() >= C("0") && this.peek() <= C("7"); k++) v = v * 8 + (this.cps[this.i++] - C("0"));
        return v;
      }
      default:
        if (c >= 0x80 || !/[0-9A-Za-z]/.test(String.fromCodePoint(c))) return c;
    }
    this.i--;
    return this.err(`has an unsupported escape \\${String.fromCodePoint(c)}`);
  }

  /** `\p{Name}` / `\P{Name}` / `\p{^Name}` with the cursor after the `p`. */
  protected property(negated: boolean, flags: Flags): string {
    if (this.peek() !== C("{")) this.err("has \\p without {name}");
    const close = this.cps.indexOf(C("}"), this.i);
    if (close < 0) this.err("has an unclosed \\p{");
    let name = String.fromCodePoint(...this.cps.slice(this.i + 1, close));
    if (name.startsWith("^")) {
      negated = !negated;
      name = name.slice(1);
    }
    name = PROPERTY_ALIAS[name] ?? name;
    let js: string | undefined;
    for (const cand of [name, `Script=${name}`]) {
      try {
        new RegExp(`\\p{${cand}}`, "u");
        js = cand;
        break;
      } catch {
        // try the next spelling
      }
    }
    if (js === undefined) this.err(`has an unknown property \\p{${name}}`);
    if (flags.i && !CASE_CLOSED.has(js)) this.err(`has \\p{${name}} inside a case-insensitive group (not supported)`);
    this.i = close + 1;
    return `${negated ? "\\P" : "\\p"}{${js}}`;
  }
}
