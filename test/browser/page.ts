import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import type { Browser, Page } from "puppeteer-core";
import { CHROMIUM_ARGS, findChromium, freshProfile } from "./chromium.js";

/** Helpers of the headless-Chromium tests: the demo server, a browser, pages that record their errors. */
export const ROOT = resolve(import.meta.dirname, "..", "..");
export const chromium = findChromium();
export const built = existsSync(join(ROOT, "dist", "model", "index.js")) && existsSync(join(ROOT, "dist", "tokenizer", "index.js"));

/** One answer of the demo server (its `log` option). */
export interface ServedRequest {
  method: string;
  path: string;
  status: number;
  range: string | null;
}

export interface DemoServer {
  url: string;
  snapshot: string | null;
  requests: ServedRequest[];
  close(): Promise<void>;
}

interface ServeModule {
  startServer(opts: { port?: number; mounts?: Record<string, string>; snapshot?: string; log?: (r: ServedRequest) => void }): Promise<Omit<DemoServer, "requests">>;
  parseRange(header: string | undefined, size: number): { start: number; end: number } | null | "unsatisfiable";
}

/** A module of examples/browser (plain JS, loaded by URL so TypeScript does not type-check it). */
export async function example<T>(file: string): Promise<T> {
  return (await import(pathToFileURL(join(ROOT, "examples", "browser", file)).href)) as T;
}

export const serveModule = () => example<ServeModule>("serve.mjs");

/** Start examples/browser/serve.mjs on a free port, recording every answer. */
export async function startDemoServer(opts: { mounts?: Record<string, string>; snapshot?: string } = {}): Promise<DemoServer> {
  const { startServer } = await serveModule();
  const requests: ServedRequest[] = [];
  const s = await startServer({ ...opts, log: (r) => requests.push(r) });
  return { ...s, requests };
}

/**
 * Chromium for the tests: headless, WebGPU enabled, a fake camera that needs no permission prompt (the
 * webcam test), a fresh profile (returned so the caller can delete it).
 */
export async function launchBrowser(): Promise<{ browser: Browser; profile: string }> {
  const puppeteer = (await import("puppeteer-core")).default;
  const profile = freshProfile();
  const browser = await puppeteer.launch({
    executablePath: chromium!,
    headless: true,
    userDataDir: profile,
    args: [...CHROMIUM_ARGS, "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream"],
  });
  return { browser, profile };
}

export interface OpenedPage {
  page: Page;
  /** Uncaught exceptions and console errors of the page. */
  errors: string[];
  /** Every HTTP answer the page got: method, URL, status. */
  responses: { method: string; url: string; status: number }[];
}

export async function openPage(browser: Browser, url: string, viewport = { width: 1240, height: 900 }): Promise<OpenedPage> {
  const page = await browser.newPage();
  await page.setViewport(viewport);
  const errors: string[] = [];
  const responses: OpenedPage["responses"] = [];
  page.on("pageerror", (e) => errors.push(`pageerror: ${String(e)}`));
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(`console: ${m.text()}`);
  });
  page.on("response", (r) => responses.push({ method: r.request().method(), url: r.url(), status: r.status() }));
  await page.goto(url);
  return { page, errors, responses };
}

/** Does this Chromium offer any WebGPU adapter (hardware or software)? */
export async function hasWebGpuAdapter(browser: Browser, serverUrl: string): Promise<{ present: boolean; label: string }> {
  const page = await browser.newPage();
  try {
    await page.goto(`${serverUrl}examples/browser/shims/empty.js`); // any page of the secure 127.0.0.1 origin
    return (await page.evaluate(async () => {
      type Info = { vendor?: string; architecture?: string };
      const gpu = (navigator as unknown as { gpu?: { requestAdapter(): Promise<{ info?: Info } | null> } }).gpu;
      const a = gpu ? await gpu.requestAdapter() : null;
      return { present: !!a, label: a ? `${a.info?.vendor ?? ""} ${a.info?.architecture ?? ""}`.trim() : "" };
    })) as { present: boolean; label: string };
  } finally {
    await page.close();
  }
}
