import { fail } from "../core/index.js";
import { caseFoldClass, caseFoldOutside } from "./case-fold.js";
import { C, isAlnum, lit, OnigCursor, WS, type Flags } from "./onig-cursor.js";

export { literalSource } from "./onig-cursor.js";

/**
 * Translate an Oniguruma pattern (Ruby syntax, no options: what `tokenizers` compiles for a `Split` regex)
 * into a JS regex with the `gu` flags and the same matches. Rust/Oniguruma semantics kept on purpose:
 * `\s` = Unicode White_Space (JS `\s` differs on U+0085 and U+FEFF), `\d` = \p{Nd}, `.` = anything but
 * `\n`, `^`/`$` = line anchors at `\n`, `(?i:...)` / `(?i)` expanded into explicit case classes (simple case
 * folding; `(?i)` scopes the rest of its group, alternatives included, as Oniguruma does). Constructs with no
 * exact JS equivalent (`\w`, `\b`, atomic groups, possessive or nested quantifiers, backreferences, nested
 * classes, `&&`, POSIX brackets, `(?x)`) throw, naming the construct and its offset.
 */

class Translator extends OnigCursor {
  translate(): string {
    const out = this.alternation({ i: false, m: false });
    if (this.i < this.cps.length) this.err("has an unmatched ')'");
    return out;
  }

  /** Alternatives up to the next `)` (not consumed) or the end. */
  private alternation(flags: Flags): string {
    const alts: string[] = [];
    let seq = "";
    for (;;) {
      const c = this.peek();
      if (c === -1 || c === C(")")) break;
      if (c === C("|")) {
        this.i++;
        alts.push(seq);
        seq = "";
        continue;
      }
      const inline = this.inlineOptions(flags);
      if (inline) {
        // Oniguruma: /ab(?i)c|d/ == /ab(?i:c|d)/
        seq += `(?:${this.alternation(inline)})`;
        break;
      }
      seq += this.quantified(this.atom(flags));
    }
    alts.push(seq);
    return alts.join("|");
  }

  /** `[imx-]*` option letters; stops at `:` or `)` (returned, not consumed). */
  private options(flags: Flags): { flags: Flags; end: number } {
    const f = { ...flags };
    let on = true;
    for (;;) {
      const c = this.peek();
      if (c === C(":") || c === C(")")) return { flags: f, end: c };
      if (c === C("-")) on = false;
      else if (c === C("i")) f.i = on;
      else if (c === C("m")) f.m = on;
      else if (c === C("x")) this.err("has the extended option (?x) (not supported)");
      else this.err(`has an unsupported group (?${String.fromCodePoint(c)}`);
      this.i++;
    }
  }

  /** At `(?i)`-style isolated options: consume them and return the new flags; else null, nothing consumed. */
  private inlineOptions(flags: Flags): Flags | null {
    if (this.peek() !== C("(") || this.peek(1) !== C("?")) return null;
    const c = this.peek(2);
    if (!(c === C("i") || c === C("m") || c === C("x") || c === C("-"))) return null;
    const save = this.i;
    this.i += 2;
    const r = this.options(flags);
    if (r.end === C(")")) {
      this.i++;
      return r.flags;
    }
    this.i = save;
    return null;
  }

  private atom(flags: Flags): string {
    const c = this.cps[this.i++];
    switch (c) {
      case C("("):
        return this.group(flags);
      case C("["):
        return this.charClass(flags);
      case C("."):
        return flags.m ? "[\\s\\S]" : "[^\\n]";
      case C("^"):
        return "(?<![^\\n])";
      case C("$"):
        return "(?![^\\n])";
      case C("\\"):
        return this.escape(flags);
      case C("*"):
      case C("+"):
      case C("?"):
        this.i--;
        return this.err("has a quantifier with nothing to repeat");
      case C("{"):
        this.i--;
        if (this.interval() !== null) {
          this.i--;
          this.err("has a quantifier with nothing to repeat");
        }
        this.i++;
        return lit(c);
      default:
        return this.literal(c, flags);
    }
  }

  private literal(cp: number, flags: Flags): string {
    if (!flags.i) return lit(cp);
    const orbit = caseFoldClass(cp);
    return orbit.length === 1 ? lit(cp) : `[${orbit.map(lit).join("")}]`;
  }

  private group(flags: Flags): string {
    let open = "(?:";
    let inner = flags;
    if (this.peek() === C("?")) {
      this.i++;
      const c = this.peek();
      const d = this.peek(1);
      if (c === C(":")) this.i++;
      else if (c === C("=") || c === C("!")) {
        this.i++;
        open = c === C("=") ? "(?=" : "(?!";
      } else if (c === C("<") && (d === C("=") || d === C("!"))) {
        this.i += 2;
        open = d === C("=") ? "(?<=" : "(?<!";
      } else if (c === C("<") || c === C("'")) {
        // named group: captures are never used, so a plain group
        const close = c === C("<") ? C(">") : C("'");
        this.i++;
        const start = this.i;
        while (this.peek() !== -1 && isAlnum(this.peek())) this.i++;
        if (this.i === start || this.peek() !== close) this.err("has a malformed group name");
        this.i++;
      } else if (c === C("#")) {
        while (this.peek() !== -1 && this.peek() !== C(")")) this.i++;
        if (this.peek() !== C(")")) this.err("has an unclosed comment group");
        this.i++;
        return "(?:)";
      } else {
        const r = this.options(flags);
        this.i++; // ':' (a ')' here was handled as isolated options before)
        inner = r.flags;
      }
    }
    const body = this.alternation(inner);
    if (this.peek() !== C(")")) this.err("has an unclosed '('");
    this.i++;
    return open + body + ")";
  }

