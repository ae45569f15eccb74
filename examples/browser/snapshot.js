// Opening a Hugging Face MolmoAct2 snapshot in the page: from a base URL (HTTP Range reads) or from a folder
// the user picked (`<input type="file" webkitdirectory>`), through `MolmoAct2.fromPretrained`, with load
// progress in a <progress> element.
import { formatBytes } from "./format.js";

/**
 * The picked files as a snapshot map for `fromPretrained`: keys relative to the picked folder
 * (`webkitRelativePath` minus its first segment, the folder's own name).
 */
export function filesFromPicker(fileList) {
  const map = {};
  for (const f of fileList) {
    const rel = (f.webkitRelativePath || f.name).split("/");
    const key = rel.length > 1 ? rel.slice(1).join("/") : rel[0];
    if (key) map[key] = f;
  }
  return map;
}

/** An absolute URL for `fromPretrained` (it reads `http(s)://` strings as URL folders): page-relative input is resolved. */
export function absoluteFolderUrl(input, base = location.href) {
  const u = new URL(String(input).trim(), base);
  if (!/^https?:$/.test(u.protocol)) throw new Error(`snapshot URL must be http(s); got ${JSON.stringify(String(input))}`);
  return u.href.endsWith("/") ? u.href : `${u.href}/`;
}

/**
 * Open `source` (absolute folder URL or file map) with `MolmoAct2.fromPretrained`; `ui`: `{ progress,
 * status }` elements updated as bytes arrive. Resolves `{ model, source, loadMs, totalBytes, events }`.
 */
export async function openSnapshot(modelModule, source, ui = {}, opts = {}) {
  const t0 = performance.now();
  const label = typeof source === "string" ? source : `${Object.keys(source).length} picked files`;
  const events = [];
  let totalBytes = 0;
  const show = (text) => ui.status && (ui.status.textContent = text);
  show(`opening ${label}…`);
  if (ui.progress) {
    ui.progress.value = 0;
    ui.progress.max = 1;
    ui.progress.hidden = false;
  }
  const model = await modelModule.MolmoAct2.fromPretrained(source, {
    ...opts,
    onProgress: (p) => {
      totalBytes = p.totalBytes;
      if (events.length < 4 || p.phase !== "weights") events.push({ phase: p.phase, loadedBytes: p.loadedBytes, totalBytes: p.totalBytes });
      else events[events.length - 1] = { phase: p.phase, loadedBytes: p.loadedBytes, totalBytes: p.totalBytes };
      if (ui.progress) {
        ui.progress.max = Math.max(1, p.totalBytes);
        ui.progress.value = p.loadedBytes;
      }
      const pct = p.totalBytes > 0 ? Math.round((100 * p.loadedBytes) / p.totalBytes) : 0;
      show(`${p.phase === "done" ? "loaded" : "loading"} ${formatBytes(p.loadedBytes)} of ${formatBytes(p.totalBytes)} (${pct} %)${p.tensor ? ` · ${p.tensor}` : ""}`);
    },
  });
  const loadMs = performance.now() - t0;
  return { model, source: label, loadMs, totalBytes, events };
}
