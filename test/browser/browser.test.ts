import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import type { Browser, Page } from "puppeteer-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { maxAbsDiff } from "../util.js";
import { GOLDEN_DIR } from "../model/reference-golden.js";
import { ROOT, built, chromium, example, hasWebGpuAdapter, launchBrowser, openPage, startDemoServer, type DemoServer, type OpenedPage } from "./page.js";

/**
 * The demo page (examples/browser) in headless Chromium: it waits for the page's result and checks what a
 * person sees — the backend label, the G1 frame with the changed-cell boxes drawn, the FAST+ tokens and
 * round-trip error, the per-joint plot with axes, units, names and legend, formatted timings, the webcam
 * path (Chromium's fake camera) and opening the served reference snapshot — and that the numbers equal a
 * Node run of the same pipeline (examples/browser/pipeline.js) on the built package.
 */
if (!chromium) console.warn("[browser.test] SKIPPED: no Chromium found (set CHROMIUM_PATH or run scripts/setup-browser.sh to apt-get install chromium)");
const snapshotPresent = existsSync(join(GOLDEN_DIR, "config.json"));
if (chromium && !snapshotPresent) console.log(`[skip] browser demo, opening the served snapshot: ${GOLDEN_DIR} is missing (put ../shared/fixtures beside the clone, or set VLA_FIXTURES)`);

type Policy = { ok: boolean; kind: string; horizon: number; dim: number; normalized: number[][]; actions: number[][]; timings: Record<string, number> };
type Adapter = { label: string; software: boolean; isFallbackAdapter: boolean } | null;
type PageResult = {
  ok: boolean;
  error?: string;
  backend: string;
  backendLabel: string;
  backendChoice: { name: string; reason: string; adapter: Adapter; skippedAdapter: Adapter };
  frameSha256: string[];
  depth: { mask: number[]; changed: number[]; changedCount: number };
  trajectory: { tokens: number[]; numTokens: number; roundTripMaxAbsError: number };
  policy: Policy;
  live: { source: string; frames: number; boxes: number; changedCount: number; error?: string };
  snapshot: { offered: string | null; status?: string; error?: string; totalBytes?: number };
  runs: number;
  timings: { stage: string; ms: number; text: string }[];
};

type Pipeline = { runPipeline(mods: object, fast: unknown, scene: object): Promise<PageResult>; DEMO: { framesDir: string; frameFiles: string[]; episodeFile: string; horizon: number } };
type Format = { FORMATTED_MS: RegExp; formatSmall(v: number): string };
const dist = (m: string) => import(pathToFileURL(join(ROOT, "dist", m, "index.js")).href);