  private quantified(atom: string): string {
    const c = this.peek();
    let q: string | null = null;
    if (c === C("*") || c === C("+") || c === C("?")) {
      this.i++;
      q = String.fromCodePoint(c);
    } else if (c === C("{")) q = this.interval();
    if (q === null) return atom;
    const fixed = /^\{\d+\}$/.test(q);
    let out = atom + q;
    if (this.peek() === C("?")) {
      this.i++;
      // Ruby syntax: a fixed interval is greedy only, so `a{2}?` means `(a{2})?`
      out = fixed ? `(?:${out})?` : out + "?";
    } else if (this.peek() === C("+")) this.err("has a possessive quantifier (not supported)");
    const n = this.peek();
    if (n === C("*") || n === C("+") || n === C("?") || (n === C("{") && /^\{\d*,?\d*\}/.test(String.fromCodePoint(...this.cps.slice(this.i, this.i + 24))))) {
      this.err("has a nested quantifier (not supported)");
    }
    return out;
  }

  /** A class-like escape (`\s \S \d \D \h \p \P`, plus `\H` outside classes) as JS source, or null. */
  private classEscape(flags: Flags, inClass: boolean): string | null {
    const c = this.peek();
    const simple: Record<number, string> = { [C("s")]: WS, [C("S")]: "\\P{White_Space}", [C("d")]: "\\p{Nd}", [C("D")]: "\\P{Nd}", [C("h")]: inClass ? "0-9a-fA-F" : "[0-9a-fA-F]" };
    if (simple[c] !== undefined) {
      this.i++;
      return simple[c];
    }
    if (c === C("H") && !inClass) {
      this.i++;
      return "[^0-9a-fA-F]";
    }
    if (c === C("p") || c === C("P")) {
      this.i++;
      return this.property(c === C("P"), flags);
    }
    if (c === C("w") || c === C("W") || (!inClass && (c === C("b") || c === C("B")))) {
      this.err(`has \\${String.fromCodePoint(c)} (Oniguruma's Unicode word class is not reproduced; not supported)`);
    }
    if (c === C("H")) this.err("has \\H inside a class (not supported)");
    return null;
  }

  private escape(flags: Flags): string {
    const c = this.peek();
    const cls = this.classEscape(flags, false);
    if (cls !== null) return cls;
    if (c === C("A")) return (this.i++, "(?<![\\s\\S])");
    if (c === C("z")) return (this.i++, "(?![\\s\\S])");
    if (c === C("Z")) return (this.i++, "(?=\\n?(?![\\s\\S]))");
    if (c >= C("1") && c <= C("9")) this.err("has a backreference (not supported)");
    return this.literal(this.charEscape(false), flags);
  }

  private charClass(flags: Flags): string {
    let negated = false;
    if (this.peek() === C("^")) {
      this.i++;
      negated = true;
    }
    const parts: string[] = [];
    for (let first = true; ; first = false) {
      const c = this.peek();
      if (c === -1) this.err("has an unclosed '['");
      if (c === C("]")) {
        if (first) this.err("has ']' first in a class (escape it)");
        this.i++;
        break;
      }
      if (c === C("[")) this.err("has a nested class or POSIX bracket (not supported)");
      if (c === C("&") && this.peek(1) === C("&")) this.err("has a class intersection && (not supported)");
      let lo: number;
      if (c === C("\\")) {
        this.i++;
        const frag = this.classEscape(flags, true);
        if (frag !== null) {
          parts.push(frag);
          continue;
        }
        lo = this.charEscape(true);
      } else {
        this.i++;
        lo = c;
      }
      if (this.peek() === C("-") && this.peek(1) !== C("]") && this.peek(1) !== -1) {
        this.i++;
        let hi: number;
        if (this.peek() === C("\\")) {
          this.i++;
          if (this.classEscape(flags, true) !== null) this.err("has a range ending in a class escape");
          hi = this.charEscape(true);
        } else if (this.peek() === C("[")) return this.err("has a nested class (not supported)");
        else hi = this.cps[this.i++];
        if (hi < lo) this.err("has a range out of order");
        parts.push(`${lit(lo)}-${lit(hi)}`);
        if (flags.i) for (const x of caseFoldOutside(lo, hi)) parts.push(lit(x));
      } else if (flags.i) for (const x of caseFoldClass(lo)) parts.push(lit(x));
      else parts.push(lit(lo));
    }
    return `[${negated ? "^" : ""}${parts.join("")}]`;
  }
}

/** JS source (for `new RegExp(source, "gu")`) of an Oniguruma pattern; see the file comment. */
export function onigToJsSource(pattern: string, fn: string, field: string): string {
  return new Translator(pattern, fn, field).translate();
}

/** A `gu` JS regex matching like the Oniguruma `pattern`; throws naming `field` when it cannot. */
export function onigToJsRegExp(pattern: string, fn: string, field: string): RegExp {
  const source = onigToJsSource(pattern, fn, field);
  try {
    return new RegExp(source, "gu");
  } catch (e) {
    return fail(fn, field, `could not be translated to a JS regex (${(e as Error).message}); got ${JSON.stringify(pattern)}`);
  }
}
