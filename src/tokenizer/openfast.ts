import { checkInt, describe, fail, ndView, toChunk, type Chunk, type ChunkInput, type ChunkShape } from "../core/index.js";
import { parseFastProcessorConfig, parseHfTokenizerJson, serializeFastTokenizerFiles, type FastProcessorConfig, type FastTokenizerFiles } from "../io/index.js";
import { BpeModel } from "./bpe.js";
import { pretokenizeCodePoints, writeUtf8 } from "./byte-level.js";
import { dctOrtho } from "./dct.js";
import { decodeFast, decodeFastInto, type DecodeIntoResult, type DecodeOptions, type DecodeResult, type DecodeScratch } from "./decode.js";
import { fitOpenFast, type FitInfo, type FitOptions } from "./fit.js";
import { findFastPlusDir, readTokenizerDir, writeTokenizerDir } from "./files.js";
import { checkChunkInputSize, checkTokenIds, type TokenIdList } from "./limits.js";
import { coefficientsToCodePoints, quantizeCoefficients } from "./quantize.js";

/** Options of the {@link OpenFastTokenizer} constructor. */
export interface OpenFastTokenizerInit {
  model: BpeModel;
  /** Quantization scale (FAST default 10). */
  scale: number;
  /** Offset so that `chr(q - minToken)` is a code point (FAST+: -354, MolmoAct2: -55). */
  minToken: number;
  /** `vocab_size` of processor_config.json (the requested size; the LLM action-token block width). */
  configVocabSize: number;
  /** How merges are written by {@link OpenFastTokenizer.save} (default "pairs", like tokenizers ≥ 0.20). */
  mergesFormat?: "strings" | "pairs";
  /** processor_config `time_horizon` / `action_dim` (kept for saving only; decode always takes explicit shapes). */
  timeHorizon?: number | null;
  actionDim?: number | null;
  fitInfo?: FitInfo;
}

/** Words up to this many chars are memoised (at most WORD_CACHE_SIZE of them per tokenizer). */
const WORD_CACHE_MAX_CHARS = 2048;
const WORD_CACHE_SIZE = 4096;

/** 32-bit hash of the code points `cps[start..end)` (word cache key; hits are verified against the stored copy). */
function wordHash(cps: Int32Array, start: number, end: number): number {
  let h = (end - start) ^ 0x811c9dc5;
  for (let i = start; i < end; i++) h = Math.imul(h ^ cps[i], 0x01000193);
  return h;
}

/** A memoised word: its code points (to verify a hash hit) and its token ids. */
interface CachedWord {
  cps: Int32Array;
  ids: number[];
}

function sameRun(a: Int32Array, cps: Int32Array, start: number, end: number): boolean {
  if (a.length !== end - start) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== cps[start + i]) return false;
  return true;
}

/** The chunk as packed float64 `[H, D]` (no copy for a packed float64 ndarray), after the size limit. */
function shapeOf(fn: string, chunk: ChunkInput, shape?: Partial<ChunkShape>): { data: Float64Array; horizon: number; dim: number } {
  checkChunkInputSize(fn, "chunk", chunk, shape); // before converting or transforming anything
  const c = toChunk(fn, "chunk", chunk, shape);
  return { data: c.data, horizon: c.shape[0], dim: c.shape[1] };
}

/**
 * The FAST / OpenFAST action tokenizer (physical-intelligence/fast `UniversalActionProcessor`, MolmoAct2-FAST):
 * DCT-II (orthonormal, along time) → `round_half_even(coef · scale)` → frequency-major flatten →
 * `chr(max(q − minToken, 0))` → byte-level BPE exactly like Hugging Face `tokenizers`. Decode inverts it.
 *
 * Differences from upstream (on purpose): no sticky horizon/dim state (decode always takes `{ horizon, dim }`),
 * decode failures are values with a reason instead of silent zeros, no `clean_up_tokenization_spaces`.
 */
