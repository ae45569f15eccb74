import { describe, fail, parseJson } from "../core/index.js";
import { readTokenizerJson } from "./hf-tokenizer-json.js";

/**
 * Hugging Face `tokenizers` JSON (tokenizer.json) for byte-level BPE models, and the FAST processor files
 * (`processor_config.json`, `tokenizer_config.json`, `special_tokens_map.json`). Plain data in, plain data
 * out: no file access here (see `OpenFastTokenizer.load/save` for Node folders).
 */

/** A byte-level BPE model as read from / written to tokenizer.json. */
export interface HfBpeModel {
  /** `[token, id]` entries (any order). */
  vocab: [string, number][];
  /** Merges in rank order. */
  merges: [string, string][];
  /** How the file stored its merges: `"a b"` strings (tokenizers < 0.20) or `["a", "b"]` pairs. */
  mergesFormat: "strings" | "pairs";
}

/** `processor_config.json` of a FAST (`UniversalActionProcessor`) tokenizer. */
export interface FastProcessorConfig {
  scale: number;
  /** Requested vocab size (not necessarily the realized vocab length). */
  vocab_size: number;
  min_token: number;
  time_horizon: number | null;
  action_dim: number | null;
  processor_class?: string;
  auto_map?: Record<string, string>;
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/**
 * Parse a tokenizer.json (text or parsed object) holding a FAST byte-level BPE model: `model.type` "BPE",
 * ByteLevel pre-tokenizer (no prefix space, regex on), no normalizer, no added tokens, no unk token,
 * no dropout, no subword prefix/suffix, no byte fallback. Anything else is rejected with a message naming
 * the field, since encoding would silently differ from `tokenizers`. It is the `"fast"` profile of the one
 * tokenizer.json reader, the one behind {@link parseHfTokenizerSpec}.
 */
export function parseHfTokenizerJson(input: string | object): HfBpeModel {
  const { model } = readTokenizerJson("parseHfTokenizerJson", input, "fast");
  return { vocab: model.vocab, merges: model.merges, mergesFormat: model.mergesFormat };
}

/** JSON string literal exactly as serde_json writes it (same escapes as JSON.stringify for strings). */
function str(s: string): string {
  return JSON.stringify(s);
}

/**
 * Serialize a byte-level BPE model as tokenizer.json, formatted like `tokenizers` 0.23 `save(pretty=True)`
 * (2-space indent, vocab in id order, merges as pairs unless `mergesFormat` is "strings", no trailing newline).
 * Loadable by Python `tokenizers.Tokenizer.from_file` and `PreTrainedTokenizerFast`.
 */
export function serializeHfTokenizerJson(model: { vocab: readonly (string | undefined)[] | readonly [string, number][]; merges: readonly (readonly [string, string])[]; mergesFormat?: "strings" | "pairs" }): string {
  const entries: [string, number][] = [];
  const v = model.vocab;
  if (v.length > 0 && Array.isArray(v[0])) {
    for (const e of v as readonly [string, number][]) entries.push([e[0], e[1]]);
  } else {
    (v as readonly (string | undefined)[]).forEach((t, i) => {
      if (t !== undefined) entries.push([t, i]);
    });
  }
  entries.sort((a, b) => a[1] - b[1]);
  const lines: string[] = [];
  lines.push("{");
  lines.push('  "version": "1.0",');
  lines.push('  "truncation": null,');
  lines.push('  "padding": null,');
  lines.push('  "added_tokens": [],');
  lines.push('  "normalizer": null,');
  lines.push('  "pre_tokenizer": {\n    "type": "ByteLevel",\n    "add_prefix_space": false,\n    "trim_offsets": true,\n    "use_regex": true\n  },');
  lines.push('  "post_processor": {\n    "type": "ByteLevel",\n    "add_prefix_space": true,\n    "trim_offsets": false,\n    "use_regex": true\n  },');
  lines.push('  "decoder": {\n    "type": "ByteLevel",\n    "add_prefix_space": true,\n    "trim_offsets": true,\n    "use_regex": true\n  },');
  lines.push('  "model": {');
  lines.push('    "type": "BPE",');
  lines.push('    "dropout": null,');
  lines.push('    "unk_token": null,');
  lines.push('    "continuing_subword_prefix": null,');
  lines.push('    "end_of_word_suffix": null,');
  lines.push('    "fuse_unk": false,');
  lines.push('    "byte_fallback": false,');
  lines.push('    "ignore_merges": false,');
  if (entries.length === 0) lines.push('    "vocab": {},');
  else {
    lines.push('    "vocab": {');
    lines.push(entries.map(([t, id]) => `      ${str(t)}: ${id}`).join(",\n"));
    lines.push("    },");
  }
  const asStrings = model.mergesFormat === "strings";
  if (model.merges.length === 0) lines.push('    "merges": []');
  else {
    lines.push('    "merges": [');
    lines.push(
      model.merges
        .map(([a, b]) => (asStrings ? `      ${str(a + " " + b)}` : `      [\n        ${str(a)},\n        ${str(b)}\n      ]`))
        .join(",\n"),
    );
    lines.push("    ]");
  }
  lines.push("  }");
  lines.push("}");
  return lines.join("\n");
}

/**
 * Parse `processor_config.json` of a FAST tokenizer (text or object); checks scale > 0, integer min_token and
 * vocab_size, and time_horizon / action_dim null or positive integers.
 */
export function parseFastProcessorConfig(input: string | object): FastProcessorConfig {
  const fn = "parseFastProcessorConfig";
  const j = parseJson(fn, "input", input);
  if (!isObj(j)) fail(fn, "input", `must be a processor_config.json object; got ${describe(j)}`);
  const scale = j.scale;
  if (typeof scale !== "number" || !(scale > 0) || !Number.isFinite(scale)) fail(fn, "scale", `must be a finite number > 0; got ${describe(scale)}`);
  const minToken = j.min_token;
  if (typeof minToken !== "number" || !Number.isInteger(minToken)) fail(fn, "min_token", `must be an integer; got ${describe(minToken)}`);
  const vs = j.vocab_size;
  if (typeof vs !== "number" || !Number.isInteger(vs) || vs < 1) fail(fn, "vocab_size", `must be an integer >= 1; got ${describe(vs)}`);
  const optPos = (k: string): number | null => {
    const x = j[k];
    if (x === null || x === undefined) return null;
    if (typeof x !== "number" || !Number.isInteger(x) || x < 1) fail(fn, k, `must be null or an integer >= 1; got ${describe(x)}`);
    return x;
  };
  const out: FastProcessorConfig = { scale, vocab_size: vs, min_token: minToken, time_horizon: optPos("time_horizon"), action_dim: optPos("action_dim") };
  if (typeof j.processor_class === "string") out.processor_class = j.processor_class;
  if (isObj(j.auto_map)) out.auto_map = j.auto_map as Record<string, string>;
  return out;
}

/** Stable JSON with sorted keys and 2-space indent (Python `json.dumps(..., indent=2, sort_keys=True)`). */
function sortedJson(o: Json, indent = ""): string {
  if (o === null || typeof o !== "object") return JSON.stringify(o);
  const inner = indent + "  ";
  if (Array.isArray(o)) return o.length === 0 ? "[]" : `[\n${o.map((x) => inner + sortedJson(x, inner)).join(",\n")}\n${indent}]`;
  const keys = Object.keys(o).sort();
  if (keys.length === 0) return "{}";
  return `{\n${keys.map((k) => `${inner}${JSON.stringify(k)}: ${sortedJson(o[k], inner)}`).join(",\n")}\n${indent}}`;
}

/** processor_config.json text as transformers `save_pretrained` writes it (sorted keys, indent 2, newline). */
export function serializeFastProcessorConfig(cfg: FastProcessorConfig): string {
  const o: Record<string, Json> = {
    action_dim: cfg.action_dim,
    min_token: cfg.min_token,
    processor_class: cfg.processor_class ?? "UniversalActionProcessor",
    scale: cfg.scale,
    time_horizon: cfg.time_horizon,
    vocab_size: cfg.vocab_size,
  };
  if (cfg.auto_map) o.auto_map = cfg.auto_map;
  return sortedJson(o) + "\n";
}

/**
 * tokenizer_config.json for a saved FAST tokenizer. `clean_up_tokenization_spaces` is always false: the
 * clean-up of transformers < 5 deletes characters and breaks the coefficient count.
 */
export function serializeFastTokenizerConfig(): string {
  const big = "1000000000000000019884624838656";
  return (
    sortedJson({
      added_tokens_decoder: {},
      clean_up_tokenization_spaces: false,
      model_max_length: 0,
      processor_class: "UniversalActionProcessor",
      tokenizer_class: "PreTrainedTokenizerFast",
    }).replace('"model_max_length": 0', `"model_max_length": ${big}`) + "\n"
  );
}

/** special_tokens_map.json of a FAST tokenizer: `{}`. */
export function serializeSpecialTokensMap(): string {
  return "{}\n";
}

/** The four files of a saved FAST tokenizer, by name. */
export type FastTokenizerFiles = Record<"tokenizer.json" | "processor_config.json" | "tokenizer_config.json" | "special_tokens_map.json", string>;

/**
 * The Hugging Face files of a FAST tokenizer as text: `tokenizer.json` (formatted like `tokenizers` 0.23),
 * `processor_config.json` (sorted keys, as transformers writes it), `tokenizer_config.json` (clean-up of spaces
 * off) and `special_tokens_map.json`; what `OpenFastTokenizer.save` writes.
 */
export function serializeFastTokenizerFiles(
  model: { vocab: readonly (string | undefined)[] | readonly [string, number][]; merges: readonly (readonly [string, string])[]; mergesFormat?: "strings" | "pairs" },
  config: FastProcessorConfig,
): FastTokenizerFiles {
  return {
    "tokenizer.json": serializeHfTokenizerJson(model),
    "processor_config.json": serializeFastProcessorConfig(config),
    "tokenizer_config.json": serializeFastTokenizerConfig(),
    "special_tokens_map.json": serializeSpecialTokensMap(),
  };
}
