#!/usr/bin/env node
// Tiny static server for the browser demo, bound to 127.0.0.1 only.
//
//   node examples/browser/serve.mjs [--port 8123]     then open http://127.0.0.1:8123/
//
// It serves the package root read-only (dist/, node_modules/, assets/, examples/browser/) and one
// extra route, /@cjs/<package> (and /@cjs-file/<path>), that wraps a CommonJS file (fft.js,
// seedrandom) as an ES module so the page's import map can point bare imports at it: the file's
// source runs inside a function with module/exports/require, its literal require() calls become
// imports of the wrapped dependencies, and its export names are found by loading it once in Node.
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
  ".map": "application/json; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".txt": "text/plain; charset=utf-8",
};

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

async function handle(req, res) {
  const url = new URL(req.url ?? "/", "http://127.0.0.1");
  const path = decodeURIComponent(url.pathname);
  const send = (code, body, type = "text/plain; charset=utf-8") => {
    res.writeHead(code, { "content-type": type, "cache-control": "no-store" });
    res.end(body);
  };
  if (path === "/" || path === "/index.html") {
    res.writeHead(302, { location: "/examples/browser/index.html" + url.search });
    return res.end();
  }
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
  const file = resolve(ROOT, "." + path);
  const top = relative(ROOT, file).split(sep)[0];
  if (!file.startsWith(ROOT + sep) || !ALLOWED.includes(top)) return send(403, "forbidden");
  const st = await stat(file).catch(() => undefined);
  if (!st || !st.isFile()) return send(404, `not found: ${path}`);
  send(200, await readFile(file), TYPES[extname(file)] ?? "application/octet-stream");
}

/**
 * Start the server on 127.0.0.1 (`port` 0 picks a free one).
 * @returns {Promise<{ url: string, port: number, close: () => Promise<void> }>}
 */
export function startServer({ port = 0, host = "127.0.0.1" } = {}) {
  const server = createServer((req, res) => {
    handle(req, res).catch((e) => {
      res.writeHead(500, { "content-type": "text/plain" });
      res.end(String(e?.stack ?? e));
    });
  });
  return new Promise((ok, bad) => {
    server.once("error", bad);
    server.listen(port, host, () => {
      const addr = server.address();
      const p = typeof addr === "object" && addr ? addr.port : port;
      ok({ url: `http://${host}:${p}/`, port: p, close: () => new Promise((done) => server.close(() => done())) });
    });
  });
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const i = process.argv.indexOf("--port");
  const port = i > 0 ? Number(process.argv[i + 1]) : 8123;
  const { url } = await startServer({ port });
  console.log(`vla-primitives browser demo: ${url}  (serving ${ROOT}; Ctrl-C to stop)`);
}