export class OpenFastTokenizer {
  readonly model: BpeModel;
  readonly scale: number;
  readonly minToken: number;
  readonly configVocabSize: number;
  readonly mergesFormat: "strings" | "pairs";
  readonly timeHorizon: number | null;
  readonly actionDim: number | null;
  /** Set on tokenizers made by {@link OpenFastTokenizer.fit}. */
  readonly fitInfo?: FitInfo;

  private readonly scratch: DecodeScratch = { bytes: new Uint8Array(1024), cps: new Int32Array(1024), scaled: new Float64Array(0) };
  private readonly wordCache = new Map<number, CachedWord>();
  private ends = new Int32Array(1024);

  constructor(init: OpenFastTokenizerInit) {
    const fn = "OpenFastTokenizer";
    if (!(init.model instanceof BpeModel)) fail(fn, "model", `must be a BpeModel; got ${describe(init.model)}`);
    if (typeof init.scale !== "number" || !(init.scale > 0) || !Number.isFinite(init.scale)) fail(fn, "scale", `must be a finite number > 0; got ${describe(init.scale)}`);
    this.model = init.model;
    this.scale = init.scale;
    this.minToken = checkInt(fn, "minToken", init.minToken);
    this.configVocabSize = checkInt(fn, "configVocabSize", init.configVocabSize, 1);
    this.mergesFormat = init.mergesFormat ?? "pairs";
    this.timeHorizon = init.timeHorizon ?? null;
    this.actionDim = init.actionDim ?? null;
    this.fitInfo = init.fitInfo;
  }

  /** Number of token id slots (largest vocab id + 1). Ids at or above it are unknown. */
  get vocabSize(): number {
    return this.model.size;
  }

  /**
   * Build from the Hugging Face files' contents (text or parsed JSON). Works anywhere (no file access).
   * Accepts both vocabulary layouts (byte-level alphabet first like FAST+, or `fit()`'s raw alphabet first)
   * and merges as `"a b"` strings or `["a", "b"]` pairs.
   */
  static fromJSON(files: { tokenizer: string | object; processorConfig: string | object }): OpenFastTokenizer {
    const parsed = parseHfTokenizerJson(files.tokenizer);
    const cfg = parseFastProcessorConfig(files.processorConfig);
    return new OpenFastTokenizer({
      model: new BpeModel(new Map(parsed.vocab), parsed.merges),
      scale: cfg.scale,
      minToken: cfg.min_token,
      configVocabSize: cfg.vocab_size,
      mergesFormat: parsed.mergesFormat,
      timeHorizon: cfg.time_horizon,
      actionDim: cfg.action_dim,
    });
  }

  /**
   * Node: load a Hugging Face tokenizer folder: processor_config.json plus tokenizer.json beside it or in a
   * `bpe_tokenizer/` subfolder (both layouts of the Hub's action-tokenizer repos).
   */
  static async load(dir: string): Promise<OpenFastTokenizer> {
    if (typeof dir !== "string" || dir === "") fail("OpenFastTokenizer.load", "dir", `must be a folder path; got ${describe(dir)}`);
    const files = await readTokenizerDir(dir);
    return OpenFastTokenizer.fromJSON(files);
  }

  /**
   * Browser or Node ≥ 18: fetch processor_config.json and tokenizer.json from a base URL (ending in `/`);
   * tokenizer.json is tried beside processor_config.json first, then in `bpe_tokenizer/` (the two layouts of
   * Hugging Face action-tokenizer repos). Any other HTTP failure is an error naming the URL.
   */
  static async fetch(baseUrl: string): Promise<OpenFastTokenizer> {
    const fn = "OpenFastTokenizer.fetch";
    const base = baseUrl.endsWith("/") ? baseUrl : baseUrl + "/";
    const get = async (name: string, optional = false): Promise<string | undefined> => {
      const r = await fetch(base + name);
      if (r.status === 404 && optional) return undefined;
      if (!r.ok) fail(fn, "baseUrl", `must serve ${name}; got HTTP ${r.status} for ${base + name}`);
      return r.text();
    };
    const processorConfig = (await get("processor_config.json")) as string;
    const tokenizer = (await get("tokenizer.json", true)) ?? (await get("bpe_tokenizer/tokenizer.json", true));
    if (tokenizer === undefined) fail(fn, "baseUrl", `must serve tokenizer.json or bpe_tokenizer/tokenizer.json; both are 404 under ${base}`);
    return OpenFastTokenizer.fromJSON({ tokenizer, processorConfig });
  }

