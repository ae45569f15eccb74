import { describe, fail } from "../core/index.js";
import { blobSource, bytesSource, nodeFileSource, type ByteSource } from "./byte-source.js";
import { urlSource, type UrlSourceOptions } from "./url-source.js";

/**
 * The files of a model snapshot (a Hugging Face repo folder): paths are relative to the snapshot root
 * and use `/` (`config.json`, `model-00001-of-00002.safetensors`). {@link openCheckpoint} and the
 * config / tokenizer loaders only talk to this, so the same code reads a folder on disk
 * ({@link nodeFolder}) or files a page holds ({@link fileMap}). Errors name the path and `describe`.
 */
export interface FileProvider {
  /** What this is, for messages: `folder "/models/x"`, `file map (7 files)`. */
  readonly describe: string;
  has(path: string): Promise<boolean>;
  /** Random access to one file; a missing file throws a `VlaError` naming the path and the provider. */
  open(path: string): Promise<ByteSource>;
  /** The whole file as UTF-8 text; a missing file throws like {@link FileProvider.open}. */
  readText(path: string): Promise<string>;
}

/**
 * Normalise a snapshot-relative path: `./a//b` → `a/b`. Absolute paths, `..` segments, backslashes
 * and NUL are rejected, so no path can leave the snapshot root.
 */
export function snapshotPath(fn: string, provider: string, path: string): string {
  if (typeof path !== "string" || path === "") fail(fn, "path", `must be a non-empty path relative to the snapshot root (${provider}); got ${describe(path)}`);
  if (path.startsWith("/") || /^[a-zA-Z]:/.test(path) || path.includes("\\") || path.includes("\0")) {
    fail(fn, "path", `must be a relative path with "/" separators inside ${provider}; got ${JSON.stringify(path)}`);
  }
  const parts = path.split("/").filter((p) => p !== "" && p !== ".");
  if (parts.includes("..")) fail(fn, "path", `must stay inside ${provider} (no ".." segments); got ${JSON.stringify(path)}`);
  if (parts.length === 0) fail(fn, "path", `must name a file inside ${provider}; got ${JSON.stringify(path)}`);
  return parts.join("/");
}

function missing(fn: string, path: string, provider: string, extra = ""): never {
  return fail(fn, JSON.stringify(path), `is missing from ${provider}${extra}`);
}

/**
 * A snapshot folder on the local disk (Node only; `node:fs` is imported on first use). Files are
 * opened with {@link nodeFileSource} (positioned reads, never loaded whole); close them when done.
 */
export function nodeFolder(dir: string): FileProvider {
  if (typeof dir !== "string" || dir === "") fail("nodeFolder", "dir", `must be a folder path; got ${describe(dir)}`);
  const provider = `folder ${JSON.stringify(dir)}`;
  const resolve = async (fn: string, p: string) => {
    const rel = snapshotPath(fn, provider, p);
    const path = await import("node:path");
    return { rel, abs: path.join(path.resolve(dir), ...rel.split("/")) };
  };
  const isFile = async (abs: string) => {
    const fs = await import("node:fs/promises");
    return (await fs.stat(abs).catch(() => undefined))?.isFile() ?? false;
  };
  const whyMissing = async () => {
    const fs = await import("node:fs/promises");
    const st = await fs.stat(dir).catch(() => undefined);
    return st === undefined ? " (the folder does not exist)" : st.isDirectory() ? "" : " (it is not a folder)";
  };
  return {
    describe: provider,
    async has(p) {
      return isFile((await resolve("nodeFolder.has", p)).abs);
    },
    async open(p) {
      const { rel, abs } = await resolve("nodeFolder.open", p);
      if (!(await isFile(abs))) missing("nodeFolder.open", rel, provider, await whyMissing());
      return nodeFileSource(abs);
    },
    async readText(p) {
      const { rel, abs } = await resolve("nodeFolder.readText", p);
      if (!(await isFile(abs))) missing("nodeFolder.readText", rel, provider, await whyMissing());
      const fs = await import("node:fs/promises");
      return fs.readFile(abs, "utf8");
    },
  };
}

/** What {@link fileMap} accepts per file: dropped files, bytes, or a URL to fetch with `Range`. */
export type FileMapValue = Blob | Uint8Array | string | URL;

/**
 * A snapshot held by the page (or a test): keys are snapshot-relative paths, values a `File` / `Blob`,
 * bytes, or a URL (`string` or `URL`, read with {@link urlSource}; `options` go to it).
 */
