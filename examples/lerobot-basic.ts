// Read a LeRobot dataset folder, get per-dimension 1–99 percentile stats, cut one-second chunks,
// normalize them and tokenize with FAST+.   npx tsx examples/lerobot-basic.ts [dataset-folder]
// (In an app: import { LeRobotDataset, episodeChunks } from "vla-primitives/io" and percentileStats from
// "vla-primitives/normalize".)
import { LeRobotDataset, episodeChunks } from "../src/io/index.js";
import { normalize, percentileStats } from "../src/normalize/index.js";
import { loadFastPlus } from "../src/tokenizer/index.js";

const dir = process.argv[2] ?? new URL("../../shared/fixtures/real/so101-orange-cube", import.meta.url).pathname;
const ds = await LeRobotDataset.open(dir); // v2.x or v3; keys detected (observation.state/action, state/actions)
console.log(`${ds.info.version} ${ds.info.robotType} at ${ds.fps} Hz; state "${ds.keys.state}", action "${ds.keys.action}"`);

const episodes = await ds.loadEpisodes(); // [{ episodeIndex, fps, timestamps, state, action, names }]; state/action: ndarrays [frames, dim]
console.log(`episodes: ${episodes.map((e) => `${e.episodeIndex}(${e.length})`).join(" ")}`);

const stats = percentileStats(episodes, "action"); // pooled numpy-linear q01/q99 (+ min/max/mean/std)
console.log(`action q01: ${stats.q01.map((v) => v.toFixed(2)).join(" ")}`);
const own = ds.datasetQuantiles("action"); // the dataset's own stats.json q01/q99 (LeRobot v3), or null
if (own) console.log(`stats.json q01: ${Array.from(own.q01, (v) => v.toFixed(2)).join(" ")}`);

const chunks = episodeChunks(episodes[0]); // one-second chunks [horizon, dim]: horizon = fps frames, stride = horizon
console.log(`episode ${episodes[0].episodeIndex}: ${chunks.length} chunks of ${chunks[0].shape.join("x")}`);

const fast = await loadFastPlus();
const norm = normalize(chunks[0], stats); // q01/q99 -> [-1, 1], clipped; an ndarray of the same shape
const ids = fast.encode(norm); // the shape travels with the ndarray
console.log(`first chunk -> ${ids.length} FAST+ tokens: ${ids.slice(0, 8).join(" ")} ...`);
