import * as tf from "@tensorflow/tfjs-core";
import { fail } from "../core/index.js";

/** Backends the library is tested on. */
export type BackendName = "cpu" | "wasm" | "webgpu";

const loaded = new Set<BackendName>();

/**
 * Load a tfjs backend package on demand, make it the active backend and check that it took.
 *
 * - `cpu`: `@tensorflow/tfjs-backend-cpu` (pure JS, always works).
 * - `wasm`: `@tensorflow/tfjs-backend-wasm` (XNNPACK + SIMD; loads its `.wasm` offline from node_modules in Node;
 *   in a browser call `setWasmPaths` first).
 * - `webgpu`: `@tensorflow/tfjs-backend-webgpu`; needs `navigator.gpu` *before* this call (the package registers the
 *   backend only if it sees `navigator.gpu` when it is first imported).
 *
 * `tf.setBackend` returns false (and silently keeps another backend) when initialisation fails, so this checks
 * `tf.getBackend()` afterwards and throws a `VlaError` naming the backend otherwise. Also calls
 * `tf.enableProdMode()` once, which silences the "install tfjs-node" banner in Node and skips debug checks.
 *
 * @returns the name of the active backend (equal to `name`).
 */
export async function useBackend(name: BackendName): Promise<string> {
  if (name !== "cpu" && name !== "wasm" && name !== "webgpu") {
    fail("useBackend", "name", `must be "cpu", "wasm" or "webgpu"; got ${JSON.stringify(name)}`);
  }
  if (!prodModeSet) {
    prodModeSet = true;
    tf.enableProdMode();
  }
  if (!loaded.has(name)) {
    if (name === "cpu") await import("@tensorflow/tfjs-backend-cpu");
    else if (name === "wasm") await import("@tensorflow/tfjs-backend-wasm");
    else {
      const nav = (globalThis as { navigator?: { gpu?: unknown } }).navigator;
      if (!nav || !nav.gpu) {
        fail("useBackend", "name", `"webgpu" needs navigator.gpu (a WebGPU browser, or Node with the 'webgpu' package set up before this call); got no navigator.gpu`);
      }
      await import("@tensorflow/tfjs-backend-webgpu");
    }
    loaded.add(name);
  }
  let ok = false;
  try {
    ok = await tf.setBackend(name);
    await tf.ready();
  } catch (e) {
    fail("useBackend", "name", `backend "${name}" failed to initialise: ${(e as Error).message}`);
  }
  const active = tf.getBackend();
  if (!ok || active !== name) {
    fail("useBackend", "name", `backend "${name}" did not take (setBackend returned ${ok}; active backend is ${JSON.stringify(active)})`);
  }
  return active;
}

let prodModeSet = false;