export function fileMap(map: ReadonlyMap<string, FileMapValue> | Record<string, FileMapValue>, options: UrlSourceOptions & { name?: string } = {}): FileProvider {
  if (map === null || typeof map !== "object") fail("fileMap", "map", `must be a Map or an object { path: File | Blob | Uint8Array | URL }; got ${describe(map)}`);
  const entries = map instanceof Map ? [...map.entries()] : Object.entries(map);
  const provider = options.name ?? `file map (${entries.length} file${entries.length === 1 ? "" : "s"})`;
  const files = new Map<string, FileMapValue>();
  for (const [k, v] of entries) {
    const key = snapshotPath("fileMap", provider, k);
    const ok = v instanceof Uint8Array || v instanceof URL || typeof v === "string" || (typeof Blob !== "undefined" && v instanceof Blob);
    if (!ok) fail("fileMap", `map[${JSON.stringify(k)}]`, `must be a File, Blob, Uint8Array or URL; got ${describe(v)}`);
    if (files.has(key)) fail("fileMap", `map[${JSON.stringify(k)}]`, `names the same file as another key (${JSON.stringify(key)})`);
    files.set(key, v);
  }
  const lookup = (fn: string, p: string): [string, FileMapValue] => {
    const rel = snapshotPath(fn, provider, p);
    const v = files.get(rel);
    return v === undefined ? missing(fn, rel, provider) : [rel, v];
  };
  return {
    describe: provider,
    async has(p) {
      return files.has(snapshotPath("fileMap.has", provider, p));
    },
    async open(p) {
      const [rel, v] = lookup("fileMap.open", p);
      if (v instanceof Uint8Array) return bytesSource(v, rel);
      if (typeof v === "string" || v instanceof URL) return urlSource(v, options);
      return blobSource(v, rel);
    },
    async readText(p) {
      const [rel, v] = lookup("fileMap.readText", p);
      if (v instanceof Uint8Array) return new TextDecoder().decode(v);
      if (typeof v === "string" || v instanceof URL) {
        const src = urlSource(v, options);
        return new TextDecoder().decode(await src.read(0, await src.size()));
      }
      return v.text().catch((e: Error) => fail("fileMap.readText", JSON.stringify(rel), `could not be read from ${provider}: ${e.message}`));
    },
  };
}

/**
 * A snapshot served over HTTP below `baseUrl` (e.g. `https://huggingface.co/<org>/<repo>/resolve/main/`).
 * `has` asks with `HEAD` (a 404 or 410 reads as absent; a server that refuses HEAD is asked with a
 * one-byte range GET); files are opened with {@link urlSource} (Range reads) and `options` go to it.
 */
export function urlFolder(baseUrl: string | URL, options: UrlSourceOptions = {}): FileProvider {
  if (!(baseUrl instanceof URL) && (typeof baseUrl !== "string" || baseUrl === "")) fail("urlFolder", "baseUrl", `must be a URL or a non-empty URL string; got ${describe(baseUrl)}`);
  const base = String(baseUrl).endsWith("/") ? String(baseUrl) : `${String(baseUrl)}/`;
  const provider = `URL folder ${JSON.stringify(base)}`;
  const fetchFn = options.fetch ?? globalThis.fetch;
  const urlOf = (fn: string, p: string) => base + snapshotPath(fn, provider, p).split("/").map(encodeURIComponent).join("/");
  const ask = async (fn: string, url: string, init: RequestInit): Promise<Response> => {
    try {
      return await fetchFn(url, { ...init, headers: { ...options.headers, ...(init.headers as Record<string, string> | undefined) } });
    } catch (e) {
      return fail(fn, JSON.stringify(url), `could not be fetched: ${(e as Error).message}`);
    }
  };
  const has = async (p: string): Promise<boolean> => {
    const url = urlOf("urlFolder.has", p);
    let res = await ask("urlFolder.has", url, { method: "HEAD" });
    if (res.status === 405 || res.status === 501) res = await ask("urlFolder.has", url, { headers: { Range: "bytes=0-0" } });
    void res.body?.cancel();
    if (res.ok) return true;
    if (res.status === 404 || res.status === 410) return false;
    return fail("urlFolder.has", JSON.stringify(url), `answered HTTP ${res.status}${res.status === 401 || res.status === 403 ? " (pass an Authorization header in options.headers for a private repo)" : ""}`);
  };
  return {
    describe: provider,
    has,
    async open(p) {
      if (!(await has(p))) missing("urlFolder.open", snapshotPath("urlFolder.open", provider, p), provider);
      return urlSource(urlOf("urlFolder.open", p), options);
    },
    async readText(p) {
      const url = urlOf("urlFolder.readText", p);
      const res = await ask("urlFolder.readText", url, {});
      if (res.status === 404 || res.status === 410) {
        void res.body?.cancel();
        missing("urlFolder.readText", snapshotPath("urlFolder.readText", provider, p), provider, ` (HTTP ${res.status} for ${url})`);
      }
      if (!res.ok) {
        void res.body?.cancel();
        fail("urlFolder.readText", JSON.stringify(url), `answered HTTP ${res.status}`);
      }
      return res.text();
    },
  };
}
