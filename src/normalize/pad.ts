import { checkInt, describe, fail } from "../core/index.js";

/** MolmoAct2 / pi0 pad every action and state to this many dims. */
export const MAX_ACTION_DIM = 32;

/**
 * Zero-pad rows `[T][dim]` (or one vector) to `[T][size]` (default 32). Returns the padded values and
 * `mask` (length `size`, true on real dims) so consumers can ignore padded dims.
 */
export function padDims(values: readonly number[] | readonly (readonly number[])[], size = MAX_ACTION_DIM): { values: number[][] | number[]; mask: boolean[] } {
  const fn = "padDims";
  checkInt(fn, "size", size, 1);
  if (!Array.isArray(values)) fail(fn, "values", `must be number[] or number[][]; got ${describe(values)}`);
  const isRows = values.length > 0 && Array.isArray(values[0]);
  const rows = (isRows ? values : [values]) as readonly (readonly number[])[];
  const dim = rows.length > 0 ? rows[0].length : 0;
  if (dim > size) fail(fn, "values", `must have at most ${size} dims; got ${dim}`);
  const out = rows.map((r, t) => {
    if (!Array.isArray(r) || r.length !== dim) fail(fn, "values", `must be rectangular with ${dim} dims; row ${t} has ${Array.isArray(r) ? r.length : describe(r)}`);
    const p = new Array<number>(size).fill(0);
    for (let d = 0; d < dim; d++) p[d] = r[d];
    return p;
  });
  const mask = Array.from({ length: size }, (_, d) => d < dim);
  return { values: isRows ? out : out[0], mask };
}

/** Drop padded dims: keep the first `dim` entries of each row (or of one vector). */
export function unpadDims<T extends readonly number[] | readonly (readonly number[])[]>(values: T, dim: number): T extends readonly (readonly number[])[] ? number[][] : number[] {
  const fn = "unpadDims";
  checkInt(fn, "dim", dim, 1);
  if (!Array.isArray(values)) fail(fn, "values", `must be number[] or number[][]; got ${describe(values)}`);
  const isRows = values.length > 0 && Array.isArray(values[0]);
  const cut = (r: readonly number[], t: number) => {
    if (r.length < dim) fail(fn, "values", `must have at least ${dim} dims; row ${t} has ${r.length}`);
    return r.slice(0, dim);
  };
  const res = isRows ? (values as readonly (readonly number[])[]).map(cut) : cut(values as readonly number[], 0);
  return res as T extends readonly (readonly number[])[] ? number[][] : number[];
}
