// Adaptive depth change detector: frames/s from a raw camera frame to the changed-cell mask.
// `npm run bench -- depth`
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { changedCells, compareFrames, depthFrame, DepthChangeDetector, planDepthDecode, resizeBilinearRgb8 } from "../src/depth/index.js";
import { readPng } from "../src/io/index.js";
import { measure, report, type BenchRow } from "./lib.js";

const here = dirname(fileURLToPath(import.meta.url));
const FRAMES = join(here, "..", "examples", "data", "g1-inspire-bottle", "frames");

/** Process CPU time per call (µs): robust against other processes competing for the cores, unlike wall time. */
function cpuMicros(fn: () => unknown, calls: number): number {
  for (let k = 0; k < 20; k++) fn();
  const c0 = process.cpuUsage();
  for (let k = 0; k < calls; k++) fn();
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / calls;
}

export async function run(): Promise<void> {
  // two real consecutive 640×480 RGB frames (bundled, MIT); alternate them so every push compares a real change
  const a = await readPng(join(FRAMES, "ep1_cam_high_000195.png"));
  const b = await readPng(join(FRAMES, "ep1_cam_high_000196.png"));
  const rows: BenchRow[] = [];

  const det = new DepthChangeDetector();
  let i = 0;
  const detCpu = cpuMicros(() => det.push(i++ & 1 ? a : b), 1000);
  rows.push(
    await measure("640x480 RGB -> mask (resize + cells + cosine vs cached prev)", "frame", () => det.push(i++ & 1 ? a : b), {
      target: 5000,
      opsPerCall: 1,
      minMs: 3000,
      warmup: 20,
      extra: { cpu_us: detCpu, cpu_fps: 1e6 / detCpu, simd: String(det.simd) },
    }),
  );

  const scalar = new DepthChangeDetector({ simd: false });
  const scalarCpu = cpuMicros(() => scalar.push(i++ & 1 ? a : b), 100);
  rows.push(
    await measure("same, scalar JS path (simd: false)", "frame", () => scalar.push(i++ & 1 ? a : b), {
      target: 5000,
      minMs: 2000,
      warmup: 10,
      extra: { cpu_us: scalarCpu, cpu_fps: 1e6 / scalarCpu },
    }),
  );

  // the one-shot API (docs/depth.md's first example): both frames resized on every call, same SIMD kernels
  const oneCpu = cpuMicros(() => changedCells(a, b), 300);
  rows.push(
    await measure("one-shot changedCells(prev, curr) 640x480 (resizes both frames)", "pair", () => changedCells(a, b), {
      minMs: 2000,
      warmup: 20,
      extra: { cpu_us: oneCpu, cpu_fps: 1e6 / oneCpu },
    }),
  );
  const oneScalarCpu = cpuMicros(() => changedCells(a, b, { simd: false }), 30);
  rows.push(
    await measure("one-shot changedCells, scalar JS path (simd: false)", "pair", () => changedCells(a, b, { simd: false }), {
      minMs: 2000,
      warmup: 5,
      extra: { cpu_us: oneScalarCpu, cpu_fps: 1e6 / oneScalarCpu },
    }),
  );

  const out = new Uint8Array(320 * 320 * 3);
  rows.push(await measure("scalar resizeBilinearRgb8 only 640x480 -> 320x320", "frame", () => resizeBilinearRgb8(a.data, 640, 480, 320, 320, out), { minMs: 2000, warmup: 20 }));

  const fa = depthFrame(a);
  const fb = depthFrame(b);
  rows.push(await measure("compareFrames only (two 320x320 frames, SIMD)", "frame", () => compareFrames(fa, fb), { minMs: 2000, warmup: 20 }));
  rows.push(await measure("scalar compareFrames only (simd: false)", "frame", () => compareFrames(fa, fb, { simd: false }), { minMs: 2000, warmup: 20 }));

  // 224×224 camera (SO-101 style): Pillow upscale path
  const small = { data: resizeBilinearRgb8(a.data, 640, 480, 224, 224), width: 224, height: 224, channels: 3 as const };
  const small2 = { data: resizeBilinearRgb8(b.data, 640, 480, 224, 224), width: 224, height: 224, channels: 3 as const };
  const det2 = new DepthChangeDetector();
  rows.push(await measure("224x224 RGB -> mask (upscale path)", "frame", () => det2.push(i++ & 1 ? small : small2), { minMs: 2000, warmup: 20 }));

  const mask = det.push(a).mask;
  const codes = Array.from({ length: 100 }, (_, k) => k % 128);
  rows.push(await measure("planDepthDecode (27 changed cells)", "plan", () => planDepthDecode(mask, codes), { minMs: 1000, warmup: 100 }));

  report("depth", rows, {
    simd: det.simd,
    note: "single thread; the detector and the one-shot changedCells/compareFrames use the WebAssembly SIMD kernels when available (same integer math as the scalar path)",
  });
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
