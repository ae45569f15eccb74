// Browser entry of the demo: choose a tfjs backend, load the library's faces from /dist, run the shared
// pipeline on the shipped G1 scene, draw it, keep the depth overlay live (G1 frames or the webcam), and let
// the user re-run the policy or open a Hugging Face snapshot. Everything is mirrored on window.__result
// (read by the headless test); window.__demo exposes the loaded modules for tests that drive the page.
//
// Query: ?backend=auto|webgpu|wasm|cpu  ?seed=N  ?play=0 (no animation)  ?run=0 (set up only)
//        ?snapshot=URL (open that snapshot after the first run)
import * as tf from "@tensorflow/tfjs-core";
import { backendLabel, chooseBackend, probeAdapter } from "./backend.js";
import { formatBytes, formatMs } from "./format.js";
import { drawOverlay, loadFrame, sha256Hex, startWebcam } from "./frames.js";
import { DEMO, jointLabel, predictChunk, runPipeline, tinyModel, unitOf } from "./pipeline.js";
import { drawChunkPlot } from "./plot.js";
import { absoluteFolderUrl, filesFromPicker, openSnapshot } from "./snapshot.js";
import { renderTimings, renderTokens, timingRows } from "./ui.js";

const WASM_PATH = "/node_modules/@tensorflow/tfjs-backend-wasm/dist/";
const $ = (id) => document.getElementById(id);
const params = new URLSearchParams(location.search);
const status = (text, error = false) => {
  $("status").textContent = text;
  $("status").className = error ? "error" : "";
};
const S = { source: "g1", playing: params.get("play") !== "0", busy: false, snapshot: null, webcam: null, liveTimes: [] };
window.__demo = { ready: false };

async function setUpBackend() {
  const adapter = await probeAdapter();
  const choice = chooseBackend(params.get("backend") ?? "auto", adapter);
  if (choice.name === "wasm") (await import("@tensorflow/tfjs-backend-wasm")).setWasmPaths(WASM_PATH);
  const nn = await import("/dist/nn/index.js");
  await nn.useBackend(choice.name);
  const extras = [];
  if (choice.name === "wasm") {
    const simd = await tf.env().getAsync("WASM_HAS_SIMD_SUPPORT").catch(() => false);
    const threads = await tf.env().getAsync("WASM_HAS_MULTITHREAD_SUPPORT").catch(() => false);
    extras.push(simd ? "SIMD" : "no SIMD", threads ? "threads" : "1 thread");
  }
  const label = backendLabel({ ...choice, name: tf.getBackend() }, extras);
  $("backend").textContent = `backend: ${label}`;
  $("backend-note").textContent = choice.reason;
  $("backend-select").value = choice.requested;
  return { ...choice, active: tf.getBackend(), label: $("backend").textContent };
}

async function loadScene() {
  const files = DEMO.frameFiles.map((f) => `/${DEMO.framesDir}/${f}`);
  const [frames, episode] = await Promise.all([Promise.all(files.map(loadFrame)), fetch(`/${DEMO.episodeFile}`).then((r) => r.json())]);
  return { frames, episode, sha256: await Promise.all(frames.map((f) => sha256Hex(f.rgb.data))) };
}

function plotResult(policy, episode) {
  const dim = policy.dim;
  const names = episode.action_names?.length === dim ? episode.action_names : null;
  const recorded = names ? episode.action.slice(DEMO.frame, DEMO.frame + policy.horizon) : null;
  const info = drawChunkPlot($("plot"), {
    predicted: policy.actions,
    recorded,
    names: names ?? undefined,
    labels: names?.map(jointLabel),
    units: names?.map(unitOf),
    fps: episode.fps,
    start: DEMO.frame,
    predictedLabel: `predicted by ${policy.kind === "snapshot" ? "the snapshot" : "the tiny random-weight MolmoAct2"} (${policy.horizon} steps, robot units)`,
    recordedLabel: `recorded actions, episode 1, frames ${DEMO.frame}–${DEMO.frame + policy.horizon - 1}`,
  });
  $("plot-title").textContent = `Predicted action chunk: ${policy.horizon} steps × ${dim} joints — ${policy.label}`;
  $("plot-caption").textContent =
    `Input: ${S.source === "webcam" ? "the latest webcam frame" : `camera frame ${DEMO.frame}`}, the task text and ${policy.stateFromEpisode ? `the recorded state at frame ${DEMO.frame}` : "the middle of the tag's state range"} (tag ${policy.normTag}). ` +
    (policy.kind === "snapshot" ? "" : "Random weights: the chunk has the right shape and units, not a trained policy's motion.");
  return info;
}

