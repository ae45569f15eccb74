import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { existsSync, mkdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import type { Browser } from "puppeteer-core";
import { CHROMIUM_ARGS, findChromium, freshProfile } from "./chromium.js";
import { maxAbsDiff } from "../util.js";

const ROOT = resolve(import.meta.dirname, "..", "..");
const chromium = findChromium();
const built = existsSync(join(ROOT, "dist", "model", "index.js")) && existsSync(join(ROOT, "dist", "tokenizer", "index.js"));
if (!chromium) {
  console.warn("[browser.test] SKIPPED: no Chromium found (set CHROMIUM_PATH or run scripts/setup-browser.sh to apt-get install chromium)");
}

type PageResult = {
  ok: boolean;
  error?: string;
  backend: string;
  adapter: { vendor: string; architecture: string } | null;
  depth: { mask: number[]; changedCount: number };
  trajectory: { tokens: number[]; roundTripMaxAbsError: number };
  policy: { kind: string };
  chunk: number[][];
  normalized: number[][];
  numTensors: number;
};

const dist = (m: string) => import(pathToFileURL(join(ROOT, "dist", m, "index.js")).href);


describe.skipIf(!chromium)("browser demo in headless Chromium (examples/browser)", () => {
  let browser: Browser;
  let server: { url: string; close: () => Promise<void> };
  let reference: PageResult;
  const profiles: string[] = [];
  const outDir = join(tmpdir(), "vla-browser-test");

  beforeAll(async () => {
    if (!built) throw new Error("dist/ is not built: run `npx tsup` (npm test builds first)");
    // Node reference: the same pipeline on the built package, tfjs cpu backend.
    const [core, depth, tokenizer, nn, model, flow] = await Promise.all(["core", "depth", "tokenizer", "nn", "model", "flow"].map(dist));
    await nn.useBackend("cpu");
    const { runPipeline } = await import(pathToFileURL(join(ROOT, "examples", "browser", "pipeline.js")).href);
    reference = await runPipeline({ core, depth, tokenizer, model, flow }, await tokenizer.loadFastPlus());
    const { startServer } = await import(pathToFileURL(join(ROOT, "examples", "browser", "serve.mjs")).href);
    server = await startServer();
    const puppeteer = (await import("puppeteer-core")).default;
    const profile = freshProfile();
    profiles.push(profile);
    browser = await puppeteer.launch({ executablePath: chromium!, headless: true, userDataDir: profile, args: CHROMIUM_ARGS });
    mkdirSync(outDir, { recursive: true });
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    for (const p of profiles) rmSync(p, { recursive: true, force: true });
  });

  async function runPage(query: string, screenshot?: string): Promise<PageResult> {
    const page = await browser.newPage();
    await page.setViewport({ width: 1000, height: 860 });
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(String(e)));
    await page.goto(`${server.url}examples/browser/index.html${query}`);
    await page.waitForFunction("window.__result !== undefined", { timeout: 170_000, polling: 200 });
    const r = (await page.evaluate("window.__result")) as PageResult;
    if (screenshot) await page.screenshot({ path: screenshot as `${string}.png` });
    await page.close();
    expect(r.ok, `page failed: ${r.error} ${errors.join("; ")}`).toBe(true);
    return r;
  }

  // Array-floor results (depth cells, FAST+ tokens) are float64 JS on both sides: must be identical.
  // The tiny MolmoAct2 runs in float32 on different backends (tfjs cpu in Node vs WebGPU/SwiftShader or
  // wasm in the page): summation order differs, so compare the normalized chunk with 1e-4 absolute (seen: 2.4e-7)
  // (values are O(1); a wrong kernel gives O(0.1–1) errors).
  function expectSameAsNode(r: PageResult): void {
    expect(r.depth.mask).toEqual(reference.depth.mask);
    expect(r.depth.changedCount).toBeGreaterThan(0);
    expect(r.trajectory.tokens).toEqual(reference.trajectory.tokens);
    expect(r.trajectory.roundTripMaxAbsError).toBe(reference.trajectory.roundTripMaxAbsError);
    expect(r.policy.kind).toBe(reference.policy.kind);
    const diff = maxAbsDiff(r.normalized, reference.normalized);
    console.log(`[browser.test] ${r.backend}: max |chunk − node cpu| = ${diff.toExponential(2)}`);
    expect(diff).toBeLessThan(1e-4);
  }

  it("auto backend: WebGPU when the adapter exists (else wasm); numbers match Node", async () => {
    const shot = process.env.VLA_UPDATE_SCREENSHOT ? join(ROOT, "docs", "img", "browser-demo.png") : join(outDir, "browser-demo.png");
    const r = await runPage("", shot);
    expect(r.backend).toBe(r.adapter ? "webgpu" : "wasm");
    console.log(`[browser.test] auto picked ${r.backend}${r.adapter ? ` (${r.adapter.vendor} ${r.adapter.architecture})` : ""}; screenshot ${shot}`);
    expectSameAsNode(r);
    expect(existsSync(shot)).toBe(true);
  }, 180_000);

  it("?backend=wasm loads the .wasm from the served node_modules (setWasmPaths); numbers match Node", async () => {
    const r = await runPage("?backend=wasm");
    expect(r.backend).toBe("wasm");
    expectSameAsNode(r);
  }, 180_000);
});
