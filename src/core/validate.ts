import { describe, fail } from "./errors.js";

/** Require an integer in [min, max]. */
export function checkInt(fn: string, arg: string, value: unknown, min = -Infinity, max = Infinity): number {
  if (typeof value !== "number" || !Number.isInteger(value)) {
    fail(fn, arg, `must be an integer; got ${describe(value)}`);
  }
  if (value < min || value > max) {
    const range = max === Infinity ? `>= ${min}` : min === -Infinity ? `<= ${max}` : `in [${min}, ${max}]`;
    fail(fn, arg, `must be an integer ${range}; got ${value}`);
  }
  return value;
}

/** Require a finite number, optionally in [min, max]. */
export function checkNumber(fn: string, arg: string, value: unknown, min = -Infinity, max = Infinity): number {
  if (typeof value !== "number" || !Number.isFinite(value)) {
    fail(fn, arg, `must be a finite number; got ${describe(value)}`);
  }
  if (value < min || value > max) fail(fn, arg, `must be in [${min}, ${max}]; got ${value}`);
  return value;
}

/** Require one of a fixed set of string options. */
export function checkOneOf<T extends string>(fn: string, arg: string, value: unknown, options: readonly T[]): T {
  if (typeof value !== "string" || !(options as readonly string[]).includes(value)) {
    fail(fn, arg, `must be one of ${options.map((o) => JSON.stringify(o)).join(", ")}; got ${describe(value)}`);
  }
  return value as T;
}

/** Any numeric typed array this library accepts at the edge. */
export type NumericArray = Float64Array | Float32Array | Int32Array | Uint8Array | Uint8ClampedArray | Int16Array | Uint16Array;

export function isNumericArray(value: unknown): value is NumericArray {
  return (
    value instanceof Float64Array ||
    value instanceof Float32Array ||
    value instanceof Int32Array ||
    value instanceof Uint8Array ||
    value instanceof Uint8ClampedArray ||
    value instanceof Int16Array ||
    value instanceof Uint16Array
  );
}

/** Require every element of a flat numeric array to be finite; names the first bad index. */
export function checkFinite(fn: string, arg: string, data: ArrayLike<number>, shape?: readonly number[]): void {
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (!Number.isFinite(v)) fail(fn, arg, `must contain finite numbers; got ${describe(v)} at ${formatIndex(i, shape)}`);
  }
}

/** Format a flat index as `[i][j]` when a shape is known. */
export function formatIndex(flat: number, shape?: readonly number[]): string {
  if (!shape || shape.length === 0) return `[${flat}]`;
  const idx: number[] = [];
  let rest = flat;
  for (let d = shape.length - 1; d >= 0; d--) {
    idx.unshift(rest % shape[d]);
    rest = Math.floor(rest / shape[d]);
  }
  return idx.map((i) => `[${i}]`).join("");
}
