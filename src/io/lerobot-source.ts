import { describe, fail } from "../core/index.js";

/**
 * Where the files of a LeRobot dataset come from. Paths are relative to the dataset root and use `/`
 * (`meta/info.json`, `data/chunk-000/file-000.parquet`). The parser core only talks to this interface,
 * so the same code reads a folder on disk (Node, {@link nodeSource}), files the user dropped into a
 * page ({@link memorySource}) or files served over HTTP ({@link fetchSource}).
 */
export interface DatasetSource {
  /** A human-readable name for error messages (a folder path or URL). */
  readonly name: string;
  /** The file as UTF-8 text, or `undefined` when it does not exist. */
  readText(path: string): Promise<string | undefined>;
  /** The file's bytes, or `undefined` when it does not exist. */
  readBytes(path: string): Promise<ArrayBuffer | undefined>;
  /** Every file below `prefix` (recursively), as root-relative `/` paths, sorted. */
  list(prefix: string): Promise<string[]>;
  /**
   * Optional random access (videos are read this way, so a multi-episode mp4 is never loaded whole):
   * `length` bytes from `offset` (fewer at the end), or `undefined` when the file does not exist.
   */
  readRange?(path: string, offset: number, length: number): Promise<Uint8Array | undefined>;
  /** Optional: the file's size in bytes, or `undefined` when it does not exist. */
  size?(path: string): Promise<number | undefined>;
  /** Optional (Node): the file's path on the local disk, for decoders that open files themselves (ffmpeg). */
  localPath?(path: string): string;
}

function normPrefix(prefix: string): string {
  const p = prefix.replace(/^\.?\/+/, "");
  return p === "" || p.endsWith("/") ? p : p + "/";
}

/**
 * A dataset held in memory: a map from root-relative path to bytes or text. Works anywhere
 * (browser, worker, tests). Text values are encoded as UTF-8 when read as bytes.
 */
export function memorySource(files: ReadonlyMap<string, ArrayBuffer | Uint8Array | string> | Record<string, ArrayBuffer | Uint8Array | string>, name = "memory"): DatasetSource {
  const map = new Map<string, ArrayBuffer | Uint8Array | string>(files instanceof Map ? files : Object.entries(files));
  const keyOf = (p: string) => p.replace(/^\.?\/+/, "");
  return {
    name,
    async readText(path) {
      const v = map.get(keyOf(path));
      if (v === undefined) return undefined;
      return typeof v === "string" ? v : new TextDecoder().decode(v);
    },
    async readBytes(path) {
      const v = map.get(keyOf(path));
      if (v === undefined) return undefined;
      if (typeof v === "string") return toArrayBuffer(new TextEncoder().encode(v));
      return v instanceof Uint8Array ? toArrayBuffer(v) : v;
    },
    async list(prefix) {
      const p = normPrefix(prefix);
      return [...map.keys()].filter((k) => k.startsWith(p)).sort();
    },
    async readRange(path, offset, length) {
      const v = map.get(keyOf(path));
      if (v === undefined) return undefined;
      const b = typeof v === "string" ? new TextEncoder().encode(v) : v instanceof Uint8Array ? v : new Uint8Array(v);
      return b.slice(offset, offset + length);
    },
    async size(path) {
      const v = map.get(keyOf(path));
      if (v === undefined) return undefined;
      return typeof v === "string" ? new TextEncoder().encode(v).byteLength : v.byteLength;
    },
  };
}

/**
 * Files served over HTTP below `baseUrl`. HTTP cannot list folders, so give the file list
 * (root-relative paths) yourself, e.g. from a manifest. A 404 reads as "absent".
 */
