// Text panels of the demo page: the FAST+ summary and token ids, and the timings table. Every number on
// screen goes through format.js.
import { jointLabel, unitOf } from "./pipeline.js";
import { formatMs, formatRate, formatSmall } from "./format.js";

function kv(dl, pairs) {
  dl.replaceChildren();
  for (const [k, v] of pairs) {
    const dt = document.createElement("dt");
    dt.textContent = k;
    const dd = document.createElement("dd");
    dd.textContent = v;
    dl.append(dt, dd);
  }
}

/** The FAST+ panel: counts, compression, round-trip error (normalised and worst joint in its unit), the ids. */
export function renderTokens(dl, idsEl, traj, names, fps) {
  if (!traj.ok) {
    kv(dl, [["FAST+", `decode failed: ${traj.reason} ${traj.message}`]]);
    idsEl.textContent = traj.tokens.join(" ");
    return;
  }
  const worst = traj.roundTripMaxAbsErrorRobot.reduce((best, v, d) => (v > traj.roundTripMaxAbsErrorRobot[best] ? d : best), 0);
  const name = names?.[worst] ?? `dim ${worst}`;
  kv(dl, [
    ["chunk", `recorded actions, frames ${traj.start}–${traj.start + traj.horizon - 1} (${(traj.horizon / fps).toFixed(1)} s) × ${traj.dim} joints = ${traj.values} values`],
    ["tokens", `${traj.numTokens} FAST+ tokens (${(traj.values / traj.numTokens).toFixed(1)} values per token)`],
    ["round trip", `max |decode(encode(a)) − a| = ${formatSmall(traj.roundTripMaxAbsError)} normalised (q01/q99 → [−1, 1])`],
    ["worst joint", `${jointLabel(name)}: ${formatSmall(traj.roundTripMaxAbsErrorRobot[worst])} ${unitOf(name)}`],
  ]);
  idsEl.textContent = traj.tokens.join(" ");
}

/** Rows `{ stage, ms, text }` of the timings table for one result (and optional extra rows first). */
export function timingRows(result, extra = []) {
  const rows = [...extra];
  rows.push({ stage: "depth cells: changedCells, two 640×480 frames → 100 cells", ms: result.depth.ms });
  if (result.trajectory) {
    rows.push({ stage: `FAST+ encode, ${result.trajectory.horizon} × ${result.trajectory.dim}`, ms: result.trajectory.encodeMs });
    rows.push({ stage: "FAST+ decode", ms: result.trajectory.decodeMs });
  }
  const p = result.policy;
  if (p?.ok) {
    const t = p.timings;
    rows.push({ stage: "policy · vision (ViT + connector)", ms: t.visionMs });
    rows.push({ stage: `policy · prefill (LLM, ${p.trace.promptTokens} tokens)`, ms: t.prefillMs });
    if (t.depthMs > 0) rows.push({ stage: "policy · depth codes (Think)", ms: t.depthMs });
    if (t.expertMs > 0) rows.push({ stage: `policy · action expert (${p.trace.flowSteps} flow steps)`, ms: t.expertMs });
    if (t.decodeMs > 0) rows.push({ stage: "policy · discrete decode", ms: t.decodeMs });
    rows.push({ stage: "policy · total per chunk", ms: t.totalMs, total: true });
  }
  return rows.map((r) => ({ ...r, text: formatMs(r.ms) }));
}

/** Fill the timings table; the last row gives the control rate of the policy. */
export function renderTimings(tbody, rows, policy) {
  tbody.replaceChildren();
  for (const r of rows) {
    const tr = document.createElement("tr");
    if (r.total) tr.className = "total";
    const a = document.createElement("td");
    a.textContent = r.stage;
    const b = document.createElement("td");
    b.className = "num";
    b.textContent = r.text;
    tr.append(a, b);
    tbody.append(tr);
  }
  if (policy?.ok) {
    const tr = document.createElement("tr");
    const a = document.createElement("td");
    a.textContent = `control rate (${policy.horizon}-step chunks)`;
    const b = document.createElement("td");
    b.className = "num rate";
    b.textContent = `${formatRate(policy.timings.totalMs)} · ${formatRate(policy.timings.totalMs / policy.horizon).replace(" Hz", " actions/s")}`;
    tr.append(a, b);
    tbody.append(tr);
  }
}
