#!/usr/bin/env node
// Tiny static server for the browser demo, bound to 127.0.0.1 only.
//
//   node examples/browser/serve.mjs [--port 8123] [--snapshot DIR] [--mount NAME=DIR]...
//
// then open http://127.0.0.1:8123/. It serves the package root read-only (dist/, node_modules/, assets/,
// examples/), answers HEAD and single HTTP Range requests (206 + Content-Range, as MolmoAct2.fromPretrained's
// URL reads expect), and has three extra routes:
// - /@cjs/<package> (and /@cjs-file/<path>): wraps a CommonJS file (fft.js, seedrandom) as an ES module so the
//   page's import map can point bare imports at it: the file's source runs inside a function with
//   module/exports/require, its literal require() calls become imports of the wrapped dependencies, and its
//   export names are found by loading it once in Node;
// - /mnt/<name>/...: an extra read-only folder (`--mount NAME=DIR`; `--snapshot DIR` mounts a Hugging Face
//   snapshot as /mnt/snapshot/ and tells the page about it);
// - /@demo.json: what the page may offer ({ snapshot: "/mnt/snapshot/" | null, mounts: [names] }).
// /favicon.ico is answered with 204 (the page declares no icon).
import { createReadStream, existsSync } from "node:fs";
import { createServer } from "node:http";
import { readFile, stat } from "node:fs/promises";
import { createRequire, isBuiltin } from "node:module";
import { dirname, extname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const HERE = dirname(fileURLToPath(import.meta.url));
export const ROOT = resolve(HERE, "..", "..");
const ALLOWED = ["dist", "node_modules", "assets", "examples"];
const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".cjs": "text/javascript; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".wasm": "application/wasm",
  ".png": "image/png",
  ".svg": "image/svg+xml",
  ".map": "application/json; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".txt": "text/plain; charset=utf-8",
  ".md": "text/plain; charset=utf-8",
};
const MOUNT_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

const IDENT = /^[A-Za-z_$][\w$]*$/;
const RESERVED = new Set(["default", "module", "exports", "require", "__esModule"]);

