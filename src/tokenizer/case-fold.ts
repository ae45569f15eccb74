/**
 * Simple Unicode case-fold classes, for translating Oniguruma `(?i)` groups into plain `u`-mode JS regexes
 * (JS has no inline flags before V8 12.5). The class of a code point is every code point with the same
 * simple case folding; JS's own `/x/iu` implements exactly that relation, so it decides membership.
 */

/** Connected components of the upper/lower-case graph (single code point mappings), built once. */
let components: Map<number, number[]> | undefined;
const orbitCache = new Map<number, number[]>();

/** Highest code point with a case mapping is below U+1E944 (Adlam); scan a little further to be safe. */
const SCAN_END = 0x20000;

function buildComponents(): Map<number, number[]> {
  const parent = new Map<number, number>();
  const find = (x: number): number => {
    let r = x;
    for (let p = parent.get(r); p !== undefined && p !== r; p = parent.get(r)) r = p;
    parent.set(x, r);
    return r;
  };
  const union = (a: number, b: number): void => {
    if (!parent.has(a)) parent.set(a, a);
    if (!parent.has(b)) parent.set(b, b);
    const ra = find(a);
    const rb = find(b);
    if (ra !== rb) parent.set(ra, rb);
  };
  for (let cp = 0; cp < SCAN_END; cp++) {
    if (cp >= 0xd800 && cp <= 0xdfff) continue;
    const s = String.fromCodePoint(cp);
    for (const m of [s.toLowerCase(), s.toUpperCase()]) {
      if (m === s) continue;
      const c = m.codePointAt(0) as number;
      // multi-character mappings (ß → SS) are full folds, outside simple folding
      if (String.fromCodePoint(c) === m) union(cp, c);
    }
  }
  const groups = new Map<number, number[]>();
  for (const x of parent.keys()) {
    const r = find(x);
    const g = groups.get(r);
    if (g) g.push(x);
    else groups.set(r, [x]);
  }
  const out = new Map<number, number[]>();
  for (const g of groups.values()) {
    g.sort((a, b) => a - b);
    for (const x of g) out.set(x, g);
  }
  return out;
}

function escapeCp(cp: number): string {
  return `\\u{${cp.toString(16)}}`;
}

/**
 * Every code point that matches `cp` case-insensitively under simple case folding (sorted, includes `cp`):
 * `s` → [S, s, ſ], `k` → [K, k, K (Kelvin sign)], `1` → [1].
 */
export function caseFoldClass(cp: number): number[] {
  const hit = orbitCache.get(cp);
  if (hit) return hit;
  components ??= buildComponents();
  const group = components.get(cp);
  let orbit = [cp];
  if (group) {
    const re = new RegExp(`^${escapeCp(cp)}$`, "iu");
    orbit = group.filter((x) => re.test(String.fromCodePoint(x)));
  }
  orbitCache.set(cp, orbit);
  return orbit;
}

/** Code points outside `[lo, hi]` that are case-equivalent to one inside it (sorted, unique). */
export function caseFoldOutside(lo: number, hi: number): number[] {
  components ??= buildComponents();
  const extra = new Set<number>();
  for (const x of components.keys()) if (x >= lo && x <= hi) for (const y of caseFoldClass(x)) if (y < lo || y > hi) extra.add(y);
  return [...extra].sort((a, b) => a - b);
}
