import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { example } from "./page.js";

/** The demo page's pure parts (examples/browser/backend.js, format.js, pipeline.js labels), checked in Node. */
type Adapter = { label: string; software: boolean; isFallbackAdapter: boolean };
type Choice = { name: string; reason: string; adapter: Adapter | null; skippedAdapter: Adapter | null; requested: string };
type BackendModule = {
  describeAdapter(info: object, isFallback?: boolean): Adapter;
  chooseBackend(requested: string | null, adapter: Adapter | null): Choice;
  backendLabel(choice: Choice, extras?: string[]): string;
};
type FormatModule = {
  formatMs(ms: number): string;
  FORMATTED_MS: RegExp;
  formatBytes(n: number): string;
  formatSmall(v: number): string;
  niceTicks(lo: number, hi: number, count?: number): { lo: number; hi: number; step: number; ticks: number[] };
  formatTick(v: number, step: number): string;
};
type PipelineModule = { jointLabel(n: string): string; unitOf(n: string): string };

describe("backend choice (examples/browser/backend.js)", async () => {
  const { describeAdapter, chooseBackend, backendLabel } = await example<BackendModule>("backend.js");
  const swiftshader = describeAdapter({ vendor: "google", architecture: "swiftshader", device: "", description: "" }, true);
  const lavapipe = describeAdapter({ vendor: "mesa", architecture: "", device: "llvmpipe (LLVM 17.0.6, 256 bits)", description: "" }, false);
  const nvidia = describeAdapter({ vendor: "nvidia", architecture: "hopper", device: "", description: "" }, false);

  it("a fallback adapter, or a CPU rasteriser named in the info, is software; a GPU is not", () => {
    expect(swiftshader).toMatchObject({ software: true, isFallbackAdapter: true, label: "google swiftshader" });
    expect(describeAdapter({ vendor: "google", architecture: "swiftshader" }, false).software).toBe(true);
    expect(lavapipe.software).toBe(true);
    expect(nvidia).toMatchObject({ software: false, label: "nvidia hopper" });
  });

  it("auto prefers wasm over a software/fallback adapter and says why; takes a hardware adapter", () => {
    const a = chooseBackend("auto", swiftshader);
    expect(a).toMatchObject({ name: "wasm", adapter: null, skippedAdapter: swiftshader });
    expect(a.reason).toMatch(/fallback adapter \(google swiftshader\).*\?backend=webgpu/);
    expect(chooseBackend(null, lavapipe).name).toBe("wasm");
    expect(chooseBackend("auto", null)).toMatchObject({ name: "wasm", reason: "auto: no WebGPU adapter" });
    expect(chooseBackend("", nvidia)).toMatchObject({ name: "webgpu", adapter: nvidia });
  });

  it("?backend= is obeyed, a software adapter included; unknown names and webgpu without an adapter throw", () => {
    expect(chooseBackend("webgpu", swiftshader)).toMatchObject({ name: "webgpu", adapter: swiftshader });
    expect(chooseBackend("wasm", nvidia)).toMatchObject({ name: "wasm", adapter: null });
    expect(chooseBackend("cpu", null).name).toBe("cpu");
    expect(() => chooseBackend("webgl", null)).toThrow(/\?backend= must be auto, webgpu, wasm, cpu; got "webgl"/);
    expect(() => chooseBackend("webgpu", null)).toThrow(/no WebGPU adapter/);
  });

  it("the label names an adapter only when WebGPU runs on it", () => {
    expect(backendLabel(chooseBackend("auto", swiftshader), ["SIMD"])).toBe("wasm · SIMD");
    expect(backendLabel(chooseBackend("webgpu", swiftshader))).toBe("webgpu · adapter: google swiftshader (software)");
    expect(backendLabel(chooseBackend("auto", nvidia))).toBe("webgpu · adapter: nvidia hopper");
  });
});

describe("number formatting (examples/browser/format.js)", async () => {
  const f = await example<FormatModule>("format.js");

  it("durations: at most 2 decimals, a unit, never float noise", () => {
    expect(f.formatMs(6.699999999953434)).toBe("6.70 ms");
    expect(f.formatMs(41.59999999962747)).toBe("41.6 ms");
    expect(f.formatMs(157.5)).toBe("158 ms");
    expect(f.formatMs(12_500)).toBe("12.5 s");
    expect(f.formatMs(NaN)).toBe("–");
    fc.assert(
      fc.property(fc.double({ min: 0, max: 1e9, noNaN: true }), (ms) => {
        expect(f.formatMs(ms)).toMatch(f.FORMATTED_MS);
      }),
    );
  });

  it("bytes and small errors", () => {
    expect(f.formatBytes(2_361_992)).toBe("2.3 MiB");
    expect(f.formatBytes(512)).toBe("512 B");
    expect(f.formatSmall(0.08111692913366247)).toBe("0.0811");
    expect(f.formatSmall(0.0011811974697431005)).toBe("1.18e-3");
    expect(f.formatSmall(0)).toBe("0");
  });

  it("axis ticks cover the data, are whole steps of 1/2/5·10^k, and print without float noise", () => {
    fc.assert(
      fc.property(fc.double({ min: -1e3, max: 1e3, noNaN: true }), fc.double({ min: 0, max: 1e3, noNaN: true }), (lo, w) => {
        const t = f.niceTicks(lo, lo + w, 3);
        expect(t.lo).toBeLessThanOrEqual(lo + 1e-9 * Math.max(1, Math.abs(lo)));
        expect(t.hi).toBeGreaterThanOrEqual(lo + w - 1e-9 * Math.max(1, Math.abs(lo + w)));
        const m = t.step / 10 ** Math.floor(Math.log10(t.step) + 1e-12);
        expect([1, 2, 5, 10].some((x) => Math.abs(m - x) < 1e-6)).toBe(true);
        expect(t.ticks.length).toBeGreaterThanOrEqual(2);
        for (const v of t.ticks) expect(f.formatTick(v, t.step)).toMatch(/^-?\d+(\.\d{1,6})?$/);
      }),
    );
    expect(f.niceTicks(0, 1, 2).ticks).toEqual([0, 0.5, 1]);
    expect(f.formatTick(-0.0000001, 0.5)).toBe("0.0");
  });
});

describe("joint names and units (examples/browser/pipeline.js)", async () => {
  const p = await example<PipelineModule>("pipeline.js");
  it("G1 + Inspire names become short labels; arms in rad, hands 0–1", () => {
    expect(p.jointLabel("kLeftShoulderPitch")).toBe("L shoulder pitch");
    expect(p.jointLabel("kRightHandThumbRotation")).toBe("R hand thumb rotation");
    expect(p.unitOf("kRightElbow")).toBe("rad");
    expect(p.unitOf("kLeftHandIndex")).toBe("0–1");
  });
});
