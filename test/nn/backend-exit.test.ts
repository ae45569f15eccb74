import { spawnSync } from "node:child_process";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

// After useBackend("wasm"), tfjs-backend-wasm's emscripten runtime used to own the process's uncaughtException /
// unhandledRejection handlers: a user's error exited with code 7 and, under tsx, printed ~38 KB of minified
// emscripten source instead of the error. The user's error must come out as Node prints it, with exit code 1.
const here = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(here, "..", "..");
const FIXTURE = join(here, "fixtures", "throw-after-wasm.ts");

function runUserScript(mode: string) {
  const r = spawnSync(process.execPath, ["--import", "tsx", FIXTURE, mode], { cwd: ROOT, encoding: "utf8", timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("useBackend(\"wasm\") leaves Node's own error reporting in place", () => {
  it("an uncaught error in the user's script exits 1 with the user's message and stack, and nothing of emscripten", () => {
    const r = runUserScript("throw");
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("Error: the user's own error");
    expect(r.stderr).toMatch(/at usersOwnFunction \(.*throw-after-wasm\.ts:\d+:\d+\)/);
    expect(r.stderr).not.toMatch(/WasmBackendModule|ExitStatus|tfjs-backend-wasm/);
    expect(r.stderr.length).toBeLessThan(2000); // Node's report is a few hundred bytes; the bug printed ~38 KB
  });

  it("an unhandled rejection exits 1 with the user's message", () => {
    const r = runUserScript("reject");
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("Error: the user's own rejection");
    expect(r.stderr).not.toMatch(/WasmBackendModule|tfjs-backend-wasm/);
  });

  it("a clean script still runs on wasm and exits 0", () => {
    const r = runUserScript("ok");
    expect(r.stderr).toBe("");
    expect(r.stdout.trim()).toBe("ok wasm 3");
    expect(r.status).toBe(0);
  });
});
