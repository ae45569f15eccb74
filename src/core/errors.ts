/**
 * A programming error: wrong shape, wrong type, value out of range.
 * The message always names the function, the argument, what was expected and what was given,
 * e.g. `OpenFastTokenizer.encode: chunk must be [horizon][dim] with finite numbers; got NaN at [3][2]`.
 */
export class VlaError extends Error {
  /** The function or method that rejected its input, e.g. `"OpenFastTokenizer.encode"`. */
  readonly fn: string;
  /** The argument that was wrong, e.g. `"chunk"`. */
  readonly arg: string;

  constructor(fn: string, arg: string, message: string) {
    super(`${fn}: ${arg} ${message}`);
    this.name = "VlaError";
    this.fn = fn;
    this.arg = arg;
  }
}

/** Throw a {@link VlaError}: `fail("encode", "chunk", "must be finite; got NaN at [0][1]")`. */
export function fail(fn: string, arg: string, message: string): never {
  throw new VlaError(fn, arg, message);
}

/** A result that can fail on bad data (not on programming errors). */
export type Result<T, E extends object = { reason: string }> = ({ ok: true } & T) | ({ ok: false } & E);

/** Short, readable description of any value for error messages. */
export function describe(value: unknown): string {
  if (value === null) return "null";
  if (value === undefined) return "undefined";
  if (typeof value === "number") return Number.isNaN(value) ? "NaN" : String(value);
  if (typeof value === "string") return JSON.stringify(value.length > 40 ? value.slice(0, 40) + "…" : value);
  if (ArrayBuffer.isView(value)) {
    const name = value.constructor.name;
    const len = (value as unknown as { length?: number }).length;
    return len === undefined ? name : `${name}(${len})`;
  }
  if (Array.isArray(value)) return `array(${value.length})`;
  if (typeof value === "object") return value.constructor?.name && value.constructor !== Object ? value.constructor.name : "object";
  return typeof value;
}

/**
 * Parse JSON given as a string (objects pass through unchanged); a syntax error becomes a {@link VlaError}
 * naming the function and argument instead of a bare `SyntaxError`.
 */
export function parseJson(fn: string, arg: string, input: string | object): unknown {
  if (typeof input !== "string") return input;
  try {
    return JSON.parse(input) as unknown;
  } catch (e) {
    return fail(fn, arg, `must be valid JSON; got a parse error: ${(e as Error).message}`);
  }
}
