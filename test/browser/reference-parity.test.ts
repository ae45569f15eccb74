import { existsSync, rmSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import type { Browser } from "puppeteer-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FIXTURES } from "../fixtures.js";
import { GOLDEN_DIR, maxDiff, readGolden, type Golden } from "../model/reference-golden.js";
import { built, chromium, hasWebGpuAdapter, launchBrowser, openPage, startDemoServer, type DemoServer } from "./page.js";

/**
 * Browser parity with the reference (huggingface/lerobot `molmoact2_hf_model` `predict_action`, run on CPU by the
 * fixture's generator): headless Chromium opens the tiny reference snapshot over HTTP with
 * `MolmoAct2.fromPretrained("<url>/")` (the io module's `urlFolder`: HEAD probes, Range reads of the safetensors)
 * on webgpu (when Chromium offers an adapter, software ones included) and on wasm, and repeats golden.json's
 * `continuous` run (task_raw, state_raw, norm_tag, frame 195 = `think[0].images[0]`, noise = `continuous.noise`)
 * and `think[0]` (Think from an empty depth cache on the same frame).
 *
 * Tolerances: the frame's RGB bytes and the 100 depth codes exactly (the codes are argmaxes whose recorded top-1/top-2
 * margins are far above float32 noise); normalised actions within 1e-4 absolute (values O(1)): float32 on other
 * kernels and summation orders than PyTorch's CPU ones, through 2 decoder layers and 10 Euler steps of the expert
 * (seen: ≤ 5e-7 on wasm and on WebGPU/SwiftShader); a wrong stage gives errors of 1e-2 and more.
 */
const present = existsSync(join(GOLDEN_DIR, "golden.json"));
if (chromium && !present) console.log(`[skip] browser reference parity: ${GOLDEN_DIR} is missing (put ../shared/fixtures beside the clone, or set VLA_FIXTURES)`);
if (!chromium) console.warn("[reference-parity browser] SKIPPED: no Chromium found (set CHROMIUM_PATH or run scripts/setup-browser.sh)");

type RunOut = { ok: boolean; reason?: string; message?: string; normalized?: number[][]; depthCodes?: number[] };
type ParityOut = { backend: string; imageSha256: string; continuous: RunOut; think: RunOut };

describe.skipIf(!chromium || !present)("MolmoAct2.fromPretrained over HTTP in headless Chromium vs the reference", () => {
  let browser: Browser;
  let profile: string;
  let server: DemoServer;
  let g: Golden;
  let frame: { file: string; rgb_sha256?: string };
  let frameUrl: string;

  beforeAll(async () => {
    if (!built) throw new Error("dist/ is not built: run `npx tsup` (npm test builds first)");
    ({ golden: g } = readGolden());
    const image = g.think?.[0]?.images?.[0] as { file: string; rgb_sha256?: string } | undefined;
    if (!image) throw new Error("golden.json: think[0].images[0] (frame 195) is missing");
    frame = image;
    // golden image paths are relative to the folder that holds shared/ (README of the fixture)
    const png = resolve(FIXTURES, "..", "..", frame.file);
    if (!existsSync(png)) throw new Error(`golden frame ${png} is missing (named by golden.json think[0].images[0])`);
    server = await startDemoServer({ mounts: { snapshot: GOLDEN_DIR, frames: dirname(png) } });
    frameUrl = `/mnt/frames/${encodeURIComponent(basename(png))}`;
    ({ browser, profile } = await launchBrowser());
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
  });

  async function runInPage(backend: "webgpu" | "wasm"): Promise<ParityOut> {
    const { page, errors } = await openPage(browser, `${server.url}examples/browser/index.html?backend=${backend}&run=0`);
    await page.waitForFunction("window.__demo?.ready === true || window.__result?.ok === false", { timeout: 60_000, polling: 100 });
    const input = {
      url: `${server.url}mnt/snapshot/`,
      image: frameUrl,
      task: g.task_raw,
      state: g.state_raw,
      normTag: g.norm_tag,
      noise: g.continuous!.noise,
      thinkNoise: g.think![0].noise ?? g.continuous!.noise,
    };
    try {
      return (await page.evaluate(async (inp) => {
        type Pred = { ok: boolean; reason?: string; message?: string; normalized?: number[][]; depthCodes?: number[] };
        type Model = { predictActions(o: object, p: object): Promise<Pred>; dispose(): void };
        const demo = (
          window as unknown as {
            __demo: {
              mods: { model: { MolmoAct2: { fromPretrained(u: string, o?: object): Promise<Model> } } };
              backend: { active: string };
              loadFrame(u: string): Promise<{ rgb: { data: Uint8Array } }>;
              sha256Hex(b: Uint8Array): Promise<string>;
            };
          }
        ).__demo;
        const { rgb } = await demo.loadFrame(inp.image);
        const obs = { images: [rgb], task: inp.task, state: inp.state, normTag: inp.normTag };
        const pick = (r: Pred): Pred => ({ ok: r.ok, reason: r.reason, message: r.message, normalized: r.normalized, depthCodes: r.depthCodes });
        const { MolmoAct2 } = demo.mods.model;
        const m = await MolmoAct2.fromPretrained(inp.url);
        const continuous = pick(await m.predictActions(obs, { mode: "continuous", noise: inp.noise }));
        m.dispose();
        const t = await MolmoAct2.fromPretrained(inp.url, { think: true });
        const think = pick(await t.predictActions(obs, { mode: "continuous", noise: inp.thinkNoise }));
        t.dispose();
        return { backend: demo.backend.active, imageSha256: await demo.sha256Hex(rgb.data), continuous, think };
      }, input)) as ParityOut;
    } catch (e) {
      throw new Error(`${(e as Error).message}; page errors: ${errors.join("; ")}`);
    } finally {
      await page.close();
    }
  }

  function check(out: ParityOut): void {
    if (frame.rgb_sha256) expect(out.imageSha256, "frame 195 decoded in the page = the reference's RGB bytes").toBe(frame.rgb_sha256);
    const c = g.continuous!;
    expect(out.continuous.ok, `${out.continuous.reason}: ${out.continuous.message}`).toBe(true);
    const dc = maxDiff(out.continuous.normalized!.flat(), c.actions_normalized!.flat());
    const t = g.think![0];
    expect(out.think.ok, `${out.think.reason}: ${out.think.message}`).toBe(true);
    expect(out.think.depthCodes).toEqual((t.depth_bins as number[] | number[][]).flat());
    const dt = t.actions_normalized ? maxDiff(out.think.normalized!.flat(), t.actions_normalized.flat()) : NaN;
    console.log(`[reference-parity browser] ${out.backend}: continuous max |Δ| ${dc.toExponential(2)}, think[0] codes exact, actions max |Δ| ${dt.toExponential(2)}`);
    expect(dc).toBeLessThanOrEqual(1e-4);
    if (t.actions_normalized) expect(dt).toBeLessThanOrEqual(1e-4);
  }

  it("wasm: continuous actions and think[0]'s depth codes match the reference", async () => {
    const before = server.requests.length;
    const out = await runInPage("wasm");
    expect(out.backend).toBe("wasm");
    check(out);
    const mine = server.requests.slice(before);
    expect(mine.some((q) => q.path === "/mnt/snapshot/model.safetensors" && q.status === 206 && q.range !== null), "weights read with HTTP Range requests").toBe(true);
    expect(mine.filter((q) => q.status >= 400 && q.method !== "HEAD"), "only HEAD probes of optional files may miss").toEqual([]);
  }, 180_000);

  it("webgpu (any adapter Chromium offers): continuous actions and think[0]'s depth codes match the reference", async (ctx) => {
    const gpu = await hasWebGpuAdapter(browser, server.url);
    if (!gpu.present) {
      console.log("[reference-parity browser] webgpu skipped: this Chromium offers no WebGPU adapter");
      return ctx.skip();
    }
    const out = await runInPage("webgpu");
    expect(out.backend).toBe("webgpu");
    check(out);
  }, 240_000);
});