function render(result) {
  renderTokens($("tokens-summary"), $("token-ids"), result.trajectory, result.names, result.fps);
  if (result.policy.ok) result.plot = plotResult(result.policy, S.scene.episode);
  else $("plot-caption").textContent = `policy failed: ${result.policy.reason}: ${result.policy.message}`;
  const extra = S.snapshot ? [{ stage: `snapshot load (fromPretrained, ${formatBytes(S.snapshot.totalBytes)})`, ms: S.snapshot.loadMs }] : [];
  result.timings = timingRows(result, extra);
  renderTimings($("timings").tBodies[0], result.timings, result.policy);
}

function showLive(boxes, mask, text) {
  $("live").textContent = text;
  Object.assign(window.__result.live, { source: S.source, boxes, changedCount: mask.reduce((a, b) => a + b, 0), text });
}

function liveMs() {
  const t = S.liveTimes.slice(-30);
  return t.length ? t.reduce((a, b) => a + b, 0) / t.length : NaN;
}

/** One detector step on `rgb`, drawn over `drawable`. */
function detect(rgb, drawable, caption) {
  const t0 = performance.now();
  const det = S.detector.push(rgb);
  S.liveTimes.push(performance.now() - t0);
  const boxes = drawOverlay($("frame"), drawable, det.mask);
  window.__result.live.frames++;
  showLive(boxes, det.mask, det.first ? `${caption}: first frame, nothing to compare yet` : `${caption}: ${det.changedCount} of 100 cells changed · detector ${formatMs(liveMs())} per frame${S.detector.simd ? " (wasm SIMD)" : ""}`);
  return det;
}

function g1Step() {
  if (S.source !== "g1") return;
  S.g1Index = 1 - S.g1Index;
  const i = S.g1Index;
  S.current = S.scene.frames[0].rgb;
  detect(S.scene.frames[i].rgb, S.scene.frames[i].bitmap, `frame ${DEMO.frame + i} vs ${DEMO.frame + 1 - i}`);
}

async function setSource(kind) {
  $("src-g1").classList.toggle("on", kind === "g1");
  $("src-webcam").classList.toggle("on", kind === "webcam");
  S.webcam?.stop();
  S.webcam = null;
  S.source = kind;
  S.detector = new S.mods.depth.DepthChangeDetector();
  S.liveTimes = [];
  if (kind === "g1") {
    S.g1Index = 0;
    S.detector.push(S.scene.frames[0].rgb);
    g1Step();
    return;
  }
  try {
    S.webcam = await startWebcam($("video"), (rgb, video) => {
      S.current = rgb;
      if (S.playing) detect(rgb, video, "webcam");
    });
  } catch (e) {
    $("live").textContent = `webcam unavailable: ${e.message}`;
    window.__result.live.error = String(e.message);
    await setSource("g1");
  }
}

async function runPolicy() {
  if (S.busy) return;
  S.busy = true;
  $("run").disabled = true;
  status(`running the policy on ${tf.getBackend()}…`);
  try {
    const seed = Number($("seed").value) || 0;
    const task = $("task").value;
    const useSnapshot = $("model-kind").value === "snapshot" && S.snapshot;
    const model = useSnapshot ? S.snapshot.model : tinyModel(S.mods, S.scene.episode, seed);
    const t0 = performance.now();
    let chunk;
    try {
      chunk = await predictChunk(model, S.current, S.scene.episode, { seed, task });
    } finally {
      if (!useSnapshot) model.dispose();
    }
    const r = window.__result;
    r.policy = { kind: useSnapshot ? "snapshot" : "MolmoAct2-tiny", label: useSnapshot ? `snapshot ${S.snapshot.source}` : "tiny MolmoAct2 (TINY, random weights)", seed, wallMs: performance.now() - t0, ...chunk };
    r.task = task;
    r.runs++;
    r.numTensors = tf.memory().numTensors;
    render(r);
    status(r.policy.ok ? `policy ran on ${tf.getBackend()} in ${formatMs(r.policy.timings.totalMs)} (run ${r.runs})` : `policy failed: ${r.policy.reason}`, !r.policy.ok);
  } catch (e) {
    console.error(e);
    status(`error: ${e?.message ?? e}`, true);
    window.__result.lastError = String(e?.message ?? e);
  } finally {
    S.busy = false;
    $("run").disabled = false;
  }
}

