import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { blobSource, bytesSource, nodeFileSource } from "../../src/io/byte-source.js";
import { urlSource } from "../../src/io/url-source.js";
import { sendWithRange } from "./range-server.js";

const DATA = Uint8Array.from({ length: 1000 }, (_, i) => (i * 7 + 3) & 0xff);

describe("bytesSource / blobSource", () => {
  it("read exact ranges and name the source and range when past the end", async () => {
    for (const src of [bytesSource(DATA, "mem.bin"), blobSource(new Blob([DATA]), "blob.bin"), blobSource(new File([DATA], "dropped.bin"))]) {
      expect(await src.size()).toBe(1000);
      expect(Array.from(await src.read(10, 5))).toEqual(Array.from(DATA.subarray(10, 15)));
      expect((await src.read(1000, 0)).length).toBe(0);
      await expect(src.read(990, 20)).rejects.toThrow(new RegExp(`"${src.name}" is truncated: wanted bytes \\[990, 1010\\) but it holds only 1000 bytes`));
      await expect(src.read(-1, 2)).rejects.toThrow(/offset must be a non-negative integer; got -1/);
    }
    expect(blobSource(new File([DATA], "dropped.bin")).name).toBe("dropped.bin");
  });
});

describe("nodeFileSource", () => {
  const dir = mkdtempSync(join(tmpdir(), "vla-bytesrc-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("reads at positions, reports truncation and missing files by path, and closes", async () => {
    const p = join(dir, "a.bin");
    writeFileSync(p, DATA);
    const src = await nodeFileSource(p);
    expect(src.name).toBe(p);
    expect(await src.size()).toBe(1000);
    expect(Array.from(await src.read(997, 3))).toEqual(Array.from(DATA.subarray(997)));
    await expect(src.read(995, 10)).rejects.toThrow(/nodeFileSource.read: ".*a.bin" is truncated: wanted bytes \[995, 1005\) but the file ends at byte 1000/);
    await src.close!();
    await expect(src.read(0, 1)).rejects.toThrow(/was closed \(reading bytes \[0, 1\)\)/);
    await expect(nodeFileSource(join(dir, "nope.bin"))).rejects.toThrow(/nodeFileSource: path must be an existing file; ".*nope.bin" does not exist/);
    await expect(nodeFileSource(dir)).rejects.toThrow(/must be a regular file/);
  });
});

/** A tiny server: /range honours Range, /plain ignores it, /missing is 404. */
function handler(req: IncomingMessage, res: ServerResponse): void {
  const body = Buffer.from(DATA);
  if (req.url === "/missing") {
    res.writeHead(404).end();
    return;
  }
  if (req.url === "/plain") {
    res.writeHead(200, { "Content-Length": body.length }).end(body);
    return;
  }
  sendWithRange(req, res, body);
}

describe("urlSource", () => {
  let server: Server;
  let base = "";
  const requests: string[] = [];
  beforeAll(async () => {
    server = createServer((req, res) => {
      requests.push(`${req.url} ${req.headers.range ?? "-"}`);
      handler(req, res);
    });
    await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
    const addr = server.address();
    base = `http://127.0.0.1:${typeof addr === "object" && addr ? addr.port : 0}`;
  });
  afterAll(() => new Promise<void>((ok) => server.close(() => ok())));

  it("reads ranges with Range requests and learns the size from Content-Range", async () => {
    const src = urlSource(`${base}/range`);
    requests.length = 0;
    expect(await src.size()).toBe(1000);
    expect(Array.from(await src.read(100, 8))).toEqual(Array.from(DATA.subarray(100, 108)));
    expect(requests).toEqual(["/range bytes=0-0", "/range bytes=100-107"]);
    await expect(src.read(996, 10)).rejects.toThrow(/is truncated: wanted bytes \[996, 1006\) but it holds only 1000 bytes/);
  });

  it("reports a range past the end when the size is not yet known", async () => {
    await expect(urlSource(`${base}/range`).read(1200, 4)).rejects.toThrow(/urlSource.read: ".*\/range" is truncated: wanted bytes \[1200, 1204\) but the server refused the range \(HTTP 416; the file holds 1000 bytes\)/);
    await expect(urlSource(`${base}/range`).read(990, 20)).rejects.toThrow(/is truncated: wanted bytes \[990, 1010\) but the server sent 10 bytes/);
  });

  it("downloads once when the server ignores Range and the file is small enough", async () => {
    const src = urlSource(new URL(`${base}/plain`));
    requests.length = 0;
    expect(Array.from(await src.read(5, 4))).toEqual(Array.from(DATA.subarray(5, 9)));
    expect(Array.from(await src.read(900, 100))).toEqual(Array.from(DATA.subarray(900)));
    expect(await src.size()).toBe(1000);
    expect(requests).toEqual(["/plain bytes=5-8"]);
  });

  it("refuses a full download above the limit, naming the URL", async () => {
    const src = urlSource(`${base}/plain`, { maxFullDownloadBytes: 999 });
    await expect(src.read(0, 8)).rejects.toThrow(/urlSource.read: "http:\/\/127.0.0.1:\d+\/plain" ignores HTTP Range requests \(answered 200 to bytes \[0, 8\)\) and is 1000 bytes, above maxFullDownloadBytes = 999/);
  });

  it("names the URL and status on HTTP errors", async () => {
    await expect(urlSource(`${base}/missing`).read(0, 8)).rejects.toThrow(/"http:\/\/127.0.0.1:\d+\/missing" does not exist \(HTTP 404 for bytes \[0, 8\)\)/);
    await expect(urlSource(`${base}/missing`).size()).rejects.toThrow(/does not exist \(HTTP 404 for a size probe/);
    const down = urlSource("http://127.0.0.1:1/x", { fetch: async () => Promise.reject(new Error("connection refused")) });
    await expect(down.read(0, 4)).rejects.toThrow(/could not be fetched \(bytes \[0, 4\)\): connection refused/);
  });
});
