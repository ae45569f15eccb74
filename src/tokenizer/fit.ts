import { checkInt, checkNumber, describe, fail, toChunk, type ChunkInput } from "../core/index.js";
import { trainBpe, type TrainProgress } from "./bpe-train.js";
import { bytesToByteLevel, pretokenizeCodePoints, writeUtf8 } from "./byte-level.js";
import { dctOrtho } from "./dct.js";
import { checkChunkInputSize } from "./limits.js";
import { quantizeCoefficients } from "./quantize.js";

/** Progress of a fit: quantizing chunks, counting words/pairs, then merges (`done` of `total`). */
export interface FitProgress {
  phase: "quantize" | TrainProgress["phase"];
  done: number;
  total: number;
}

export interface FitOptions {
  /** Requested vocabulary size (FAST default 1024); the realized vocab may end smaller. */
  vocabSize?: number;
  /** Quantization scale (default 10). */
  scale?: number;
  /** Minimum pair count to merge (default 2, as FAST's `fit`). */
  minFrequency?: number;
  /** Longest token in chars (default 10000, as FAST's `fit`). */
  maxTokenLength?: number;
  /** Shape for chunks given as flat typed arrays. */
  horizon?: number;
  dim?: number;
  onProgress?: (p: FitProgress) => void;
}

/** What a fit saw and decided. */
export interface FitInfo {
  minToken: number;
  maxToken: number;
  numChunks: number;
  /** Distinct pre-tokenizer words. */
  numWords: number;
  /** Realized vocab length (alphabet + new tokens). */
  realizedVocabSize: number;
  merges: number;
  /** Upstream's warning when (max − min) + 100 > vocabSize. */
  warnings: string[];
}

/** @internal Raw fit output used by `OpenFastTokenizer.fit`. */
export interface FitResult {
  vocab: string[];
  merges: [string, string][];
  scale: number;
  requestedVocabSize: number;
  info: FitInfo;
}

/**
 * `UniversalActionProcessor.fit`: DCT + quantize every chunk, `min_token` = global minimum, text
 * `chr(q − min)` (no clamp), ByteLevel pre-tokenize, then HF `BpeTrainer` with initial alphabet
 * `chr(0..max−min)` (raw, not byte-mapped), `min_frequency`, `max_token_length` 10000.
 */
export function fitOpenFast(chunks: readonly ChunkInput[], opts: FitOptions = {}): FitResult {
  const fn = "OpenFastTokenizer.fit";
  if (!Array.isArray(chunks) || chunks.length === 0) fail(fn, "chunks", `must be a non-empty array of chunks; got ${describe(chunks)}`);
  const vocabSize = checkInt(fn, "vocabSize", opts.vocabSize ?? 1024, 1);
  const scale = checkNumber(fn, "scale", opts.scale ?? 10, Number.MIN_VALUE);
  const minFrequency = checkInt(fn, "minFrequency", opts.minFrequency ?? 2, 0);
  const maxTokenLength = checkInt(fn, "maxTokenLength", opts.maxTokenLength ?? 10000, 1);
  const progress = opts.onProgress;
  const qs: Float64Array[] = [];
  let min = Infinity;
  let max = -Infinity;
  const shape = opts.horizon !== undefined || opts.dim !== undefined ? { horizon: opts.horizon, dim: opts.dim } : undefined;
  chunks.forEach((ch, i) => {
    checkChunkInputSize(fn, `chunks[${i}]`, ch, shape);
    const c = toChunk(fn, `chunks[${i}]`, ch, shape);
    const [H, D] = c.shape;
    const q = quantizeCoefficients(dctOrtho(c.data, H, D), scale, new Float64Array(H * D));
    for (let k = 0; k < q.length; k++) {
      if (q[k] < min) min = q[k];
      if (q[k] > max) max = q[k];
    }
    qs.push(q);
    if (progress && (i & 1023) === 0) progress({ phase: "quantize", done: i, total: chunks.length });
  });
  progress?.({ phase: "quantize", done: chunks.length, total: chunks.length });
  const range = max - min;
  if (range > vocabSize) {
    fail(fn, "vocabSize", `must be >= max - min of the quantized coefficients (${max} - ${min} = ${range}); got ${vocabSize}. Normalize the data or lower scale`);
  }
  if (range >= 0xd800) fail(fn, "chunks", `must quantize to a coefficient range below 55296 (code points); got ${range}`);
  const warnings: string[] = [];
  if (range + 100 > vocabSize) {
    warnings.push(`Initial alphabet size ${range} is almost as large as the vocabulary size ${vocabSize}; consider a larger vocabSize (upstream FAST warns the same)`);
  }
  // words
  const counts = new Map<string, number>();
  let cps = new Int32Array(256);
  let ends = new Int32Array(256);
  let bytes = new Uint8Array(1024);
  for (const q of qs) {
    const n = q.length;
    if (cps.length < n) {
      cps = new Int32Array(n);
      ends = new Int32Array(n);
      bytes = new Uint8Array(4 * n);
    }
    for (let i = 0; i < n; i++) cps[i] = q[i] - min;
    const w = pretokenizeCodePoints(cps, n, ends);
    let start = 0;
    for (let k = 0; k < w; k++) {
      let len = 0;
      for (let i = start; i < ends[k]; i++) len = writeUtf8(cps[i], bytes, len);
      const word = bytesToByteLevel(bytes.subarray(0, len));
      counts.set(word, (counts.get(word) ?? 0) + 1);
      start = ends[k];
    }
  }
  const initialAlphabet = Array.from({ length: range + 1 }, (_, i) => i);
  const r = trainBpe(counts, { vocabSize, minFrequency, initialAlphabet, maxTokenLength, onProgress: progress });
  return {
    vocab: r.vocab,
    merges: r.merges,
    scale,
    requestedVocabSize: vocabSize,
    info: { minToken: min, maxToken: max, numChunks: chunks.length, numWords: counts.size, realizedVocabSize: r.vocab.length, merges: r.merges.length, warnings },
  };
}
