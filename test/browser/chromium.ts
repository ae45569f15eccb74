import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** Chromium flags for headless WebGPU (SwiftShader) runs; see docs/browser.md. */
export const CHROMIUM_ARGS = [
  "--headless=new",
  "--no-sandbox",
  "--disable-dev-shm-usage",
  "--enable-unsafe-webgpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--no-first-run",
  "--disable-sync",
];

/** The Chromium binary to drive: `$CHROMIUM_PATH`, else Debian's `/usr/bin/chromium` (or a few usual names). */
export function findChromium(): string | null {
  const candidates = [process.env.CHROMIUM_PATH, "/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"].filter((p): p is string => !!p);
  return candidates.find((p) => existsSync(p)) ?? null;
}

/** A fresh, empty profile folder for one browser launch. */
export function freshProfile(): string {
  return mkdtempSync(join(tmpdir(), "vla-chromium-"));
}
