import { describe, fail } from "../core/index.js";
import { byteRange, checkRange, type ByteSource } from "./byte-source.js";

export interface UrlSourceOptions {
  /** The fetch to use (default: the global one). */
  fetch?: typeof fetch;
  /** Extra request headers (e.g. `Authorization`). */
  headers?: Record<string, string>;
  /**
   * A server that ignores `Range` sends the whole file; accept that (once, then serve reads from
   * memory) only up to this size. Default 256 MiB.
   */
  maxFullDownloadBytes?: number;
}

const DEFAULT_MAX_FULL = 256 * 1024 * 1024;

/**
 * A file served over HTTP(S), read with `Range` requests (one request per read). A server that
 * answers `200` to a range request is downloaded once, whole, when it is at most
 * `maxFullDownloadBytes`; a larger one is an error naming the URL. HTTP errors name the URL, the
 * status and the byte range. In a browser, a cross-origin server must expose `Content-Range`.
 */
export function urlSource(url: string | URL, options: UrlSourceOptions = {}): ByteSource {
  const fn = "urlSource";
  if (!(url instanceof URL) && (typeof url !== "string" || url === "")) fail(fn, "url", `must be a URL or a non-empty URL string; got ${describe(url)}`);
  const href = String(url);
  const fetchFn = options.fetch ?? globalThis.fetch;
  if (typeof fetchFn !== "function") fail(fn, "options.fetch", `must be a fetch function (no global fetch here); got ${describe(fetchFn)}`);
  const maxFull = options.maxFullDownloadBytes ?? DEFAULT_MAX_FULL;
  if (!Number.isSafeInteger(maxFull) || maxFull < 0) fail(fn, "options.maxFullDownloadBytes", `must be a non-negative integer; got ${describe(maxFull)}`);
  const label = JSON.stringify(href);
  let size: number | undefined;
  let full: Promise<Uint8Array> | undefined;

  async function get(what: string, range?: string, method = "GET"): Promise<Response> {
    const headers: Record<string, string> = { ...options.headers };
    if (range !== undefined) headers.Range = range;
    try {
      return await fetchFn(href, { method, headers });
    } catch (e) {
      return fail(`${fn}.read`, label, `could not be fetched (${what}): ${(e as Error).message}`);
    }
  }

  /** The whole body of a `200` answer, within the size limit; later reads are served from it. */
  function downloadWhole(res: Response, what: string): Promise<Uint8Array> {
    if (full) {
      void res.body?.cancel();
      return full;
    }
    full = (async () => {
      const declared = Number(res.headers.get("content-length") ?? NaN);
      const tooBig = (n: number) =>
        fail(`${fn}.read`, label, `ignores HTTP Range requests (answered 200 to ${what}) and is ${n} bytes, above maxFullDownloadBytes = ${maxFull}: serve it from a server that honours Range, or raise the limit`);
      if (Number.isFinite(declared) && declared > maxFull) {
        void res.body?.cancel();
        tooBig(declared);
      }
      const chunks: Uint8Array[] = [];
      let total = 0;
      const reader = res.body?.getReader();
      if (reader) {
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          total += value.length;
          if (total > maxFull) {
            await reader.cancel();
            tooBig(total);
          }
          chunks.push(value);
        }
      }
      const out = new Uint8Array(total);
      let at = 0;
      for (const c of chunks) {
        out.set(c, at);
        at += c.length;
      }
      size = total;
      return out;
    })();
    full.catch(() => undefined);
    return full;
  }

  function statusError(res: Response, what: string): never {
    void res.body?.cancel();
    if (res.status === 404) fail(`${fn}.read`, label, `does not exist (HTTP 404 for ${what})`);
    return fail(`${fn}.read`, label, `failed with HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ""} for ${what}`);
  }

  /** Total size from `Content-Range: bytes a-b/total` (also the `bytes * / total` form of a 416), if readable. */
  function totalOf(res: Response): number | undefined {
    const m = /\/(\d+)\s*$/.exec(res.headers.get("content-range") ?? "");
    return m ? Number(m[1]) : undefined;
  }

  return {
    name: href,
    async size() {
      if (size !== undefined) return size;
      if (full) return (await full).length;
      const what = "a size probe (bytes [0, 1))";
      const res = await get(what, "bytes=0-0");
      if (res.status === 200) return (await downloadWhole(res, what)).length;
      if (res.status === 416 && totalOf(res) === 0) return (size = 0);
      if (res.status !== 206) statusError(res, what);
      void res.body?.cancel();
      const total = totalOf(res);
      if (total !== undefined) return (size = total);
      const head = await get("a HEAD request", undefined, "HEAD");
      const n = Number(head.headers.get("content-length") ?? NaN);
      if (!head.ok || !Number.isSafeInteger(n)) fail(`${fn}.size`, label, "does not tell its size: no readable Content-Range (a browser needs Access-Control-Expose-Headers: Content-Range) and no Content-Length on HEAD");
      return (size = n);
    },
    async read(offset, length) {
      checkRange(`${fn}.read`, href, offset, length, size);
      if (full) {
        const bytes = await full;
        checkRange(`${fn}.read`, href, offset, length, bytes.length);
        return bytes.subarray(offset, offset + length);
      }
      if (length === 0) return new Uint8Array(0);
      const what = byteRange(offset, length);
      const res = await get(what, `bytes=${offset}-${offset + length - 1}`);
      if (res.status === 200) {
        const bytes = await downloadWhole(res, what);
        checkRange(`${fn}.read`, href, offset, length, bytes.length);
        return bytes.subarray(offset, offset + length);
      }
      if (res.status === 416) {
        void res.body?.cancel();
        const total = totalOf(res);
        fail(`${fn}.read`, label, `is truncated: wanted ${what} but the server refused the range (HTTP 416${total !== undefined ? `; the file holds ${total} bytes` : ""})`);
      }
      if (res.status !== 206) statusError(res, what);
      const start = /bytes\s+(\d+)-/.exec(res.headers.get("content-range") ?? "");
      if (start && Number(start[1]) !== offset) {
        void res.body?.cancel();
        fail(`${fn}.read`, label, `answered ${what} with a range starting at byte ${start[1]}`);
      }
      const total = totalOf(res);
      if (total !== undefined) size = total;
      const out = new Uint8Array(await res.arrayBuffer());
      if (out.length !== length) fail(`${fn}.read`, label, `is truncated: wanted ${what} but the server sent ${out.length} bytes`);
      return out;
    },
  };
}
