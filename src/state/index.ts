export {
  NUM_STATE_BINS,
  discretizeState,
  undiscretizeState,
  molmoAct2StateBin,
  pi05StateBin,
  stateTokenStrings,
  stateString,
  stateTokenIds,
  parseStateString,
  pi05StateText,
  type StateRule,
  type DiscretizeOptions,
} from "./discretize.js";
