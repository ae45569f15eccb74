// Browser entry of the demo: pick a tfjs backend, load the library's faces from /dist, run the
// shared pipeline, draw it, and expose everything on window.__result (read by the headless test).
import * as tf from "@tensorflow/tfjs-core";
import { runPipeline } from "./pipeline.js";

const WASM_PATH = "/node_modules/@tensorflow/tfjs-backend-wasm/dist/";
const $ = (id) => document.getElementById(id);
const status = (text) => ($("status").textContent = text);

async function optional(name) {
  try {
    return await import(`/dist/${name}/index.js`);
  } catch (e) {
    console.warn(`module ${name} not available: ${e.message}`);
    return null;
  }
}

/** `?backend=webgpu|wasm|cpu`, default auto: WebGPU when navigator.gpu gives an adapter, else wasm. */
async function pickBackend(requested) {
  let adapterInfo = null;
  if (navigator.gpu) {
    try {
      const adapter = await navigator.gpu.requestAdapter();
      if (adapter) {
        const info = adapter.info ?? (adapter.requestAdapterInfo ? await adapter.requestAdapterInfo() : {});
        adapterInfo = { vendor: info.vendor ?? "", architecture: info.architecture ?? "", isFallbackAdapter: Boolean(adapter.isFallbackAdapter ?? info.isFallbackAdapter) };
      }
    } catch (e) {
      console.warn("requestAdapter failed", e);
    }
  }
  const name = requested === "webgpu" || requested === "wasm" || requested === "cpu" ? requested : adapterInfo ? "webgpu" : "wasm";
  return { name, adapterInfo };
}

function drawFrame(result, image) {
  const c = $("frame");
  const ctx = c.getContext("2d");
  const { width, height, data } = image;
  const rgba = new ImageData(width, height);
  for (let i = 0, j = 0; i < width * height; i++, j += 3) rgba.data.set([data[j], data[j + 1], data[j + 2], 255], i * 4);
  const tmp = new OffscreenCanvas(width, height);
  tmp.getContext("2d").putImageData(rgba, 0, 0);
  ctx.imageSmoothingEnabled = false;
  ctx.drawImage(tmp, 0, 0, c.width, c.height);
  const g = result.depth.grid;
  const cw = c.width / g;
  const ch = c.height / g;
  ctx.strokeStyle = "rgba(255,255,255,0.35)";
  for (let k = 0; k <= g; k++) {
    ctx.beginPath(); ctx.moveTo(k * cw, 0); ctx.lineTo(k * cw, c.height); ctx.stroke();
    ctx.beginPath(); ctx.moveTo(0, k * ch); ctx.lineTo(c.width, k * ch); ctx.stroke();
  }
  ctx.lineWidth = 2;
  ctx.strokeStyle = "#ff2d2d";
  ctx.fillStyle = "rgba(255,45,45,0.18)";
  for (const k of result.depth.changed) {
    const x = (k % g) * cw;
    const y = Math.floor(k / g) * ch;
    ctx.fillRect(x, y, cw, ch);
    ctx.strokeRect(x + 1, y + 1, cw - 2, ch - 2);
  }
}

function drawChunk(chunk) {
  const svg = $("plot");
  const W = 420, H = 240, pad = 24;
  const ns = "http://www.w3.org/2000/svg";
  svg.replaceChildren();
  const flat = chunk.flat();
  const lo = Math.min(...flat, -1), hi = Math.max(...flat, 1);
  const x = (t) => pad + (t * (W - 2 * pad)) / Math.max(1, chunk.length - 1);
  const y = (v) => H - pad - ((v - lo) * (H - 2 * pad)) / (hi - lo || 1);
  const axis = document.createElementNS(ns, "line");
  Object.entries({ x1: pad, x2: W - pad, y1: y(0), y2: y(0), stroke: "#bbb" }).forEach(([k, v]) => axis.setAttribute(k, v));
  svg.append(axis);
  const colors = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f"];
  for (let d = 0; d < chunk[0].length; d++) {
    const p = document.createElementNS(ns, "polyline");
    p.setAttribute("points", chunk.map((row, t) => `${x(t).toFixed(1)},${y(row[d]).toFixed(1)}`).join(" "));
    p.setAttribute("fill", "none");
    p.setAttribute("stroke", colors[d % colors.length]);
    p.setAttribute("stroke-width", "2");
    svg.append(p);
  }
}

async function main() {
  const params = new URLSearchParams(location.search);
  const t0 = performance.now();
  const backend = await pickBackend(params.get("backend") ?? "auto");
  if (backend.name === "wasm") {
    const wasm = await import("@tensorflow/tfjs-backend-wasm");
    wasm.setWasmPaths(WASM_PATH);
  }
  const [core, depth, tokenizer, nn, model, flow] = await Promise.all(["core", "depth", "tokenizer", "nn", "model", "flow"].map(optional));
  if (!core || !depth || !tokenizer) throw new Error("dist/ lacks core, depth or tokenizer: run `npx tsup` first");
  if (nn) await nn.useBackend(backend.name);
  else {
    await import(`@tensorflow/tfjs-backend-${backend.name}`);
    if (!(await tf.setBackend(backend.name))) throw new Error(`tf.setBackend(${backend.name}) returned false`);
  }
  const active = tf.getBackend();
  $("backend").textContent = `backend: ${active}${backend.adapterInfo ? ` (adapter: ${backend.adapterInfo.vendor} ${backend.adapterInfo.architecture})` : ""}`;
  status(`backend ${active} ready; loading FAST+…`);
  const fastPlus = await tokenizer.OpenFastTokenizer.fetch("/assets/fast-plus/");
  status(`running the tiny MolmoAct2 on ${active}…`);
  const seed = Number(params.get("seed") ?? "7");
  const result = await runPipeline({ core, depth, tokenizer, model, flow }, fastPlus, { seed });
  const { makeFrames } = await import("./pipeline.js");
  drawFrame(result, makeFrames(core, seed).curr);
  drawChunk(result.chunk);
  $("tokens").textContent = `FAST+ tokens of a 30×7 trajectory (${result.trajectory.numTokens}): ${result.trajectory.tokens.join(" ")}`;
  const out = { ...result, backend: active, requestedBackend: params.get("backend") ?? "auto", adapter: backend.adapterInfo, numTensors: tf.memory().numTensors, totalMs: performance.now() - t0 };
  status(JSON.stringify({ backend: out.backend, policy: out.policy.kind, changedCells: out.depth.changedCount, tokens: out.trajectory.numTokens, timings: out.timings }, null, 2));
  window.__result = out;
}

main().catch((e) => {
  console.error(e);
  status(`error: ${e?.stack ?? e}`);
  window.__result = { ok: false, error: String(e?.message ?? e), stack: String(e?.stack ?? "") };
});
