import * as tf from "@tensorflow/tfjs-core";
import { describe, expect, it } from "vitest";
import { VlaError } from "../../src/core/index.js";
import { useBackend, type BackendName } from "../../src/nn/index.js";

describe("useBackend", () => {
  it("activates cpu and wasm and reports the active backend", async () => {
    expect(await useBackend("wasm")).toBe("wasm");
    expect(tf.getBackend()).toBe("wasm");
    expect(await useBackend("cpu")).toBe("cpu");
    expect(tf.getBackend()).toBe("cpu");
  });

  it("refuses webgpu without navigator.gpu with a clear VlaError (and keeps the current backend)", async () => {
    const nav = (globalThis as { navigator?: { gpu?: unknown } }).navigator;
    if (nav?.gpu) return; // a real WebGPU environment: nothing to check here
    await useBackend("cpu");
    await expect(useBackend("webgpu")).rejects.toThrow(VlaError);
    await expect(useBackend("webgpu")).rejects.toThrow(/useBackend: name "webgpu" needs navigator.gpu/);
    expect(tf.getBackend()).toBe("cpu");
  });

  it("rejects unknown names", async () => {
    await expect(useBackend("tensorflow" as BackendName)).rejects.toThrow(/must be "cpu", "wasm" or "webgpu"/);
  });
});