async function useSnapshot(source) {
  const ui = { progress: $("snapshot-progress"), status: $("snapshot-status") };
  try {
    S.snapshot?.model.dispose();
    S.snapshot = null;
    const opened = await openSnapshot(S.mods.model, source, ui);
    S.snapshot = opened;
    const opt = $("model-kind").querySelector("option[value=snapshot]");
    opt.disabled = false;
    opt.textContent = `snapshot: ${opened.source}`;
    $("model-kind").value = "snapshot";
    ui.status.textContent += ` · in ${formatMs(opened.loadMs)} · tags: ${Object.keys(opened.model.tags).join(", ")}`;
    window.__result.snapshot = { source: opened.source, loadMs: opened.loadMs, totalBytes: opened.totalBytes, progress: opened.events, status: ui.status.textContent };
    await runPolicy();
  } catch (e) {
    console.error(e);
    ui.status.textContent = `could not open the snapshot: ${e?.message ?? e}`;
    window.__result.snapshot = { error: String(e?.message ?? e) };
  }
}

function wire(offered) {
  $("src-g1").onclick = () => setSource("g1");
  $("src-webcam").onclick = () => setSource("webcam");
  $("play").onclick = () => {
    S.playing = !S.playing;
    $("play").textContent = S.playing ? "pause" : "play";
    $("play").classList.toggle("on", S.playing);
  };
  $("run").onclick = runPolicy;
  $("backend-select").onchange = (e) => {
    params.set("backend", e.target.value);
    location.search = params.toString();
  };
  $("snapshot-open").onclick = () => {
    let url;
    try {
      url = absoluteFolderUrl($("snapshot-url").value);
    } catch (e) {
      $("snapshot-status").textContent = e.message;
      return;
    }
    useSnapshot(url);
  };
  $("snapshot-dir").onchange = (e) => e.target.files.length && useSnapshot(filesFromPicker(e.target.files));
  if (offered) {
    $("snapshot-served").hidden = false;
    $("snapshot-served").textContent = `open the served reference snapshot (${offered})`;
    $("snapshot-served").onclick = () => useSnapshot(absoluteFolderUrl(offered));
    $("snapshot-url").value = absoluteFolderUrl(offered);
  }
  setInterval(() => S.playing && g1Step(), 900);
}

async function main() {
  const t0 = performance.now();
  $("task").value = DEMO.task;
  $("seed").value = params.get("seed") ?? String(DEMO.seed);
  const backend = await setUpBackend();
  const names = ["core", "depth", "tokenizer", "normalize", "model", "io"];
  const mods = Object.fromEntries(await Promise.all(names.map(async (n) => [n, await import(`/dist/${n}/index.js`)])));
  const demoInfo = await fetch("/@demo.json").then((r) => (r.ok ? r.json() : {})).catch(() => ({}));
  Object.assign(S, { mods, backend });
  Object.assign(window.__demo, { mods, backend, loadFrame, sha256Hex, snapshotOffered: demoInfo.snapshot ?? null, ready: true });
  if (params.get("run") === "0") return status(`backend ${backend.active} ready (run=0: nothing computed)`);

  status(`backend ${backend.active}; loading the G1 frames, the episode and FAST+…`);
  const [scene, fastPlus] = await Promise.all([loadScene(), mods.tokenizer.OpenFastTokenizer.fetch("/assets/fast-plus/")]);
  S.scene = scene;
  S.current = scene.frames[0].rgb;
  status(`running the tiny MolmoAct2 on ${backend.active}…`);
  const seed = Number($("seed").value) || 0;
  const result = await runPipeline(mods, fastPlus, { frames: scene.frames.map((f) => f.rgb), episode: scene.episode }, { seed, task: $("task").value });
  Object.assign(result, {
    backend: tf.getBackend(),
    requestedBackend: backend.requested,
    backendChoice: { name: backend.name, reason: backend.reason, adapter: backend.adapter, skippedAdapter: backend.skippedAdapter },
    backendLabel: backend.label,
    adapter: backend.adapter,
    frameSha256: scene.sha256,
    live: { source: "g1", frames: 0, boxes: 0, changedCount: 0, text: "" },
    snapshot: { offered: demoInfo.snapshot ?? null },
    runs: 1,
  });
  window.__result = result;
  render(result);
  wire(demoInfo.snapshot ?? null);
  await setSource("g1");
  result.overlay = { boxes: result.live.boxes, changed: result.depth.changed };
  result.numTensors = tf.memory().numTensors;
  result.totalMs = performance.now() - t0;
  $("run").disabled = false;
  status(`done on ${result.backend} in ${formatMs(result.totalMs)} (modules, frames, FAST+, policy)`);
  window.__demo.done = true;
  if (params.get("snapshot")) await useSnapshot(absoluteFolderUrl(params.get("snapshot")));
}

main().catch((e) => {
  console.error(e);
  status(`error: ${e?.stack ?? e}`, true);
  window.__result = { ok: false, error: String(e?.message ?? e), stack: String(e?.stack ?? "") };
});
