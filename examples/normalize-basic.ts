// 1–99 percentile normalization (MolmoAct2 q01_q99), gripper pass-through, padding to 32 dims.
// Run: npx tsx examples/normalize-basic.ts
import { toList } from "../src/core/index.js";
import { computeStats, embodimentPreset, gripperMask, normalize, padDims, unnormalize } from "../src/normalize/index.js";

// raw actions [N][3]: two joints (rad) and a gripper (0..1)
const rows = Array.from({ length: 200 }, (_, i) => [Math.sin(i / 20), 0.5 * Math.cos(i / 15) - 1, i % 50 < 25 ? 0 : 1]);
const stats = computeStats(rows); // numpy-style linear quantiles q01 / q99, min, max, mean, std
console.log("q01", stats.q01.map((v) => v.toFixed(3)), "q99", stats.q99.map((v) => v.toFixed(3)));

const preset = embodimentPreset("franka_droid"); // horizon 15, normalize_gripper false
const mask = gripperMask(["joint_0", "joint_1", "gripper"], preset.normalizeGripper);
const y = normalize(rows.slice(0, preset.actionHorizon), stats, { mask }); // a float64 ndarray [15, 3]
console.log("normalized first row:", toList(y.pick(0, null)).map((v) => v.toFixed(3)), "mask:", mask);

const back = unnormalize(y, stats, { mask }); // ndarray in, ndarray out: no number[][] on the way
console.log("unnormalized first row:", toList(back.pick(0, null)).map((v) => v.toFixed(3)), "raw:", rows[0].map((v) => v.toFixed(3)));

const padded = padDims(y);
console.log("padded to", padded.values.shape[1], "dims; real dims:", padded.mask.filter(Boolean).length);