  /**
   * Train a new tokenizer on action chunks, exactly like `UniversalActionProcessor.fit` + HF `BpeTrainer`.
   * See {@link FitOptions}; chunks are `[T][D]` (T may vary) and should already be normalized.
   */
  static fit(chunks: readonly ChunkInput[], opts: FitOptions = {}): OpenFastTokenizer {
    const r = fitOpenFast(chunks, opts);
    return new OpenFastTokenizer({
      model: new BpeModel(new Map(r.vocab.map((t, i) => [t, i] as [string, number])), r.merges),
      scale: r.scale,
      minToken: r.info.minToken,
      configVocabSize: r.requestedVocabSize,
      mergesFormat: "pairs",
      fitInfo: r.info,
    });
  }

  /** The Hugging Face files of this tokenizer as text (`save` writes exactly these). */
  toFiles(): FastTokenizerFiles {
    const cfg: FastProcessorConfig = {
      scale: this.scale,
      vocab_size: this.configVocabSize,
      min_token: this.minToken,
      time_horizon: this.timeHorizon,
      action_dim: this.actionDim,
      processor_class: "UniversalActionProcessor",
    };
    return serializeFastTokenizerFiles({ vocab: this.model.idToToken, merges: this.model.merges, mergesFormat: this.mergesFormat }, cfg);
  }

  /** Node: write the Hugging Face folder (loadable by Python `tokenizers` / transformers). */
  async save(dir: string): Promise<void> {
    if (typeof dir !== "string" || dir === "") fail("OpenFastTokenizer.save", "dir", `must be a folder path; got ${describe(dir)}`);
    await writeTokenizerDir(dir, this.toFiles());
  }

  /**
   * Quantized DCT coefficients of a chunk: a float64 ndarray `[horizon (frequency), dim]` of integers.
   * `chunk` is an ndarray `[horizon, dim]`, `number[][]` or a typed array with `shape`.
   */
  quantize(chunk: ChunkInput, shape?: Partial<ChunkShape>): Chunk {
    const c = shapeOf("OpenFastTokenizer.quantize", chunk, shape);
    const coef = dctOrtho(c.data, c.horizon, c.dim);
    return ndView(quantizeCoefficients(coef, this.scale, coef), [c.horizon, c.dim]);
  }

  /**
   * Encode one chunk (an ndarray `[horizon, dim]`, `number[][]` or a typed array with `{ horizon, dim }`,
   * expected normalized to about [-1, 1]) to token ids. A packed float64 ndarray (what `normalize` returns) is read
   * in place. Throws a VlaError on non-finite values, values
   * whose coefficients cannot become valid code points, or more than `MAX_CHUNK_VALUES` values (checked first).
   */
  encode(chunk: ChunkInput, shape?: Partial<ChunkShape>): number[] {
    const fn = "OpenFastTokenizer.encode";
    const c = shapeOf(fn, chunk, shape);
    const n = c.horizon * c.dim;
    const coef = dctOrtho(c.data, c.horizon, c.dim);
    quantizeCoefficients(coef, this.scale, coef);
    if (this.scratch.cps.length < n) {
      this.scratch.cps = new Int32Array(n);
      this.ends = new Int32Array(n);
    }
    const cps = coefficientsToCodePoints(fn, coef, this.minToken, c.dim, this.scratch.cps.length === n ? this.scratch.cps : this.scratch.cps.subarray(0, n));
    return this.encodeCodePoints(cps, n);
  }

