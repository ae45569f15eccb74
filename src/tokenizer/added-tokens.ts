/**
 * Added-token extraction as `tokenizers`' AddedVocabulary does it: leftmost-longest, non-overlapping matches
 * of the token contents (an Aho-Corasick search; here a trie walked from each start), then per token
 * `single_word` (drop the match when a word character touches it), `lstrip` / `rstrip` (swallow the
 * whitespace next to it). Whitespace and word characters follow the Rust `regex` crate: `\s` = White_Space,
 * `\w` = Alphabetic, Mark, Decimal_Number, Connector_Punctuation, Join_Control.
 */

export interface AddedTokenRule {
  /** The string to find (already normalized for `normalized: true` tokens). */
  pattern: string;
  id: number;
  lstrip: boolean;
  rstrip: boolean;
  singleWord: boolean;
}

/** A piece of the input: ordinary text, or one added token's id. */
export type AddedSplit = { text: string } | { id: number };

interface TrieNode {
  next: Map<number, TrieNode>;
  /** Index into the rules of the token ending here, -1 for none. */
  rule: number;
}

const WORD = /^[\p{Alphabetic}\p{M}\p{Nd}\p{Pc}\p{Join_Control}]$/u;
const WS = /^\p{White_Space}$/u;

/** The code point ending just before UTF-16 offset `i` (i > 0), as a string. */
function charBefore(s: string, i: number): string {
  const lo = s.charCodeAt(i - 1);
  return lo >= 0xdc00 && lo <= 0xdfff && i >= 2 ? s.slice(i - 2, i) : s.slice(i - 1, i);
}

/** The code point starting at UTF-16 offset `i` (i < length), as a string. */
function charAt(s: string, i: number): string {
  return String.fromCodePoint(s.codePointAt(i) as number);
}

export class AddedTokenMatcher {
  private readonly root: TrieNode = { next: new Map(), rule: -1 };
  private readonly rules: AddedTokenRule[];

  /** Rules in priority order (special tokens first, then the others, as `tokenizers` builds its tries). */
  constructor(rules: readonly AddedTokenRule[]) {
    this.rules = [...rules];
    this.rules.forEach((r, k) => {
      let node = this.root;
      for (let i = 0; i < r.pattern.length; i++) {
        const c = r.pattern.charCodeAt(i);
        let n = node.next.get(c);
        if (!n) {
          n = { next: new Map(), rule: -1 };
          node.next.set(c, n);
        }
        node = n;
      }
      // two rules with the same pattern: the first one wins, like the first pattern of an automaton
      if (node.rule < 0) node.rule = k;
    });
  }

  get isEmpty(): boolean {
    return this.root.next.size === 0;
  }

  /** Longest rule starting at `at`: `[rule index, end]`, or undefined. */
  private longestAt(s: string, at: number): [number, number] | undefined {
    let node: TrieNode | undefined = this.root;
    let best: [number, number] | undefined;
    for (let i = at; i < s.length; i++) {
      node = node.next.get(s.charCodeAt(i));
      if (!node) break;
      if (node.rule >= 0) best = [node.rule, i + 1];
    }
    return best;
  }

  /** Split `s` into text pieces and added-token ids (text pieces may be empty; callers drop those). */
  split(s: string): AddedSplit[] {
    if (this.isEmpty || s === "") return [{ text: s }];
    const out: AddedSplit[] = [];
    let startOffset = 0;
    let search = 0;
    while (search < s.length) {
      let found: [number, number] | undefined;
      let at = search;
      for (; at < s.length; at++) {
        found = this.longestAt(s, at);
        if (found) break;
      }
      if (!found) break;
      const rule = this.rules[found[0]];
      let start = at;
      let stop = found[1];
      // the automaton resumes after the raw match even when the match is discarded or extended
      search = stop;
      if (rule.singleWord) {
        const startOk = start === 0 || !WORD.test(charBefore(s, start));
        const stopOk = stop === s.length || !WORD.test(charAt(s, stop));
        if (!startOk || !stopOk) continue;
      }
      if (rule.lstrip) {
        let b = start;
        while (b > 0 && WS.test(charBefore(s, b))) b -= charBefore(s, b).length;
        // whitespace already consumed by the previous match stays with it
        start = Math.max(b, startOffset);
      }
      if (rule.rstrip) while (stop < s.length && WS.test(charAt(s, stop))) stop += charAt(s, stop).length;
      if (startOffset < start) out.push({ text: s.slice(startOffset, start) });
      out.push({ id: rule.id });
      startOffset = stop;
    }
    if (startOffset !== s.length) out.push({ text: s.slice(startOffset) });
    return out;
  }
}
