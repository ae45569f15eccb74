import type { HfNormalizer } from "../io/index.js";

/**
 * A `tokenizers` normalizer as a string function. Unicode forms use `String.prototype.normalize` (the
 * engine's Unicode version, which may differ from the Rust crate's for characters added recently);
 * Lowercase maps each code point on its own, like Rust `char::to_lowercase` (no final-sigma context,
 * `İ` → `i̇`), which is what a one-character JS `toLowerCase` gives too.
 */
export function compileNormalizer(spec: HfNormalizer | null): (s: string) => string {
  if (spec === null) return (s) => s;
  switch (spec.type) {
    case "NFC":
    case "NFD":
    case "NFKC":
    case "NFKD": {
      const form = spec.type;
      return (s) => s.normalize(form);
    }
    case "Lowercase":
      return lowercaseEachChar;
    case "Sequence": {
      const steps = spec.normalizers.map(compileNormalizer);
      return (s) => steps.reduce((acc, f) => f(acc), s);
    }
  }
}

function lowercaseEachChar(s: string): string {
  let out = "";
  for (const ch of s) out += ch.toLowerCase();
  return out;
}
