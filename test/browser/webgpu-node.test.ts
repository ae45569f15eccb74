import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { join, resolve } from "node:path";

// WebGPU in Node without a GPU: Dawn (npm `webgpu`) on Mesa 25 lavapipe, set up by
// scripts/setup-webgpu.sh into node_modules/.cache/vla-mesa25/ (or $VLA_MESA_DIR). The computations run in a child process
// (test/browser/webgpu-probe.mjs) because lavapipe's LD_LIBRARY_PATH must be set before Node starts.

const ROOT = resolve(import.meta.dirname, "..", "..");
const mesaDir = process.env.VLA_MESA_DIR ?? join(ROOT, "node_modules", ".cache", "vla-mesa25");
const envSh = join(mesaDir, "env.sh");
const hasEnvSh = existsSync(envSh);
const preset = !!process.env.VK_ICD_FILENAMES;
let hasDawn = true;
try {
  createRequire(join(ROOT, "package.json")).resolve("webgpu");
} catch {
  hasDawn = false;
}
const reason = !hasDawn
  ? "the 'webgpu' npm package (Dawn) is not installed"
  : !hasEnvSh && !preset
    ? `no software Vulkan for Dawn: ${envSh} not found and VK_ICD_FILENAMES unset (run scripts/setup-webgpu.sh)`
    : null;
if (reason) console.warn(`[webgpu-node.test] SKIPPED: ${reason}`);

interface Computed {
  backend: string;
  softmax: number[];
  attention: number[];
  flow?: number[];
  model?: number[];
  numTensors: number;
}
interface Probe {
  ok: boolean;
  reason?: string;
  failed?: boolean;
  adapter?: { vendor: string; architecture: string; device: string };
  results?: { webgpu: Computed; cpu: Computed };
}

function maxAbsDiff(a: number[], b: number[]): number {
  expect(a.length).toBe(b.length);
  return a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);
}

describe.skipIf(!!reason)("tfjs webgpu backend in Node (Dawn + lavapipe) vs cpu", () => {
  it("matMul+softmax, GQA attention and the flow sampler agree with the cpu backend", (ctx) => {
    if (!existsSync(join(ROOT, "dist", "nn", "index.js"))) throw new Error("dist/ is not built: run `npx tsup` (npm test builds first)");
    const script = join(ROOT, "test", "browser", "webgpu-probe.mjs");
    const cmd = hasEnvSh ? `. "${envSh}" && exec "${process.execPath}" "${script}"` : `exec "${process.execPath}" "${script}"`;
    const r = spawnSync("bash", ["-c", cmd], { cwd: ROOT, encoding: "utf8", timeout: 110_000 });
    const line = r.stdout.split("\n").find((l) => l.startsWith("{"));
    expect(line, `probe printed no JSON (exit ${r.status}); stderr:\n${r.stderr.slice(-2000)}`).toBeTruthy();
    const probe = JSON.parse(line!) as Probe;
    if (!probe.ok && !probe.failed) {
      console.warn(`[webgpu-node.test] SKIPPED: ${probe.reason}`);
      ctx.skip();
      return;
    }
    expect(probe.ok, probe.reason).toBe(true);
    const { webgpu, cpu } = probe.results!;
    console.log(`[webgpu-node.test] adapter ${probe.adapter?.vendor} ${probe.adapter?.architecture} ${probe.adapter?.device}`);
    expect(webgpu.backend).toBe("webgpu");
    expect(cpu.backend).toBe("cpu");
    // float32 on both; WGSL vs JS summation order and exp(): seen 2.6e-6 on softmax of [64,48]x[48,32] (logits ~ ±20)
    expect(maxAbsDiff(webgpu.softmax, cpu.softmax)).toBeLessThan(1e-5);
    expect(maxAbsDiff(webgpu.attention, cpu.attention)).toBeLessThan(1e-5); // seen 3e-7
    expect(webgpu.flow, "flow module missing from dist/").toBeDefined();
    expect(maxAbsDiff(webgpu.flow!, cpu.flow!)).toBeLessThan(1e-5); // seen 0: elementwise ops only
    if (webgpu.model) expect(maxAbsDiff(webgpu.model, cpu.model!)).toBeLessThan(1e-4); // VLA_WEBGPU_MODEL=1 only; seen 6e-8
    expect(webgpu.numTensors).toBe(0); // nothing leaked on the GPU side
  }, 120_000);
});
