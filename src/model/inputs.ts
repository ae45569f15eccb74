import { fail } from "../core/index.js";
import type { RgbImage } from "../depth/index.js";
import type { TokenTable } from "../vocab/index.js";
import type { MolmoAct2Config } from "./config.js";
import { normalizeStateF32, stateBinsF32, type TagConfig } from "./embodiment.js";
import { imageTokenIds, preprocessImage, type ImageProcessorConfig, type PreprocessedImage } from "./image-processor.js";
import { buildRobotPrompt, expandImageTokens, imageTokenTypes, insertBos, normalizeTaskText } from "./prompt.js";
import type { TextTokenizer } from "./text-tokenizer.js";

/** Everything the reference processor hands the model for one observation (no tensors yet). */
export interface ProcessedInputs {
  /** The prompt string given to the processor (images as `<|image|>`). */
  promptText: string;
  /** BOS + tokenised prompt with every `<|image|>` expanded into its image tokens. */
  inputIds: number[];
  /** 1 on image tokens (the prefill's bidirectional block). */
  tokenTypeIds: Uint8Array;
  images: PreprocessedImage[];
  /** The reference's float32 normalised state and its bins. */
  stateNormalized: Float32Array;
  stateBins: number[];
}

/** What {@link processInputs} needs besides the observation. */
export interface ProcessorParts {
  config: MolmoAct2Config;
  table: TokenTable;
  imageProcessor: ImageProcessorConfig;
  textTokenizer: TextTokenizer;
  bos: number;
}

/**
 * The reference's `predict_action` input side: state → float32 normalised → bins; task → normalised text;
 * the robot prompt; images → crops, pooling rows and their token layout; text → ids, `<|image|>` expanded,
 * BOS inserted; token types. Throws a VlaError naming the argument on bad input (empty task, wrong state
 * length, non-finite state, an image smaller than one ViT patch).
 */
export function processInputs(fn: string, parts: ProcessorParts, images: readonly RgbImage[], task: string, state: readonly number[], tag: TagConfig, think: boolean): ProcessedInputs {
  const { config, table, imageProcessor, textTokenizer } = parts;
  if (typeof task !== "string") fail(fn, "observation.task", `must be a string; got ${typeof task}`);
  if (normalizeTaskText(task) === "") fail(fn, "observation.task", `must be a non-empty instruction (after the reference's text normalisation); got ${JSON.stringify(task)}`);
  const dims = tag.stateStats?.q01.length;
  if (!Array.isArray(state) || (dims !== undefined && state.length !== dims)) {
    fail(fn, "observation.state", `must be an array of ${dims ?? "the state's"} numbers (the tag's state dims); got ${Array.isArray(state) ? `${state.length} values` : typeof state}`);
  }
  state.forEach((v, i) => {
    if (typeof v !== "number" || !Number.isFinite(v)) fail(fn, "observation.state", `must hold finite numbers; got ${v} at [${i}]`);
  });
  if (!Array.isArray(images) || images.length < 1) fail(fn, "observation.images", `must hold at least one image; got ${Array.isArray(images) ? 0 : typeof images}`);
  const minSide = imageProcessor.patchSize;
  images.forEach((im, i) => {
    if (!im || typeof im !== "object" || !(im.width >= minSide && im.height >= minSide)) {
      fail(fn, `observation.images[${i}]`, `must be an image at least ${minSide}×${minSide} pixels (one ViT patch: a smaller frame carries no spatial detail and is almost always a camera error); got ${im && typeof im === "object" ? `${im.width}×${im.height}` : typeof im}`);
    }
  });
  const stateNormalized = normalizeStateF32(state, tag.stateStats);
  const bins = stateBinsF32(stateNormalized, config.numStateTokens);
  const promptText = buildRobotPrompt({
    task,
    setupType: tag.setupType,
    controlMode: tag.controlMode,
    stateBins: bins,
    numImages: images.length,
    style: think ? "robot_depth_action" : "robot_action",
    addSetupTokens: config.addSetupTokens,
    addControlTokens: config.addControlTokens,
  });
  const pre = images.map((im) => preprocessImage(im, imageProcessor));
  const perImage = pre.map((p) => imageTokenIds(p.grid, imageProcessor, table));
  const inputIds = insertBos(expandImageTokens(textTokenizer.encode(promptText), table, perImage), parts.bos);
  return { promptText, inputIds, tokenTypeIds: imageTokenTypes(inputIds, table), images: pre, stateNormalized, stateBins: bins };
}
