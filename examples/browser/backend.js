// Which tfjs backend the demo runs on. `?backend=webgpu|wasm|cpu` is obeyed as asked; the automatic choice
// takes WebGPU only from a hardware adapter: a software or fallback adapter (SwiftShader in headless
// Chromium, llvmpipe/lavapipe, WARP) runs the tiny model ~40× slower than wasm (12.5 s against 0.3 s per
// chunk), so auto picks wasm there and says why. Pure functions, so the Node tests check the rule directly.

export const BACKENDS = ["webgpu", "wasm", "cpu"];

const SOFTWARE = /swiftshader|llvmpipe|lavapipe|softpipe|software|basic render|\bwarp\b/i;

/**
 * What a `GPUAdapter` says about itself (`adapter.info`, or the older `requestAdapterInfo()` result):
 * `{ vendor, architecture, device, description, isFallbackAdapter, software, label }`. `software` is true for
 * a fallback adapter and for a known CPU rasteriser named in the info.
 */
export function describeAdapter(info, isFallbackAdapter = false) {
  const s = (v) => (typeof v === "string" ? v : "");
  const vendor = s(info?.vendor);
  const architecture = s(info?.architecture);
  const device = s(info?.device);
  const description = s(info?.description);
  const fallback = Boolean(isFallbackAdapter || info?.isFallbackAdapter);
  const software = fallback || SOFTWARE.test([vendor, architecture, device, description].join(" "));
  const label = [vendor, architecture].filter(Boolean).join(" ") || description || device || "unnamed adapter";
  return { vendor, architecture, device, description, isFallbackAdapter: fallback, software, label };
}

/** The adapter `navigator.gpu` offers (described), or null when there is none or asking fails. */
export async function probeAdapter(gpu = globalThis.navigator?.gpu) {
  if (!gpu) return null;
  try {
    const adapter = await gpu.requestAdapter({ powerPreference: "high-performance" });
    if (!adapter) return null;
    const info = adapter.info ?? (typeof adapter.requestAdapterInfo === "function" ? await adapter.requestAdapterInfo() : {});
    return describeAdapter(info, adapter.isFallbackAdapter);
  } catch (e) {
    console.warn("navigator.gpu.requestAdapter() failed:", e);
    return null;
  }
}

/**
 * Decide the backend. `requested`: "auto" (or null/"") or one of {@link BACKENDS}; `adapter`: from
 * {@link probeAdapter}. Returns `{ name, requested, reason, adapter, skippedAdapter }`: `adapter` only when
 * WebGPU is used, `skippedAdapter` when auto passed over a software one. Throws on an unknown name and on
 * `webgpu` without any adapter.
 */
export function chooseBackend(requested, adapter) {
  const want = requested === null || requested === undefined || requested === "" ? "auto" : String(requested);
  if (want !== "auto" && !BACKENDS.includes(want)) throw new Error(`?backend= must be auto, ${BACKENDS.join(", ")}; got ${JSON.stringify(want)}`);
  if (want === "webgpu") {
    if (!adapter) throw new Error("?backend=webgpu: this browser offers no WebGPU adapter (navigator.gpu missing or requestAdapter() gave null); use ?backend=wasm");
    return { name: "webgpu", requested: want, reason: adapter.software ? `asked for with ?backend=webgpu (a software adapter: slow)` : "asked for with ?backend=webgpu", adapter, skippedAdapter: null };
  }
  if (want !== "auto") return { name: want, requested: want, reason: `asked for with ?backend=${want}`, adapter: null, skippedAdapter: null };
  if (adapter && !adapter.software) return { name: "webgpu", requested: want, reason: "auto: hardware WebGPU adapter", adapter, skippedAdapter: null };
  if (adapter) {
    const why = adapter.isFallbackAdapter ? "a fallback adapter" : "a software adapter";
    return { name: "wasm", requested: want, reason: `auto: WebGPU offered only ${why} (${adapter.label}), slower than wasm; ?backend=webgpu uses it anyway`, adapter: null, skippedAdapter: adapter };
  }
  return { name: "wasm", requested: want, reason: "auto: no WebGPU adapter", adapter: null, skippedAdapter: null };
}

/** The one-line label the page shows: the backend, and the adapter only when WebGPU runs on it. */
export function backendLabel(choice, extras = []) {
  const parts = [choice.name];
  if (choice.name === "webgpu" && choice.adapter) parts.push(`adapter: ${choice.adapter.label}${choice.adapter.software ? " (software)" : ""}`);
  parts.push(...extras.filter(Boolean));
  return parts.join(" · ");
}
