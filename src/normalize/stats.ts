import { describe, fail, formatIndex, isNdArray, quantileSorted, toChunk, toList, type ChunkInput } from "../core/index.js";

/**
 * Per-dimension statistics of actions or states. `q01`/`q99` are required (they drive normalization);
 * the rest is optional metadata. Plain `number[]` of length `dim`: this is the record the stats files hold (and
 * the writers write); {@link checkStats} also takes typed arrays or 1-D ndarrays for the vectors.
 */
export interface NormStats {
  q01: number[];
  q99: number[];
  min?: number[];
  max?: number[];
  mean?: number[];
  std?: number[];
  count?: number;
  /** Feature names per dim (e.g. LeRobot `names`). */
  names?: string[];
  /** Per dim: true = normalize, false = pass the raw value through (e.g. grippers in MolmoAct2). */
  mask?: boolean[];
}

/**
 * Statistics of a set of rows `[N, dim]` (an ndarray, `number[][]` or a typed array with `{ horizon: N, dim }`):
 * 1st and 99th percentiles with numpy's default **linear** interpolation (`np.quantile(x, q)`, type 7),
 * min, max, mean and population std (ddof 0). Non-finite values are rejected.
 */
export function computeStats(rows: ChunkInput, shape?: { horizon?: number; dim?: number }): NormStats {
  const fn = "computeStats";
  const c = toChunk(fn, "rows", rows, shape);
  const data = c.data;
  const [n, dim] = c.shape;
  const q01: number[] = [];
  const q99: number[] = [];
  const min: number[] = [];
  const max: number[] = [];
  const mean: number[] = [];
  const std: number[] = [];
  const col = new Float64Array(n);
  for (let d = 0; d < dim; d++) {
    let s = 0;
    for (let i = 0; i < n; i++) {
      col[i] = data[i * dim + d];
      s += col[i];
    }
    const m = s / n;
    let v = 0;
    for (let i = 0; i < n; i++) v += (col[i] - m) * (col[i] - m);
    col.sort();
    q01.push(quantileSorted(col, 0.01));
    q99.push(quantileSorted(col, 0.99));
    min.push(col[0]);
    max.push(col[n - 1]);
    mean.push(m);
    std.push(Math.sqrt(v / n));
  }
  return { q01, q99, min, max, mean, std, count: n };
}

/**
 * Validate a {@link NormStats}-like object: equal-length finite q01/q99 (and mask/min/max if given). The vectors may
 * be arrays, typed arrays or 1-D ndarrays; the result holds plain `number[]`.
 */
export function checkStats(fn: string, arg: string, stats: unknown): NormStats {
  if (typeof stats !== "object" || stats === null) fail(fn, arg, `must be { q01, q99, ... }; got ${describe(stats)}`);
  const s = stats as Partial<NormStats>;
  const vec = (k: keyof NormStats, required: boolean): number[] | undefined => {
    const v = s[k] as unknown;
    if (v === undefined && !required) return undefined;
    if (isNdArray(v) && v.shape.length === 1) return check(k, toList(v));
    if (!Array.isArray(v) && !ArrayBuffer.isView(v)) fail(fn, `${arg}.${k}`, `must be an array of numbers (or a 1-D ndarray); got ${describe(v)}`);
    return check(k, Array.from(v as ArrayLike<number>));
  };
  const check = (k: keyof NormStats, arr: number[]): number[] => {
    arr.forEach((x, i) => {
      if (typeof x !== "number" || !Number.isFinite(x)) fail(fn, `${arg}.${k}`, `must hold finite numbers; got ${describe(x)} at ${formatIndex(i)}`);
    });
    return arr;
  };
  const q01 = vec("q01", true) as number[];
  const q99 = vec("q99", true) as number[];
  if (q01.length !== q99.length || q01.length === 0) fail(fn, arg, `must have q01 and q99 of the same non-zero length; got ${q01.length} and ${q99.length}`);
  const out: NormStats = { ...s, q01, q99 } as NormStats;
  for (const k of ["min", "max", "mean", "std"] as const) {
    const v = vec(k, false);
    if (v !== undefined) {
      if (v.length !== q01.length) fail(fn, `${arg}.${k}`, `must have ${q01.length} entries like q01; got ${v.length}`);
      out[k] = v;
    }
  }
  if (s.mask !== undefined) {
    if (!Array.isArray(s.mask) || s.mask.length !== q01.length || s.mask.some((m) => typeof m !== "boolean")) {
      fail(fn, `${arg}.mask`, `must be ${q01.length} booleans; got ${describe(s.mask)}`);
    }
  }
  return out;
}
