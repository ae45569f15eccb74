import { request } from "node:http";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { urlFolder } from "../../src/io/index.js";
import { ROOT, serveModule, startDemoServer, type DemoServer } from "./page.js";

/** examples/browser/serve.mjs: read-only roots, extra mounts, HEAD and Range, the page's small routes. No browser. */
describe("demo server (examples/browser/serve.mjs)", () => {
  let server: DemoServer;
  let dir: string;
  const bytes = Uint8Array.from({ length: 1000 }, (_, i) => (i * 37) % 256);

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "vla-serve-"));
    writeFileSync(join(dir, "blob.bin"), bytes);
    writeFileSync(join(dir, "config.json"), "{}");
    server = await startDemoServer({ snapshot: dir, mounts: { extra: dir } });
  });
  afterAll(async () => {
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** A raw request (no URL normalisation, so `..` reaches the server as sent). */
  function raw(path: string, method = "GET", headers: Record<string, string> = {}): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }> {
    const u = new URL(server.url);
    return new Promise((ok, bad) => {
      const req = request({ host: u.hostname, port: u.port, path, method, headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => ok({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      });
      req.on("error", bad);
      req.end();
    });
  }

  it("favicon.ico is 204 (no 403 in the console), the demo config names the snapshot", async () => {
    expect((await raw("/favicon.ico")).status).toBe(204);
    const demo = await raw("/@demo.json");
    expect(demo.status).toBe(200);
    expect(JSON.parse(demo.body.toString())).toEqual({ snapshot: "/mnt/snapshot/", mounts: ["extra", "snapshot"] });
  });

  it("serves the page, dist and node_modules; nothing else of the repository; no way out of a mount", async () => {
    expect((await raw("/examples/browser/index.html")).status).toBe(200);
    expect((await raw("/package.json")).status).toBe(403);
    expect((await raw("/src/index.ts")).status).toBe(403);
    expect((await raw("/examples/../package.json")).status).toBe(403);
    expect((await raw("/mnt/extra/%2e%2e/%2e%2e/etc/passwd")).status).toBe(403);
    expect((await raw("/mnt/nope/x")).status).toBe(404);
    expect((await raw("/mnt/extra/missing.bin")).status).toBe(404);
    expect((await raw("/examples/browser/index.html", "POST")).status).toBe(405);
  });

  it("HEAD gives the size without a body; a Range request gets 206 with exactly those bytes", async () => {
    const head = await raw("/mnt/extra/blob.bin", "HEAD");
    expect(head.status).toBe(200);
    expect(head.headers["content-length"]).toBe("1000");
    expect(head.headers["accept-ranges"]).toBe("bytes");
    expect(head.body.length).toBe(0);
    const part = await raw("/mnt/extra/blob.bin", "GET", { Range: "bytes=10-19" });
    expect(part.status).toBe(206);
    expect(part.headers["content-range"]).toBe("bytes 10-19/1000");
    expect([...part.body]).toEqual([...bytes.subarray(10, 20)]);
    const tail = await raw("/mnt/snapshot/blob.bin", "GET", { Range: "bytes=-5" });
    expect([...tail.body]).toEqual([...bytes.subarray(995)]);
    const out = await raw("/mnt/extra/blob.bin", "GET", { Range: "bytes=1000-1005" });
    expect(out.status).toBe(416);
    expect(out.headers["content-range"]).toBe("bytes */1000");
    expect(readFileSync(join(ROOT, "examples", "browser", "index.html")).length).toBe((await raw("/examples/browser/index.html")).body.length);
  });

  it("the io module's urlFolder reads through it with Range requests", async () => {
    const files = urlFolder(`${server.url}mnt/snapshot/`);
    expect(await files.has("blob.bin")).toBe(true);
    expect(await files.has("nope.bin")).toBe(false);
    const src = await files.open("blob.bin");
    expect(await src.size()).toBe(1000);
    expect([...(await src.read(500, 7))]).toEqual([...bytes.subarray(500, 507)]);
    expect(server.requests.some((q) => q.path === "/mnt/snapshot/blob.bin" && q.status === 206 && q.range === "bytes=500-506")).toBe(true);
  });

  it("parseRange: every satisfiable single range lies inside the file and has the asked length", async () => {
    const { parseRange } = await serveModule();
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1e6 }), fc.nat(), fc.nat(), (size, a, n) => {
        const start = a % size;
        const end = start + (n % 1000);
        const r = parseRange(`bytes=${start}-${end}`, size);
        expect(r).toEqual({ start, end: Math.min(end, size - 1) });
        expect(parseRange(`bytes=${size + a}-`, size)).toBe("unsatisfiable");
      }),
    );
    expect(parseRange(undefined, 10)).toBeNull();
    expect(parseRange("bytes=0-1,4-5", 10)).toBeNull(); // multi-range: the whole file (allowed by RFC 9110)
    expect(parseRange("bytes=5-2", 10)).toBe("unsatisfiable");
  });
});
