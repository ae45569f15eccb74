// The predicted action chunk as an SVG of small multiples: one panel per joint with its name and unit, a time
// axis in seconds and a value axis with ticks, the prediction (solid) over the recorded actions of the same
// second (dashed), and one legend. Plain DOM, no chart library.
import { formatTick, niceTicks } from "./format.js";

const NS = "http://www.w3.org/2000/svg";
const COLORS = { predicted: "#1f6feb", recorded: "#6e7781" };

function el(name, attrs = {}, text) {
  const e = document.createElementNS(NS, name);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  if (text !== undefined) e.textContent = text;
  return e;
}

/** Rendered width of an SVG text element (or `fallback` where layout is unavailable). */
function textWidth(text, fallback) {
  try {
    return text.getComputedTextLength() || fallback;
  } catch {
    return fallback;
  }
}

const points = (rows, d, x, y) => rows.map((row, t) => `${x(t).toFixed(1)},${y(row[d]).toFixed(1)}`).join(" ");

/**
 * Draw into `svg`. `chunk`: `{ predicted: [H][D], recorded?: [H][D], names?: [D], units?: [D], fps, start,
 * predictedLabel, recordedLabel }`. Returns `{ panels, width, height }`.
 */
export function drawChunkPlot(svg, chunk) {
  const { predicted, recorded, fps = 30, start = 0 } = chunk;
  const H = predicted.length;
  const D = predicted[0].length;
  const names = chunk.names?.length === D ? chunk.names : Array.from({ length: D }, (_, d) => `dim ${d}`);
  const units = chunk.units?.length === D ? chunk.units : new Array(D).fill("");
  const labels = chunk.labels?.length === D ? chunk.labels : names;
  const cols = D > 12 ? 7 : Math.min(D, 4);
  const rows = Math.ceil(D / cols);
  const pw = 152;
  const ph = 112;
  const legendH = 30;
  const footH = 30;
  const W = cols * pw + 8;
  const Hpx = legendH + rows * ph + footH;
  svg.replaceChildren();
  svg.setAttribute("viewBox", `0 0 ${W} ${Hpx}`);
  svg.setAttribute("width", String(W));
  svg.setAttribute("height", String(Hpx));
  svg.setAttribute("role", "img");
  svg.append(el("title", {}, `Predicted action chunk, ${H} steps × ${D} joints, against the recorded actions`));

  // legend: entries placed one after the other by their measured text width
  const legend = el("g", { class: "legend", transform: "translate(8, 16)" });
  svg.append(legend);
  let lx = 0;
  const entry = (cls, label, dash) => {
    legend.append(el("line", { x1: lx, x2: lx + 26, y1: 0, y2: 0, stroke: COLORS[cls], "stroke-width": 2.2, ...(dash ? { "stroke-dasharray": "5 3" } : {}) }));
    const text = el("text", { x: lx + 32, y: 4, class: `legend-${cls}` }, label);
    legend.append(text);
    lx += 32 + textWidth(text, label.length * 6.5) + 28;
  };
  entry("predicted", chunk.predictedLabel ?? "predicted chunk");
  if (recorded?.length) entry("recorded", chunk.recordedLabel ?? "recorded actions", true);

  // step t is executed at t/fps: the chunk covers [0, H/fps)
  const t1 = H / fps;
  const xt = niceTicks(0, t1, 2);
  const xTicks = xt.ticks.filter((v) => v <= t1 + 1e-9);
  for (let d = 0; d < D; d++) {
    const ox = 8 + (d % cols) * pw;
    const oy = legendH + Math.floor(d / cols) * ph;
    const g = el("g", { class: "panel", "data-joint": names[d], transform: `translate(${ox}, ${oy})` });
    const left = 38;
    const right = pw - 8;
    const top = 18;
    const bottom = ph - 20;
    const series = [predicted.map((r) => r[d]), ...(recorded?.length ? [recorded.map((r) => r[d])] : [])].flat();
    const yt = niceTicks(Math.min(...series), Math.max(...series), 3);
    const x = (t) => left + ((t / fps) * (right - left)) / t1;
    const y = (v) => bottom - ((v - yt.lo) * (bottom - top)) / (yt.hi - yt.lo);
    const title = el("text", { class: "title", x: 4, y: 12 }, units[d] ? `${labels[d]} (${units[d]})` : labels[d]);
    g.append(title);
    g.append(el("rect", { x: left, y: top, width: right - left, height: bottom - top, fill: "#fff", stroke: "#d0d7de" }));
    const yAxis = el("g", { class: "axis y" });
    for (const v of yt.ticks) {
      yAxis.append(el("line", { x1: left - 3, x2: right, y1: y(v), y2: y(v), stroke: v === 0 ? "#afb8c1" : "#eaeef2" }));
      yAxis.append(el("text", { x: left - 5, y: y(v) + 3.5, "text-anchor": "end" }, formatTick(v, yt.step)));
    }
    const xAxis = el("g", { class: "axis x" });
    for (const v of xTicks) {
      const px = x(v * fps);
      xAxis.append(el("line", { x1: px, x2: px, y1: bottom, y2: bottom + 3, stroke: "#57606a" }));
      xAxis.append(el("text", { x: px, y: bottom + 13, "text-anchor": "middle" }, formatTick(v, xt.step)));
    }
    g.append(yAxis, xAxis);
    if (recorded?.length) {
      g.append(el("polyline", { class: "recorded", points: points(recorded, d, x, y), fill: "none", stroke: COLORS.recorded, "stroke-width": 1.4, "stroke-dasharray": "5 3" }));
    }
    g.append(el("polyline", { class: "predicted", points: points(predicted, d, x, y), fill: "none", stroke: COLORS.predicted, "stroke-width": 1.8 }));
    svg.append(g);
    if (textWidth(title, 0) > pw - 8) {
      title.setAttribute("textLength", String(pw - 8)); // squeeze the longest joint names into their panel
      title.setAttribute("lengthAdjust", "spacingAndGlyphs");
    }
  }
  svg.append(el("text", { class: "axis-title x", x: W / 2, y: Hpx - 8, "text-anchor": "middle" }, `time after frame ${start} (s, ${fps} Hz) · each panel: one joint, value axis in its unit`));
  return { panels: D, width: W, height: Hpx };
}
