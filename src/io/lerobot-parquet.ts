import { describe, fail, ndView, type Chunk } from "../core/index.js";

type Hyparquet = typeof import("hyparquet");
type Compressors = (typeof import("hyparquet-compressors"))["compressors"];
let hyparquet: Promise<Hyparquet> | undefined;
let compressors: Promise<Compressors> | undefined;
// Loaded on first use, so importing the io face (e.g. through the tokenizer) never pulls the parquet reader.
function loadHyparquet(): Promise<Hyparquet> {
  hyparquet ??= import("hyparquet");
  return hyparquet;
}
// Page decompressors beyond hyparquet's built-in snappy: zstd, gzip, brotli, lz4 (pure JS / wasm, sync).
function loadCompressors(): Promise<Compressors> {
  compressors ??= import("hyparquet-compressors").then((m) => m.compressors);
  return compressors;
}

/** A 2-D float64 trajectory: a packed ndarray `[frames, dim]` (`data` row-major from offset 0). */
export type Trajectory = Chunk;

/** Columns of one parquet file, as float64 (scalars) or row-major float64 (vectors). */
export interface ParquetTable {
  numRows: number;
  /** Top-level column names present in the file. */
  columnNames: string[];
  scalars: Record<string, Float64Array>;
  vectors: Record<string, Trajectory>;
}

/** Top-level column names of a parquet file (reads only the footer). */
export async function parquetColumnNames(buf: ArrayBuffer): Promise<string[]> {
  const { parquetMetadata, parquetSchema } = await loadHyparquet();
  return parquetSchema(parquetMetadata(buf)).children.map((c) => c.element.name);
}

function toNumber(v: unknown): number {
  if (typeof v === "number") return v;
  if (typeof v === "bigint") return Number(v);
  if (typeof v === "boolean") return v ? 1 : 0;
  return NaN;
}

/**
 * Read the named columns of a parquet file held in memory (pure JS via hyparquet; uncompressed, snappy,
 * zstd, gzip, brotli and lz4 pages via hyparquet-compressors). Scalar columns come back as `Float64Array` (int64 converted with `Number`),
 * list columns (one fixed-length vector per row) as packed float64 ndarrays `[rows, dim]`.
 * `vectorColumns` must be list columns with the same length on every row; `where` names the file.
 * Missing optional scalar columns are simply absent from the result.
 */
export async function readParquetTable(buf: ArrayBuffer, vectorColumns: readonly string[], scalarColumns: readonly string[], where: string): Promise<ParquetTable> {
  const fn = "readParquetTable";
  const { parquetMetadata, parquetRead, parquetSchema } = await loadHyparquet();
  let metadata;
  try {
    metadata = parquetMetadata(buf);
  } catch (e) {
    fail(fn, where, `must be a parquet file; parsing failed: ${(e as Error).message}`);
  }
  const columnNames = parquetSchema(metadata).children.map((c) => c.element.name);
  for (const c of vectorColumns) {
    if (!columnNames.includes(c)) fail(fn, where, `must have a column ${JSON.stringify(c)}; columns are ${columnNames.join(", ")}`);
  }
  const scalarsWanted = scalarColumns.filter((c) => columnNames.includes(c));
  const numRows = Number(metadata.num_rows);
  const raw: Record<string, unknown[]> = {};
  for (const c of [...vectorColumns, ...scalarsWanted]) raw[c] = new Array<unknown>(numRows);
  try {
    await parquetRead({
      file: buf,
      metadata,
      compressors: await loadCompressors(),
      columns: [...new Set([...vectorColumns, ...scalarsWanted])],
      onChunk(chunk) {
        const dst = raw[chunk.columnName];
        if (!dst) return;
        const src = chunk.columnData as ArrayLike<unknown>;
        for (let i = 0; i < src.length && chunk.rowStart + i < numRows; i++) dst[chunk.rowStart + i] = src[i];
      },
    });
  } catch (e) {
    // A corrupt page (bad thrift header, short data, failed decompression) surfaces as a plain Error from hyparquet.
    fail(fn, where, `could not be decoded (corrupt or truncated parquet data): ${(e as Error).message}`);
  }
  const scalars: Record<string, Float64Array> = {};
  for (const c of scalarsWanted) {
    const col = raw[c];
    const out = new Float64Array(numRows);
    for (let i = 0; i < numRows; i++) out[i] = toNumber(col[i]);
    scalars[c] = out;
  }
  const vectors: Record<string, Trajectory> = {};
  for (const c of vectorColumns) {
    const col = raw[c];
    const first = col[0];
    const dim = numRows === 0 ? 0 : Array.isArray(first) || ArrayBuffer.isView(first) ? (first as ArrayLike<number>).length : 1;
    const data = new Float64Array(numRows * dim);
    for (let r = 0; r < numRows; r++) {
      const row = col[r];
      if (dim === 1 && !(Array.isArray(row) || ArrayBuffer.isView(row))) {
        data[r] = toNumber(row);
        continue;
      }
      if (!(Array.isArray(row) || ArrayBuffer.isView(row)) || (row as ArrayLike<unknown>).length !== dim) {
        fail(fn, where, `column ${JSON.stringify(c)} must hold ${dim} values on every row; row ${r} is ${describe(row)}`);
      }
      const arr = row as ArrayLike<unknown>;
      for (let d = 0; d < dim; d++) data[r * dim + d] = toNumber(arr[d]);
    }
    vectors[c] = ndView(data, [numRows, dim]);
  }
  return { numRows, columnNames, scalars, vectors };
}
