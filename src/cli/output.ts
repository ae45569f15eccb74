import { UsageError } from "./cli-io.js";

/*
 * Output paths given on the command line, checked before any work is done. Folders are created one level at a
 * time: node's `mkdir(..., { recursive: true })` never returns for a path under /proc (it retries the parent
 * forever), and a failure should name the flag and the path, not show a stack trace.
 */

function why(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  const msg = code === "ENOENT" ? "no such folder" : code === "EACCES" || code === "EPERM" ? "permission denied" : code === "EROFS" ? "read-only file system" : code === "ENOTDIR" ? "a parent is a file" : (code ?? (e as Error).message);
  return msg;
}

/** Create folder `dir` and its missing parents, one `mkdir` each; errors name `flag` and `shown` (default `dir`). */
export async function makeOutDir(cmd: string, flag: string, dir: string, shown = dir): Promise<void> {
  const fs = await import("node:fs/promises");
  const path = await import("node:path");
  const abs = path.resolve(dir);
  const missing: string[] = [];
  for (let p = abs; ; p = path.dirname(p)) {
    const st = await fs.stat(p).catch(() => undefined);
    if (st) {
      if (!st.isDirectory()) throw new UsageError(`${cmd}: ${flag} ${JSON.stringify(shown)} cannot be created: ${p === abs && shown === dir ? "it is an existing file" : `${JSON.stringify(p)} is a file`}`);
      break;
    }
    missing.unshift(p);
    if (path.dirname(p) === p) break;
  }
  for (const p of missing) {
    try {
      await fs.mkdir(p);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "EEXIST") continue;
      throw new UsageError(`${cmd}: ${flag} ${JSON.stringify(shown)} cannot be created (${why(e)} at ${JSON.stringify(p)})`);
    }
  }
}

/**
 * Check that `file` can be written: not a folder, its folder exists or can be made, and, unless `overwrite`, it
 * does not exist yet (the message points to `--force`). Call before the work so a bad path fails at once.
 */
export async function checkOutFile(cmd: string, flag: string, file: string, opts: { overwrite: boolean }): Promise<void> {
  if (typeof file !== "string" || file === "") throw new UsageError(`${cmd}: ${flag} needs a file path`);
  const fs = await import("node:fs/promises");
  const path = await import("node:path");
  const st = await fs.stat(file).catch(() => undefined);
  if (st?.isDirectory()) throw new UsageError(`${cmd}: ${flag} ${JSON.stringify(file)} is a folder; give a file path`);
  if (st && !opts.overwrite) throw new UsageError(`${cmd}: ${flag} ${JSON.stringify(file)} already exists; pass --force to overwrite it`);
  await makeOutDir(cmd, flag, path.dirname(path.resolve(file)), file);
}

/** Write `text` to `file`; failures name the flag and the path. */
export async function writeOutFile(cmd: string, flag: string, file: string, text: string): Promise<void> {
  const fs = await import("node:fs/promises");
  try {
    await fs.writeFile(file, text, "utf8");
  } catch (e) {
    throw new UsageError(`${cmd}: ${flag} ${JSON.stringify(file)} cannot be written (${why(e)})`);
  }
}

/** An output file written piece by piece (JSON lines); `write` waits when the disk is slower than the producer. */
export interface OutStream {
  write(text: string): Promise<void>;
  close(): Promise<void>;
}

/** Open `file` for streaming writes (after {@link checkOutFile}). */
export async function openOutStream(cmd: string, flag: string, file: string): Promise<OutStream> {
  const fs = await import("node:fs");
  const stream = fs.createWriteStream(file, { encoding: "utf8" });
  let failure: Error | null = null;
  const opened = new Promise<void>((resolve, reject) => {
    stream.once("open", () => resolve());
    stream.once("error", (e) => reject(e));
  });
  try {
    await opened;
  } catch (e) {
    throw new UsageError(`${cmd}: ${flag} ${JSON.stringify(file)} cannot be written (${why(e)})`);
  }
  stream.on("error", (e) => (failure = e));
  const check = () => {
    if (failure) throw new UsageError(`${cmd}: ${flag} ${JSON.stringify(file)}: write failed (${why(failure)})`);
  };
  return {
    async write(text) {
      check();
      if (!stream.write(text)) await new Promise<void>((r) => stream.once("drain", () => r()));
      check();
    },
    async close() {
      await new Promise<void>((r) => stream.end(() => r()));
      check();
    },
  };
}