  /** BPE-encode FAST text given as code points `cps[0..n)` (pre-tokenize, UTF-8, byte-level BPE). */
  encodeCodePoints(cps: Int32Array, n: number): number[] {
    if (this.ends.length < n) this.ends = new Int32Array(n);
    const words = pretokenizeCodePoints(cps, n, this.ends);
    if (this.scratch.bytes.length < 4 * n) this.scratch.bytes = new Uint8Array(4 * n);
    const bytes = this.scratch.bytes;
    const out: number[] = [];
    let start = 0;
    for (let w = 0; w < words; w++) {
      const end = this.ends[w];
      // memoised BPE per word (bounded): repeated words (e.g. an idle robot's chunks) skip the merge loop. Keyed by
      // a hash, not a string of the word: building a 400-char key string cost more than hashing the ints
      const key = end - start <= WORD_CACHE_MAX_CHARS ? wordHash(cps, start, end) : undefined;
      const hit = key === undefined ? undefined : this.wordCache.get(key);
      if (hit !== undefined && sameRun(hit.cps, cps, start, end)) {
        const ids = hit.ids;
        for (let i = 0; i < ids.length; i++) out.push(ids[i]);
      } else {
        let len = 0;
        for (let i = start; i < end; i++) len = writeUtf8(cps[i], bytes, len);
        const from = out.length;
        this.model.encodeWordBytes(bytes, 0, len, out);
        if (key !== undefined) {
          if (this.wordCache.size >= WORD_CACHE_SIZE) this.wordCache.clear();
          // a hash collision simply replaces the older word
          this.wordCache.set(key, { cps: cps.slice(start, end), ids: out.slice(from) });
        }
      }
      start = end;
    }
    return out;
  }

  /** Encode many chunks (each as in {@link encode}). */
  encodeBatch(chunks: readonly ChunkInput[], shape?: Partial<ChunkShape>): number[][] {
    if (!Array.isArray(chunks)) fail("OpenFastTokenizer.encodeBatch", "chunks", `must be an array of chunks; got ${describe(chunks)}`);
    return chunks.map((ch) => this.encode(ch, shape));
  }

  /**
   * Decode token ids (`number[]` or an integer typed array such as `Int32Array`) back to a chunk: `actions` is a
   * float64 ndarray `[horizon, dim]` (pass it straight to `unnormalize`). Never throws on bad ids: returns `{ ok: false, reason, message }` (see {@link DecodeCompat}).
   * Throws only on bad arguments: options, ids that are not an array, or `horizon·dim` above `MAX_CHUNK_VALUES`.
   */
  decode(ids: TokenIdList, opts: DecodeOptions): DecodeResult {
    return decodeFast(this.model, this, this.scratch, ids, opts);
  }

  /**
   * Allocation-light {@link decode}: writes the chunk as row-major float64 `[horizon][dim]` into `out` (a
   * `Float64Array` of horizon·dim values or a packed float64 ndarray `[horizon, dim]`, written only on success) and
   * returns `{ ok: true, horizon, dim }` or the same failure values as decode. For hot loops (no result arrays, no
   * coefficient array per call).
   */
  decodeInto(ids: TokenIdList, opts: DecodeOptions, out: Float64Array | Chunk): DecodeIntoResult {
    return decodeFastInto(this.model, this, this.scratch, ids, opts, out);
  }

  /** Decode many id lists with the same options. */
  decodeBatch(idLists: readonly TokenIdList[], opts: DecodeOptions): DecodeResult[] {
    if (!Array.isArray(idLists)) fail("OpenFastTokenizer.decodeBatch", "idLists", `must be an array of id arrays; got ${describe(idLists)}`);
    idLists.forEach((ids, i) => checkTokenIds("OpenFastTokenizer.decodeBatch", `idLists[${i}]`, ids));
    return idLists.map((ids) => this.decode(ids, opts));
  }
}

/** Node: the official FAST+ tokenizer (physical-intelligence/fast, Apache-2.0) shipped in `assets/fast-plus/`. */
export async function loadFastPlus(): Promise<OpenFastTokenizer> {
  return OpenFastTokenizer.load(await findFastPlusDir());
}