describe.skipIf(!chromium)("browser demo in headless Chromium (examples/browser)", () => {
  let browser: Browser;
  let profile: string;
  let server: DemoServer;
  let reference: PageResult;
  let frameSha: string[];
  let fmt: Format;
  const outDir = join(tmpdir(), "vla-browser-test");

  beforeAll(async () => {
    if (!built) throw new Error("dist/ is not built: run `npx tsup` (npm test builds first)");
    // Node reference: the same pipeline on the built package, tfjs cpu backend, frames decoded by pngjs.
    const [core, depth, tokenizer, normalize, model, nn, io] = await Promise.all(["core", "depth", "tokenizer", "normalize", "model", "nn", "io"].map(dist));
    await nn.useBackend("cpu");
    const { runPipeline, DEMO } = await example<Pipeline>("pipeline.js");
    fmt = await example<Format>("format.js");
    const frames = await Promise.all(DEMO.frameFiles.map((f) => io.readPng(join(ROOT, DEMO.framesDir, f))));
    frameSha = frames.map((f: { data: Uint8Array }) => createHash("sha256").update(f.data).digest("hex"));
    const episode = JSON.parse(readFileSync(join(ROOT, DEMO.episodeFile), "utf8"));
    reference = await runPipeline({ core, depth, tokenizer, normalize, model }, await tokenizer.loadFastPlus(), { frames, episode });
    server = await startDemoServer(snapshotPresent ? { snapshot: GOLDEN_DIR } : {});
    ({ browser, profile } = await launchBrowser());
    mkdirSync(outDir, { recursive: true });
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
  });

  async function runPage(query: string): Promise<OpenedPage & { r: PageResult }> {
    const opened = await openPage(browser, `${server.url}examples/browser/index.html${query}`);
    await opened.page.waitForFunction("window.__demo?.done === true || window.__result?.ok === false", { timeout: 170_000, polling: 200 });
    const r = (await opened.page.evaluate("window.__result")) as PageResult;
    expect(r.ok, `page failed: ${r.error} ${opened.errors.join("; ")}`).toBe(true);
    return { ...opened, r };
  }

  // Array-floor results (depth cells, FAST+ tokens) are float64 JS on both sides: identical. The tiny MolmoAct2 runs in
  // float32 on other backends than Node's tfjs-cpu (wasm XNNPACK, WebGPU): other summation orders, so the normalized
  // chunk is compared within 1e-4 absolute (values O(1); seen ≤ 5e-7; a wrong kernel gives O(0.1–1) errors).
  function expectSameAsNode(r: PageResult): void {
    expect(r.frameSha256, "the page decodes the PNG frames to the same RGB bytes as pngjs").toEqual(frameSha);
    expect(r.depth.mask).toEqual(reference.depth.mask);
    expect(r.depth.changedCount).toBeGreaterThan(0);
    expect(r.trajectory.tokens).toEqual(reference.trajectory.tokens);
    expect(r.trajectory.roundTripMaxAbsError).toBe(reference.trajectory.roundTripMaxAbsError);
    expect(r.policy.kind).toBe("MolmoAct2-tiny");
    const diff = maxAbsDiff(r.policy.normalized, reference.policy.normalized);
    console.log(`[browser.test] ${r.backend}: max |chunk − node cpu| = ${diff.toExponential(2)}`);
    expect(diff).toBeLessThan(1e-4);
  }

  /** What is on screen, read from the DOM and the canvas. */
  async function screen(page: Page) {
    return page.evaluate(() => {
      const $ = (id: string) => document.getElementById(id)!;
      const svg = $("plot");
      const panels = Array.from(svg.querySelectorAll("g.panel")).map((g) => ({
        joint: g.getAttribute("data-joint"),
        title: g.querySelector("text.title")?.textContent ?? "",
        xTicks: Array.from(g.querySelectorAll(".axis.x text")).map((t) => t.textContent ?? ""),
        yTicks: Array.from(g.querySelectorAll(".axis.y text")).map((t) => t.textContent ?? ""),
        predictedPoints: (g.querySelector("polyline.predicted")?.getAttribute("points") ?? "").trim().split(/\s+/).filter(Boolean).length,
        recorded: !!g.querySelector("polyline.recorded"),
      }));
      const canvas = $("frame") as HTMLCanvasElement;
      const px = canvas.getContext("2d")!.getImageData(0, 0, canvas.width, canvas.height).data;
      const cw = canvas.width / 10;
      const ch = canvas.height / 10;
      // the red stroke of cell k runs 1.5 px inside its left edge
      const strokeIsRed = Array.from({ length: 100 }, (_, k) => {
        const x = Math.floor((k % 10) * cw + 1.5);
        const y = Math.floor(Math.floor(k / 10) * ch + ch / 2);
        const i = (y * canvas.width + x) * 4;
        return px[i] >= 235 && px[i + 1] <= 70 && px[i + 2] <= 70;
      });
      return {
        backend: $("backend").textContent ?? "",
        note: $("backend-note").textContent ?? "",
        panels,
        legend: Array.from(svg.querySelectorAll(".legend text")).map((t) => t.textContent ?? ""),
        axisTitle: svg.querySelector("text.axis-title")?.textContent ?? "",
        timings: Array.from(document.querySelectorAll("#timings tbody tr")).map((tr) => Array.from(tr.querySelectorAll("td")).map((td) => td.textContent ?? "")),
        tokenIds: ($("token-ids").textContent ?? "").trim(),
        tokenSummary: $("tokens-summary").textContent ?? "",
        live: $("live").textContent ?? "",
        strokeIsRed,
        bodyText: document.body.innerText,
      };
    });
  }

  it("auto: passes over a software/fallback WebGPU adapter, shows every panel, numbers match Node", async () => {
    const shot = process.env.VLA_UPDATE_SCREENSHOT ? join(ROOT, "docs", "img", "browser-demo.png") : join(outDir, "browser-demo.png");
    const { page, r, errors, responses } = await runPage("");
    const choice = r.backendChoice;
    const adapter = choice.adapter ?? choice.skippedAdapter;
    expect(r.backend, `auto choice: ${choice.reason}`).toBe(adapter && !adapter.software ? "webgpu" : "wasm");
    console.log(`[browser.test] auto picked ${r.backend}: ${choice.reason}`);
    expectSameAsNode(r);

    // the live loop keeps drawing (frames 195 ↔ 196 every 0.9 s)
    await page.waitForFunction("window.__result.live.frames >= 2", { timeout: 10_000, polling: 100 });
    const s = await screen(page);
    if (r.backend === "wasm") expect(s.backend).not.toMatch(/adapter|swiftshader/i);
    else expect(s.backend).toContain(`adapter: ${choice.adapter!.label}`);
    expect(s.backend).toMatch(new RegExp(`^backend: ${r.backend}\\b`));
    if (choice.skippedAdapter) expect(s.note).toContain(choice.skippedAdapter.label);

    // changed cells drawn over the frame: a red box exactly on each changed cell
    const changed = new Set(r.depth.changed);
    expect(r.live.boxes).toBe(r.depth.changedCount);
    s.strokeIsRed.forEach((red, k) => changed.has(k) && expect(red, `cell ${k} changed: red box expected`).toBe(true));
    const falseRed = s.strokeIsRed.filter((red, k) => red && !changed.has(k)).length;
    expect(falseRed, "unchanged cells carry no red box").toBe(0);
    expect(s.live).toMatch(new RegExp(`^frame 19[56] vs 19[56]: ${r.depth.changedCount} of 100 cells changed · detector \\d+(\\.\\d+)? ms per frame`));

    // FAST+ tokens and round-trip error
    expect(s.tokenIds.split(/\s+/).map(Number)).toEqual(reference.trajectory.tokens);
    expect(s.tokenSummary).toContain(`${reference.trajectory.numTokens} FAST+ tokens`);
    expect(s.tokenSummary).toContain(`= ${fmt.formatSmall(reference.trajectory.roundTripMaxAbsError)} normalised`);
    expect(s.tokenSummary).toMatch(/worst joint.*: \d[\d.e-]* rad/);

    // one panel per joint: name + unit, time ticks, value ticks, prediction over the recorded actions, a legend
    expect(s.panels).toHaveLength(26);
    expect(s.panels[0]).toMatchObject({ joint: "kLeftShoulderPitch", title: "L shoulder pitch (rad)", recorded: true });
    expect(s.panels[25].title).toBe("R hand thumb rotation (0–1)");
    for (const p of s.panels) {
      expect(p.xTicks).toEqual(["0.0", "0.5", "1.0"]);
      expect(p.yTicks.length).toBeGreaterThanOrEqual(2);
      for (const t of p.yTicks) expect(t).toMatch(/^-?\d+(\.\d{1,6})?$/);
      expect(p.predictedPoints).toBe(r.policy.horizon);
    }
    expect(s.legend).toEqual([expect.stringMatching(/^predicted by the tiny random-weight MolmoAct2/), expect.stringMatching(/^recorded actions, episode 1, frames 195–224/)]);
    expect(s.axisTitle).toMatch(/time after frame 195 \(s, 30 Hz\)/);

    // timings per stage, formatted (no 6.699999999953434 anywhere on the page)
    const stages = s.timings.map((row) => row[0]);
    for (const want of [/^depth cells/, /^FAST\+ encode/, /^FAST\+ decode/, /vision/, /prefill/, /action expert/, /total per chunk/, /^control rate/]) expect(stages.some((t) => want.test(t)), String(want)).toBe(true);
    for (const [stage, text] of s.timings) if (!stage.startsWith("control rate")) expect(text, stage).toMatch(fmt.FORMATTED_MS);
    expect(s.timings.at(-1)![1]).toMatch(/^\d+(\.\d)? Hz · \d+(\.\d)? actions\/s$/);
    expect(s.bodyText).not.toMatch(/\d\.\d{5,}/);

    // nothing failed to load (favicon included), nothing thrown
    expect(responses.filter((x) => x.status >= 400), JSON.stringify(responses.filter((x) => x.status >= 400))).toEqual([]);
    expect(errors).toEqual([]);

    await page.screenshot({ path: shot as `${string}.png`, fullPage: true });
    expect(existsSync(shot)).toBe(true);
    console.log(`[browser.test] screenshot ${shot}`);
    await page.close();
  }, 180_000);

  it("?backend=webgpu runs on the WebGPU adapter even when it is a software one; numbers match Node", async (ctx) => {
    const gpu = await hasWebGpuAdapter(browser, server.url);
    if (!gpu.present) {
      console.log("[browser.test] ?backend=webgpu skipped: this Chromium offers no WebGPU adapter");
      return ctx.skip();
    }
    const { page, r } = await runPage("?backend=webgpu&play=0");
    expect(r.backend).toBe("webgpu");
    expect(r.backendLabel).toContain(`adapter: ${gpu.label}`);
    expectSameAsNode(r);
    await page.close();
  }, 180_000);

  it("webcam: the camera's frames go through the change detector live, and the policy runs on the latest one", async () => {
    const { page, r } = await runPage("?backend=wasm");
    expect(r.backend).toBe("wasm");
    expectSameAsNode(r);
    await page.click("#src-webcam");
    await page.waitForFunction("window.__result.live.source === 'webcam' && window.__result.live.frames >= 4 || !!window.__result.live.error", { timeout: 30_000, polling: 100 });
    const live = (await page.evaluate("window.__result.live")) as PageResult["live"];
    expect(live.error, "Chromium's fake camera must start").toBeUndefined();
    expect((await screen(page)).live).toMatch(/^webcam: (\d+ of 100 cells changed|first frame)/);
    await page.click("#run");
    await page.waitForFunction("window.__result.runs === 2", { timeout: 60_000, polling: 100 });
    const after = (await page.evaluate("window.__result")) as PageResult;
    expect(after.policy.ok).toBe(true);
    expect(await page.$eval("#plot-caption", (e) => e.textContent)).toContain("the latest webcam frame");
    await page.close();
  }, 180_000);

  it.skipIf(!snapshotPresent)("opens the served reference snapshot with MolmoAct2.fromPretrained and shows the load progress", async () => {
    const { page, r } = await runPage("?backend=wasm&play=0");
    expect(r.snapshot.offered).toBe("/mnt/snapshot/");
    await page.click("#snapshot-served");
    await page.waitForFunction("window.__result.runs === 2 || !!window.__result.snapshot.error", { timeout: 120_000, polling: 200 });
    const after = (await page.evaluate("window.__result")) as PageResult;
    expect(after.snapshot.error).toBeUndefined();
    expect(after.policy).toMatchObject({ ok: true, kind: "snapshot", horizon: 10, dim: 26 });
    const bar = await page.$eval("#snapshot-progress", (e) => ({ value: (e as HTMLProgressElement).value, max: (e as HTMLProgressElement).max, hidden: (e as HTMLProgressElement).hidden }));
    expect(bar).toEqual({ value: after.snapshot.totalBytes, max: after.snapshot.totalBytes, hidden: false });
    expect(await page.$eval("#snapshot-status", (e) => e.textContent)).toMatch(/^loaded 2\.3 MiB of 2\.3 MiB \(100 %\) · in \d+(\.\d+)? (ms|s) · tags: g1-inspire-bottle_tiny$/);
    const s = await screen(page);
    expect(s.panels).toHaveLength(26);
    expect(s.panels[0].xTicks).toEqual(["0.0", "0.2"]);
    expect(s.timings[0][0]).toBe("snapshot load (fromPretrained, 2.3 MiB)");
    expect(s.timings[0][1]).toMatch(fmt.FORMATTED_MS);
    // the weights came over HTTP Range requests
    expect(server.requests.some((q) => q.path === "/mnt/snapshot/model.safetensors" && q.status === 206 && q.range !== null)).toBe(true);
    await page.close();
  }, 180_000);
});