export function fetchSource(baseUrl: string, paths: readonly string[], fetchFn: typeof fetch = fetch): DatasetSource {
  if (typeof baseUrl !== "string" || baseUrl === "") fail("fetchSource", "baseUrl", `must be a non-empty URL string; got ${describe(baseUrl)}`);
  const base = baseUrl.endsWith("/") ? baseUrl : baseUrl + "/";
  const known = [...paths].map((p) => p.replace(/^\.?\/+/, "")).sort();
  const get = async (path: string): Promise<Response | undefined> => {
    const res = await fetchFn(base + path.replace(/^\.?\/+/, ""));
    if (res.status === 404) return undefined;
    if (!res.ok) throw new Error(`fetchSource: GET ${base + path} failed with HTTP ${res.status}`);
    return res;
  };
  return {
    name: baseUrl,
    async readText(path) {
      const r = await get(path);
      return r === undefined ? undefined : r.text();
    },
    async readBytes(path) {
      const r = await get(path);
      return r === undefined ? undefined : r.arrayBuffer();
    },
    async list(prefix) {
      const p = normPrefix(prefix);
      return known.filter((k) => k.startsWith(p));
    },
    async readRange(path, offset, length) {
      const url = base + path.replace(/^\.?\/+/, "");
      const res = await fetchFn(url, { headers: { Range: `bytes=${offset}-${offset + length - 1}` } });
      if (res.status === 404) return undefined;
      if (!res.ok) throw new Error(`fetchSource: GET ${url} (bytes ${offset}-${offset + length - 1}) failed with HTTP ${res.status}`);
      const b = new Uint8Array(await res.arrayBuffer());
      // A server that ignores Range sends the whole file (200): cut the part asked for.
      return res.status === 206 ? b : b.subarray(offset, offset + length);
    },
    async size(path) {
      const url = base + path.replace(/^\.?\/+/, "");
      const res = await fetchFn(url, { method: "HEAD" });
      if (res.status === 404) return undefined;
      const n = Number(res.headers.get("content-length"));
      if (!res.ok || !Number.isFinite(n)) throw new Error(`fetchSource: HEAD ${url} gave no size (HTTP ${res.status})`);
      return n;
    },
  };
}

/**
 * A dataset folder on the local disk (Node only: `node:fs` is loaded with a dynamic import, so
 * bundles for the browser that never call this do not need it). Throws a `VlaError` naming
 * the folder when it does not exist or is not a directory.
 */
export async function nodeSource(dir: string): Promise<DatasetSource> {
  if (typeof dir !== "string" || dir === "") fail("nodeSource", "dir", `must be a folder path; got ${describe(dir)}`);
  const fs = await import("node:fs/promises");
  const path = await import("node:path");
  const st = await fs.stat(dir).catch(() => undefined);
  if (st === undefined) fail("nodeSource", "dir", `must be an existing folder; ${JSON.stringify(dir)} does not exist`);
  if (!st.isDirectory()) fail("nodeSource", "dir", `must be a folder; ${JSON.stringify(dir)} is a file`);
  const abs = (p: string) => path.join(dir, ...p.replace(/^\.?\/+/, "").split("/"));
  const isMissing = (e: unknown) => {
    const code = (e as { code?: string }).code;
    return code === "ENOENT" || code === "ENOTDIR";
  };
  async function walk(rel: string, out: string[]): Promise<void> {
    let entries;
    try {
      entries = await fs.readdir(abs(rel), { withFileTypes: true });
    } catch (e) {
      if (isMissing(e)) return;
      throw e;
    }
    for (const e of entries) {
      const child = rel === "" ? e.name : `${rel}/${e.name}`;
      if (e.isDirectory()) await walk(child, out);
      else if (e.isFile()) out.push(child);
    }
  }
  return {
    name: dir,
    async readText(p) {
      try {
        return await fs.readFile(abs(p), "utf8");
      } catch (e) {
        if (isMissing(e)) return undefined;
        throw e;
      }
    },
    async readBytes(p) {
      try {
        return toArrayBuffer(await fs.readFile(abs(p)));
      } catch (e) {
        if (isMissing(e)) return undefined;
        throw e;
      }
    },
    async list(prefix) {
      const out: string[] = [];
      await walk(normPrefix(prefix).replace(/\/$/, ""), out);
      return out.sort();
    },
    async readRange(p, offset, length) {
      let fh;
      try {
        fh = await fs.open(abs(p), "r");
      } catch (e) {
        if (isMissing(e)) return undefined;
        throw e;
      }
      try {
        const buf = new Uint8Array(length);
        const { bytesRead } = await fh.read(buf, 0, length, offset);
        return buf.subarray(0, bytesRead);
      } finally {
        await fh.close();
      }
    },
    async size(p) {
      const s = await fs.stat(abs(p)).catch((e: unknown) => {
        if (isMissing(e)) return undefined;
        throw e;
      });
      return s?.isFile() ? s.size : undefined;
    },
    localPath: (p) => path.resolve(abs(p)),
  };
}

/** Copy a byte view into its own ArrayBuffer (Node Buffers share a pool). */
export function toArrayBuffer(bytes: Uint8Array): ArrayBuffer {
  const out = new ArrayBuffer(bytes.byteLength);
  new Uint8Array(out).set(bytes);
  return out;
}
