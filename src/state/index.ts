/**
 * `vla-primitives/state` — a normalized state vector to 256 bins and back, as MolmoAct2 `<state_i>` tokens
 * or pi0.5 prompt text.
 */
export {
  discretizeState,
  undiscretizeState,
  stateString,
  stateTokenIds,
  parseStateString,
  pi05StateText,
  type StateRule,
  type DiscretizeOptions,
} from "./discretize.js";
