/**
 * Adaptive depth on two consecutive real camera frames (Unitree G1, MIT-licensed, see
 * examples/data/g1-inspire-bottle/frames/NOTICE.md): compute the changed-cell mask, the decode plan the
 * model would execute, and draw an SVG with the changed cells outlined.
 *
 *   npx tsx examples/depth-cells.ts [out.svg]      (default docs/img/depth-cells.svg)
 */
import { writeFileSync, mkdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { changedCells, depthFrame, planDepthDecode, type DepthDecodePlan } from "../src/depth/index.js";
import { encodePng, readPng } from "../src/io/index.js";

const here = dirname(fileURLToPath(import.meta.url));
const FRAMES = join(here, "data", "g1-inspire-bottle", "frames");

export interface DepthCellsResult {
  changedCount: number;
  plan: DepthDecodePlan;
  svgPath: string;
}

function planStrip(plan: DepthDecodePlan, x0: number, y0: number, width: number): { svg: string; height: number } {
  // one box per model forward: replay spans are wide (one multi-token forward), decode steps narrow
  const unit = width / 100;
  let x = x0;
  const parts: string[] = [];
  for (const s of plan.steps) {
    if (s.kind === "replay") {
      const w = (s.end - s.start) * unit;
      parts.push(`<rect x="${x.toFixed(1)}" y="${y0}" width="${(w - 1).toFixed(1)}" height="22" fill="#9db4c8"/>`);
      if (w > 26) parts.push(`<text x="${(x + w / 2).toFixed(1)}" y="${y0 + 15}" font-size="10" text-anchor="middle" fill="#123">${s.end - s.start}</text>`);
      x += w;
    } else {
      parts.push(`<rect x="${x.toFixed(1)}" y="${y0}" width="${(unit - 1).toFixed(1)}" height="22" fill="#e4572e"/>`);
      x += unit;
    }
  }
  return { svg: parts.join(""), height: 22 };
}

/** Compute the mask for frame 195 → 196 and write the picture to `outSvg`. */
export async function depthCellsExample(outSvg = resolve(here, "..", "docs", "img", "depth-cells.svg")): Promise<DepthCellsResult> {
  const prev = await readPng(join(FRAMES, "ep1_cam_high_000195.png"));
  const curr = await readPng(join(FRAMES, "ep1_cam_high_000196.png"));

  const change = changedCells(prev, curr); // resize to 320×320 (Pillow bilinear), 10×10 cells, cosine < 0.996
  const cachedCodes = Array.from({ length: 100 }, (_, k) => (k * 37) % 128); // stand-in for the previous call's depth codes
  const plan = planDepthDecode(change.mask, cachedCodes);

  // The picture: the 320×320 frame the detector compares, shown at the camera's 4:3 aspect.
  const W = 640, H = 480, cw = W / 10, ch = H / 10, top = 34, pad = 10;
  const png = await encodePng({ data: depthFrame(curr), width: 320, height: 320, channels: 3 });
  const b64 = Buffer.from(png).toString("base64");
  const cells: string[] = [];
  for (let k = 0; k < 100; k++) {
    const x = pad + (k % 10) * cw, y = top + Math.floor(k / 10) * ch;
    if (change.mask[k]) cells.push(`<rect x="${x + 1.5}" y="${y + 1.5}" width="${cw - 3}" height="${ch - 3}" fill="#e4572e" fill-opacity="0.18" stroke="#e4572e" stroke-width="3"/>`);
    cells.push(`<text x="${x + 4}" y="${y + 13}" font-size="10" fill="#fff" stroke="#000" stroke-width="0.6" paint-order="stroke">${change.cosine[k].toFixed(4)}</text>`);
  }
  const grid: string[] = [];
  for (let i = 1; i < 10; i++) {
    grid.push(`<line x1="${pad + i * cw}" y1="${top}" x2="${pad + i * cw}" y2="${top + H}"/>`);
    grid.push(`<line x1="${pad}" y1="${top + i * ch}" x2="${pad + W}" y2="${top + i * ch}"/>`);
  }
  const strip = planStrip(plan, pad, top + H + 34, W);
  const total = top + H + 34 + strip.height + 30;
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${W + 2 * pad}" height="${total}" viewBox="0 0 ${W + 2 * pad} ${total}" font-family="sans-serif">
<rect width="100%" height="100%" fill="#fff"/>
<text x="${pad}" y="22" font-size="15" fill="#111">Frame 195 → 196: ${change.changedCount} of 100 cells changed (cosine &lt; 0.996), outlined in red</text>
<image x="${pad}" y="${top}" width="${W}" height="${H}" preserveAspectRatio="none" href="data:image/png;base64,${b64}"/>
<g stroke="#fff" stroke-opacity="0.55" stroke-width="1">${grid.join("")}</g>
${cells.join("\n")}
<text x="${pad}" y="${top + H + 26}" font-size="13" fill="#111">Decode plan: ${plan.replaySteps + plan.decodeSteps} forwards, not 100: ${plan.replaySteps} replay spans (blue, n = cells) + ${plan.decodeSteps} single-cell decodes (red)</text>
${strip.svg}
<text x="${pad}" y="${top + H + 34 + strip.height + 18}" font-size="11" fill="#555">cells in row-major order 0…99; data: Unitree G1 head camera, YifanTian07/G1-policy-train (MIT)</text>
</svg>
`;
  mkdirSync(dirname(outSvg), { recursive: true });
  writeFileSync(outSvg, svg);
  return { changedCount: change.changedCount, plan, svgPath: outSvg };
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const r = await depthCellsExample(process.argv[2] ? resolve(process.argv[2]) : undefined);
  console.log(`changed cells: ${r.changedCount}/100`);
  console.log(`plan: ${r.plan.replaySteps} replay forwards (${r.plan.replayedCells} cells) + ${r.plan.decodeSteps} decode steps`);
  console.log(`wrote ${r.svgPath}`);
}
