import * as tf from "@tensorflow/tfjs-core";
import { fail } from "../core/index.js";

/** Backends the library is tested on. */
export type BackendName = "cpu" | "wasm" | "webgpu";

const loaded = new Set<BackendName>();

/**
 * The process events whose handlers tfjs-backend-wasm's emscripten runtime installs in Node when the backend
 * initialises. Its handlers re-throw from inside the handler, so any later uncaught error of the *user's* script
 * made Node exit with code 7 ("internal exception handler failure") and print the minified source line of the
 * re-throw (~38 KB under tsx) instead of the error. tfjs never relies on them (they only swallow emscripten's own
 * `ExitStatus`, thrown when a program calls `exit()`, which tfjs does not), so `useBackend` removes exactly the
 * handlers added while the backend loaded and Node reports errors itself again, with its usual exit code.
 */
const PROCESS_EVENTS = ["uncaughtException", "unhandledRejection"] as const;

type Listener = (...args: unknown[]) => void;
type NodeProcessLike = { listeners(e: string): Listener[]; removeListener(e: string, l: Listener): unknown };

function nodeProcess(): NodeProcessLike | undefined {
  const p = (globalThis as { process?: Partial<NodeProcessLike> }).process;
  return p && typeof p.listeners === "function" && typeof p.removeListener === "function" ? (p as NodeProcessLike) : undefined;
}

/** The current handlers of {@link PROCESS_EVENTS} (null outside Node). */
function snapshotHandlers(): Map<string, Set<Listener>> | null {
  const p = nodeProcess();
  return p ? new Map(PROCESS_EVENTS.map((e) => [e, new Set(p.listeners(e))])) : null;
}

/** Remove the handlers added since `before` (the emscripten runtime's). */
function removeAddedHandlers(before: Map<string, Set<Listener>> | null): void {
  const p = nodeProcess();
  if (!p || !before) return;
  for (const e of PROCESS_EVENTS) {
    for (const l of p.listeners(e)) if (!before.get(e)!.has(l)) p.removeListener(e, l);
  }
}

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
 * For `wasm` in Node it removes the `uncaughtException` / `unhandledRejection` handlers that the emscripten runtime
 * installs, so an error in the caller's own script is printed by Node with its stack and exit code 1.
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
  // wasm: the emscripten runtime adds process handlers while the package loads and the backend initialises
  const handlersBefore = name === "wasm" ? snapshotHandlers() : null;
  try {
    return await activate(name);
  } finally {
    removeAddedHandlers(handlersBefore);
  }
}

async function activate(name: BackendName): Promise<string> {
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
