import type { IncomingMessage, ServerResponse } from "node:http";

/**
 * Answer `req` with `body` the way a static file server does: `Range: bytes=a-b` → 206 with Content-Range (416 when
 * `a` is past the end), no Range → 200 with the whole body. Shared by the tests of the HTTP byte sources.
 */
export function sendWithRange(req: IncomingMessage, res: ServerResponse, body: Buffer): void {
  const m = /^bytes=(\d+)-(\d+)$/.exec(req.headers.range ?? "");
  if (!m) {
    res.writeHead(200, { "Content-Length": body.length }).end(body);
    return;
  }
  const a = Number(m[1]);
  const b = Math.min(Number(m[2]), body.length - 1);
  if (a >= body.length) {
    res.writeHead(416, { "Content-Range": `bytes */${body.length}` }).end();
    return;
  }
  res.writeHead(206, { "Content-Range": `bytes ${a}-${b}/${body.length}`, "Content-Length": b - a + 1 }).end(body.subarray(a, b + 1));
}