/** Wrap the CommonJS file at absolute path `file` as ES module source. */
async function wrapCommonJs(file) {
  const src = await readFile(file, "utf8");
  const req = createRequire(file);
  const deps = [];
  const seen = new Map();
  const code = src.replace(/\/\*[\s\S]*?\*\//g, "").replace(/(^|[^:])\/\/.*$/gm, "$1"); // ignore require() in comments
  for (const m of code.matchAll(/\brequire\(\s*(['"])([^'"]+)\1\s*\)/g)) {
    const spec = m[2];
    if (seen.has(spec) || isBuiltin(spec)) continue;
    let target;
    try {
      target = req.resolve(spec);
    } catch {
      continue; // optional dependency: require() will throw at run time, as in Node
    }
    if (target === file) continue;
    seen.set(spec, `__dep${deps.length}`);
    deps.push(`import __dep${deps.length} from "/@cjs-file/${relative(ROOT, target).split(sep).join("/")}";`);
  }
  let names = [];
  try {
    const exp = req(file);
    if (exp && (typeof exp === "object" || typeof exp === "function")) names = Object.keys(exp).filter((k) => IDENT.test(k) && !RESERVED.has(k));
  } catch {
    names = [];
  }
  const table = [...seen].map(([spec, id]) => `${JSON.stringify(spec)}: ${id}`).join(", ");
  return [
    ...deps,
    `const __deps = { ${table} };`,
    `function require(name) { if (name in __deps) return __deps[name]; throw new Error("require(" + JSON.stringify(name) + ") is not available in the browser"); }`,
    `const module = { exports: {} };`,
    `(function (module, exports, require) {`,
    src,
    `\n}).call(module.exports, module, module.exports, require);`,
    `export default module.exports;`,
    ...(names.length ? [`export const { ${names.join(", ")} } = module.exports;`] : []),
  ].join("\n");
}

/**
 * The byte range of a `Range` header for a file of `size` bytes: `{ start, end }` (inclusive), `null` when the
 * header is absent or not a single `bytes=` range (then the whole file is sent, as RFC 9110 allows), or
 * `"unsatisfiable"` (416).
 */
export function parseRange(header, size) {
  if (typeof header !== "string") return null;
  const m = /^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$/.exec(header);
  if (!m || (m[1] === "" && m[2] === "")) return null;
  if (m[1] === "") {
    const n = Number(m[2]); // suffix range: the last n bytes
    if (n === 0 || size === 0) return "unsatisfiable";
    return { start: Math.max(0, size - n), end: size - 1 };
  }
  const start = Number(m[1]);
  const end = m[2] === "" ? size - 1 : Math.min(Number(m[2]), size - 1);
  if (start >= size || end < start) return "unsatisfiable";
  return { start, end };
}

/** Send one file (HEAD: headers only), honouring a single byte range. */
function sendFile(req, res, file, size) {
  const type = TYPES[extname(file).toLowerCase()] ?? "application/octet-stream";
  const base = { "content-type": type, "cache-control": "no-store", "accept-ranges": "bytes" };
  const range = parseRange(req.headers.range, size);
  if (range === "unsatisfiable") {
    res.writeHead(416, { ...base, "content-range": `bytes */${size}`, "content-length": 0 });
    return res.end();
  }
  const { start, end } = range ?? { start: 0, end: size - 1 };
  const length = size === 0 ? 0 : end - start + 1;
  const headers = { ...base, "content-length": length };
  if (range) headers["content-range"] = `bytes ${start}-${end}/${size}`;
  res.writeHead(range ? 206 : 200, headers);
  if (req.method === "HEAD" || length === 0) return res.end();
  const stream = createReadStream(file, { start, end });
  stream.on("error", (e) => res.destroy(e));
  stream.pipe(res);
}

/** `path` inside `dir`, or null when it would leave it. */
function inside(dir, path) {
  const file = resolve(dir, "." + path);
  return file === dir || file.startsWith(dir + sep) ? file : null;
}

function makeHandler(mounts, snapshot, log) {
  return async function handle(req, res) {
    if (log) res.on("finish", () => log({ method: req.method, path: req.url ?? "", status: res.statusCode, range: req.headers.range ?? null }));
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    let path;
    try {
      path = decodeURIComponent(url.pathname);
    } catch {
      path = "\0";
    }
    const send = (code, body, type = "text/plain; charset=utf-8") => {
      res.writeHead(code, { "content-type": type, "cache-control": "no-store" });
      res.end(body);
    };
    if (req.method !== "GET" && req.method !== "HEAD") return send(405, "read-only server: GET and HEAD only");
    if (path.includes("\0")) return send(400, "bad path");
    if (path === "/" || path === "/index.html") {
      res.writeHead(302, { location: "/examples/browser/index.html" + url.search });
      return res.end();
    }
    if (path === "/favicon.ico") {
      res.writeHead(204, { "cache-control": "max-age=86400" });
      return res.end();
    }
    if (path === "/@demo.json") return send(200, JSON.stringify({ snapshot, mounts: [...mounts.keys()] }), TYPES[".json"]);
    if (path.startsWith("/@cjs/") || path.startsWith("/@cjs-file/")) {
      let file;
      try {
        file = path.startsWith("/@cjs/") ? createRequire(join(ROOT, "package.json")).resolve(path.slice(6)) : resolve(ROOT, path.slice(11));
      } catch {
        return send(404, `cannot resolve ${path}`);
      }
      if (!file.startsWith(join(ROOT, "node_modules") + sep)) return send(403, "forbidden");
      return send(200, await wrapCommonJs(file), TYPES[".js"]);
    }
    let file;
    const mount = /^\/mnt\/([^/]+)(\/.*)?$/.exec(path);
    if (mount) {
      const dir = mounts.get(mount[1]);
      if (!dir) return send(404, `no mount named ${mount[1]}`);
      file = inside(dir, mount[2] ?? "/");
      if (!file) return send(403, "forbidden");
    } else {
      file = inside(ROOT, path);
      const top = file ? relative(ROOT, file).split(sep)[0] : "";
      if (!file || !ALLOWED.includes(top)) return send(403, "forbidden");
    }
    const st = await stat(file).catch(() => undefined);
    if (!st || !st.isFile()) return send(404, `not found: ${path}`);
    sendFile(req, res, file, st.size);
  };
}

/**
 * Start the server on 127.0.0.1 (`port` 0 picks a free one). `mounts`: `{ name: folder }` served read-only
 * under `/mnt/<name>/`; `snapshot`: a folder holding a Hugging Face MolmoAct2 snapshot (mounted as
 * `snapshot`) or the URL path of one inside a mount (`"/mnt/fixtures/molmoact2-tiny/"`); the page offers it.
 * `log`: called with `{ method, path, status, range }` after each answer (tests use it).
 * @returns {Promise<{ url: string, port: number, snapshot: string | null, close: () => Promise<void> }>}
 */
export function startServer({ port = 0, host = "127.0.0.1", mounts = {}, snapshot, log } = {}) {
  const table = new Map();
  for (const [name, dir] of Object.entries(mounts)) {
    if (!MOUNT_NAME.test(name)) throw new Error(`startServer: mount name ${JSON.stringify(name)} must be letters, digits, '.', '_' or '-'`);
    table.set(name, resolve(dir));
  }
  let snapshotUrl = null;
  if (typeof snapshot === "string" && snapshot.startsWith("/mnt/")) snapshotUrl = snapshot.endsWith("/") ? snapshot : `${snapshot}/`;
  else if (typeof snapshot === "string" && snapshot !== "") {
    table.set("snapshot", resolve(snapshot));
    snapshotUrl = "/mnt/snapshot/";
  }
  const handle = makeHandler(table, snapshotUrl, log);
  const server = createServer((req, res) => {
    handle(req, res).catch((e) => {
      if (res.headersSent) return res.destroy(e);
      res.writeHead(500, { "content-type": "text/plain" });
      res.end(String(e?.stack ?? e));
    });
  });
  return new Promise((ok, bad) => {
    server.once("error", bad);
    server.listen(port, host, () => {
      const addr = server.address();
      const p = typeof addr === "object" && addr ? addr.port : port;
      ok({
        url: `http://${host}:${p}/`,
        port: p,
        snapshot: snapshotUrl,
        close: () =>
          new Promise((done) => {
            server.closeAllConnections?.();
            server.close(() => done());
          }),
      });
    });
  });
}

function cliOptions(argv) {
  const opts = { port: 8123, mounts: {} };
  for (let i = 2; i < argv.length; i++) {
    const a = argv[i];
    const next = () => {
      if (i + 1 >= argv.length) throw new Error(`serve.mjs: ${a} needs a value`);
      return argv[++i];
    };
    if (a === "--port") opts.port = Number(next());
    else if (a === "--snapshot") opts.snapshot = next();
    else if (a === "--mount") {
      const [name, ...dir] = next().split("=");
      if (!dir.length) throw new Error(`serve.mjs: --mount wants NAME=DIR; got ${JSON.stringify(argv[i])}`);
      opts.mounts[name] = dir.join("=");
    } else throw new Error(`serve.mjs: unknown argument ${JSON.stringify(a)} (use --port N, --snapshot DIR, --mount NAME=DIR)`);
  }
  if (opts.snapshot !== undefined && !existsSync(join(opts.snapshot, "config.json"))) throw new Error(`serve.mjs: --snapshot ${opts.snapshot} holds no config.json (want a Hugging Face MolmoAct2 snapshot folder)`);
  for (const [name, dir] of Object.entries(opts.mounts)) if (!existsSync(dir)) throw new Error(`serve.mjs: --mount ${name}=${dir}: no such folder`);
  if (!Number.isInteger(opts.port) || opts.port < 0 || opts.port > 65535) throw new Error(`serve.mjs: --port must be 0..65535; got ${argv[argv.indexOf("--port") + 1]}`);
  return opts;
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  let opts;
  try {
    opts = cliOptions(process.argv);
  } catch (e) {
    console.error(e.message);
    process.exit(2);
  }
  const { url, snapshot } = await startServer(opts);
  console.log(`vla-primitives browser demo: ${url}  (serving ${ROOT}${snapshot ? `; snapshot at ${snapshot}` : ""}; Ctrl-C to stop)`);
}
