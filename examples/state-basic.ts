// Discretize a normalized robot state into 256 bins: MolmoAct2 tokens and the pi0.5 prompt text.
// Run: npx tsx examples/state-basic.ts
import { discretizeState, pi05StateText, stateString, stateTokenIds, undiscretizeState } from "../src/state/index.js";

const state = [-1, -0.25, 0, 0.5, 1, 1.7, NaN];

const bins = discretizeState(state); // MolmoAct2: NaN → 0, clip, rint((x+1)/2·255)
console.log("MolmoAct2 bins:", bins.join(" "));
console.log("state string:", stateString(bins));
console.log("token ids:", stateTokenIds(bins).join(" "));
console.log("bin centres:", Array.from(undiscretizeState(bins).data, (v) => v.toFixed(3)).join(" ")); // a float64 ndarray [7]

// pi0.5: np.digitize on exact edges; -1.5 → -1; NaN rejected unless compat: "reference"
const pi = discretizeState(state.slice(0, 6), { rule: "pi05" });
console.log(`pi0.5 prompt: "State: ${pi05StateText(pi)};"`);
try {
  discretizeState([NaN], { rule: "pi05" });
} catch (e) {
  console.log("pi05 NaN:", (e as Error).message);
}
