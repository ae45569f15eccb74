import { describe, fail } from "../core/index.js";

/**
 * Random access to the bytes of one file, wherever it lives: memory ({@link bytesSource}), a `Blob` /
 * `File` in a page ({@link blobSource}), an HTTP server that honours `Range` ({@link urlSource}), or a
 * file on disk ({@link nodeFileSource}). Readers such as {@link openSafetensors} fetch only the ranges
 * they need, so a multi-gigabyte checkpoint never has to be held whole.
 */
export interface ByteSource {
  /** A human-readable name for error messages (a path, a URL, a file name). */
  readonly name: string;
  /** Size of the file in bytes. */
  size(): Promise<number>;
  /**
   * Exactly `length` bytes starting at `offset`; a range that runs past the end of the file throws a
   * `VlaError` naming the source and the range. The result may be a view; do not write into it.
   */
  read(offset: number, length: number): Promise<Uint8Array>;
  /** Release the underlying handle (a file descriptor); later reads throw. */
  close?(): Promise<void>;
}

/** `[a, b)` as text for messages. */
export function byteRange(offset: number, length: number): string {
  return `bytes [${offset}, ${offset + length})`;
}

/** Validate a read request and that it fits a source of `size` bytes. */
export function checkRange(fn: string, name: string, offset: number, length: number, size?: number): void {
  if (!Number.isSafeInteger(offset) || offset < 0) fail(fn, "offset", `must be a non-negative integer; got ${describe(offset)} (reading ${JSON.stringify(name)})`);
  if (!Number.isSafeInteger(length) || length < 0) fail(fn, "length", `must be a non-negative integer; got ${describe(length)} (reading ${JSON.stringify(name)})`);
  if (size !== undefined && offset + length > size) {
    fail(fn, JSON.stringify(name), `is truncated: wanted ${byteRange(offset, length)} but it holds only ${size} bytes`);
  }
}

/** Bytes already in memory. Reads are views into `bytes` (no copy). */
export function bytesSource(bytes: Uint8Array, name = "bytes"): ByteSource {
  if (!(bytes instanceof Uint8Array)) fail("bytesSource", "bytes", `must be a Uint8Array; got ${describe(bytes)}`);
  return {
    name,
    size: async () => bytes.length,
    read: async (offset, length) => {
      checkRange("bytesSource.read", name, offset, length, bytes.length);
      return bytes.subarray(offset, offset + length);
    },
  };
}

/** A `Blob` or `File` (a dropped file in a page): each read is `blob.slice(a, b).arrayBuffer()`. */
export function blobSource(blob: Blob, name?: string): ByteSource {
  if (typeof Blob === "undefined" || !(blob instanceof Blob)) fail("blobSource", "blob", `must be a Blob or File; got ${describe(blob)}`);
  const label = name ?? (typeof File !== "undefined" && blob instanceof File ? blob.name : "blob");
  return {
    name: label,
    size: async () => blob.size,
    read: async (offset, length) => {
      checkRange("blobSource.read", label, offset, length, blob.size);
      const out = new Uint8Array(await blob.slice(offset, offset + length).arrayBuffer());
      if (out.length !== length) fail("blobSource.read", JSON.stringify(label), `returned ${out.length} bytes for ${byteRange(offset, length)}`);
      return out;
    },
  };
}

/** Node reads at most this much per call (the kernel and libuv cap a single read near 2 GiB). */
const NODE_CHUNK = 1 << 30;

/**
 * A file on the local disk, read at positions through one `fs/promises` FileHandle (never loaded
 * whole, so files over 2 GiB work). Node only: `node:fs` is imported when this is called. Throws a
 * `VlaError` naming the path when it does not exist or is a folder. Call `close()` when done.
 */
export async function nodeFileSource(path: string): Promise<ByteSource> {
  const fn = "nodeFileSource";
  if (typeof path !== "string" || path === "") fail(fn, "path", `must be a file path; got ${describe(path)}`);
  const fs = await import("node:fs/promises");
  let fh: import("node:fs/promises").FileHandle | undefined;
  try {
    fh = await fs.open(path, "r");
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === "ENOENT" || code === "ENOTDIR") fail(fn, "path", `must be an existing file; ${JSON.stringify(path)} does not exist`);
    fail(fn, "path", `could not be opened: ${JSON.stringify(path)} (${code ?? (e as Error).message})`);
  }
  const st = await fh.stat();
  if (!st.isFile()) {
    await fh.close();
    fail(fn, "path", `must be a regular file; ${JSON.stringify(path)} is not`);
  }
  let handle: typeof fh | undefined = fh;
  return {
    name: path,
    size: async () => {
      if (!handle) fail("nodeFileSource.size", JSON.stringify(path), "was closed");
      return (await handle.stat()).size;
    },
    read: async (offset, length) => {
      const rfn = "nodeFileSource.read";
      checkRange(rfn, path, offset, length);
      if (!handle) fail(rfn, JSON.stringify(path), `was closed (reading ${byteRange(offset, length)})`);
      const out = new Uint8Array(length);
      let done = 0;
      while (done < length) {
        const want = Math.min(NODE_CHUNK, length - done);
        const { bytesRead } = await handle.read(out, done, want, offset + done);
        if (bytesRead === 0) fail(rfn, JSON.stringify(path), `is truncated: wanted ${byteRange(offset, length)} but the file ends at byte ${offset + done}`);
        done += bytesRead;
      }
      return out;
    },
    close: async () => {
      const h = handle;
      handle = undefined;
      if (h) await h.close();
    },
  };
}
