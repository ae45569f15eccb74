// Child process of webgpu-node.test.ts: runs the same small computations on tfjs "webgpu" (Dawn from
// the npm `webgpu` package, on Mesa lavapipe when VK_ICD_FILENAMES points at it) and on "cpu", and
// prints one JSON line: { ok, adapter, results: { webgpu: {...}, cpu: {...} } } or { ok: false, reason }.
// A separate process because LD_LIBRARY_PATH for lavapipe must be set before Node starts.
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
const dist = (m) => import(pathToFileURL(join(ROOT, "dist", m, "index.js")).href);
const say = (o) => process.stdout.write(JSON.stringify(o) + "\n");

let gpuPkg;
try {
  gpuPkg = await import("webgpu");
} catch (e) {
  say({ ok: false, reason: `cannot load the 'webgpu' package: ${e.message}` });
  process.exit(0);
}
Object.assign(globalThis, gpuPkg.globals);
const gpu = gpuPkg.create([]);
Object.defineProperty(globalThis, "navigator", { value: { gpu }, configurable: true, writable: true });
const adapter = await gpu.requestAdapter();
if (!adapter) {
  say({ ok: false, reason: "navigator.gpu.requestAdapter() returned null (no Vulkan driver Dawn accepts; run scripts/setup-webgpu.sh)" });
  process.exit(0);
}
const info = adapter.info ?? {};
const adapterInfo = { vendor: info.vendor ?? "", architecture: info.architecture ?? "", device: info.device ?? "", isFallbackAdapter: Boolean(adapter.isFallbackAdapter ?? info.isFallbackAdapter) };

const [core, nn, flow, model] = await Promise.all(["core", "nn", "flow", "model"].map(dist));
const tf = await import("@tensorflow/tfjs-core");

async function compute(backend) {
  await nn.useBackend(backend);
  const rng = new core.Rng(11);
  const out = { backend: tf.getBackend() };
  // 1. matMul + softmax on seeded data
  const a = tf.tensor2d(rng.normals(64 * 48), [64, 48]);
  const b = tf.tensor2d(rng.normals(48 * 32), [48, 32]);
  const y = tf.tidy(() => tf.softmax(tf.matMul(a, b)));
  out.softmax = Array.from(await y.data());
  tf.dispose([a, b, y]);
  // 2. attention from the nn module
  const q = tf.tensor3d(rng.normals(5 * 4 * 16), [5, 4, 16]); // [Tq, Hq, hd]
  const k = tf.tensor3d(rng.normals(9 * 2 * 16), [9, 2, 16]); // [Tk, Hkv, hd] (GQA, 2 query heads per KV head)
  const v = tf.tensor3d(rng.normals(9 * 2 * 16), [9, 2, 16]);
  const att = nn.attention(q, k, v, { causal: true, causalOffset: 4 });
  out.attention = Array.from(await att.data());
  tf.dispose([q, k, v, att]);
  // 3. the flow sampler (exact Gaussian velocity, 10 Euler steps, seeded noise)
  if (flow?.sample) {
    const mu = [0.5, -0.25, 0, 1, -1, 0.1, 0.3];
    const x = await flow.sample(flow.gaussianVelocity(mu, mu.map(() => 0.2)), { horizon: 10, actionDim: 7, seed: 3, numSteps: 10 });
    out.flow = Array.from(await x.data());
    x.dispose();
  }
  // 4. opt-in (VLA_WEBGPU_MODEL=1, ~40 s on lavapipe: shader compilation): the tiny MolmoAct2, random seeded weights
  if (model?.MolmoAct2 && process.env.VLA_WEBGPU_MODEL === "1") {
    const D = 4;
    const tag = { setupType: "arm", controlMode: "joint", actionHorizon: 4, actionDim: D, actionStats: { q01: Array(D).fill(-1), q99: Array(D).fill(1) }, stateStats: { q01: Array(D).fill(-1), q99: Array(D).fill(1) } };
    const m = new model.MolmoAct2({ config: model.TINY, params: model.initRandomParams(model.TINY, 5), tags: { t: tag } });
    const img = { data: new Uint8Array(56 * 56 * 3).map((_, i) => (i * 13) % 251), width: 56, height: 56, channels: 3 };
    const r = await m.predictActions({ images: [img], task: "go", state: [0.1, 0.2, 0.3, 0.4] }, { seed: 2, numSteps: 3 });
    out.model = r.ok ? r.normalized.flat() : { error: r.reason };
    m.dispose?.();
  }
  out.numTensors = tf.memory().numTensors;
  return out;
}

try {
  const webgpu = await compute("webgpu");
  const cpu = await compute("cpu");
  say({ ok: true, adapter: adapterInfo, results: { webgpu, cpu } });
} catch (e) {
  say({ ok: false, failed: true, adapter: adapterInfo, reason: String(e?.stack ?? e) });
}
process.exit(0);
