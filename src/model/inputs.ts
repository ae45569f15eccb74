import { fail, isNdArray, isNumericArray, toImage, toVector, type ImageInput, type RgbImage, type VectorInput } from "../core/index.js";
import type { TokenTable } from "../vocab/index.js";
import type { MolmoAct2Config } from "./config.js";
import { normalizeStateF32, stateBinsF32, type TagConfig } from "./embodiment.js";
import { imageTokenIds, preprocessImage, type ImageProcessorConfig, type PreprocessedImage } from "./image-processor.js";
import { buildRobotPrompt, expandImageTokens, imageTokenTypes, insertBos, normalizeTaskText } from "./prompt.js";
import type { TextTokenizer } from "./text-tokenizer.js";

/** Everything the reference processor hands the model for one observation (no tensors yet). */
export interface ProcessedInputs {
  /** The observation's images as checked records (the same memory as the inputs when those were packed). */
  rgbImages: RgbImage[];
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
export function processInputs(fn: string, parts: ProcessorParts, imageInputs: readonly ImageInput[], task: string, stateInput: VectorInput, tag: TagConfig, think: boolean): ProcessedInputs {
  const { config, table, imageProcessor, textTokenizer } = parts;
  if (typeof task !== "string") fail(fn, "observation.task", `must be a string; got ${typeof task}`);
  if (normalizeTaskText(task) === "") fail(fn, "observation.task", `must be a non-empty instruction (after the reference's text normalisation); got ${JSON.stringify(task)}`);
  const dims = tag.stateStats?.q01.length;
  const length = isNdArray(stateInput) ? (stateInput.shape.length === 1 ? stateInput.shape[0] : -1) : Array.isArray(stateInput) || isNumericArray(stateInput) ? stateInput.length : -1;
  if (length < 0 || (dims !== undefined && length !== dims)) {
    const got = isNdArray(stateInput) ? `shape [${stateInput.shape.join(", ")}]` : length >= 0 ? `${length} values` : typeof stateInput;
    fail(fn, "observation.state", `must be an array of ${dims ?? "the state's"} numbers (the tag's state dims); got ${got}`);
  }
  const state = toVector(fn, "observation.state", stateInput, { allowNonFinite: true }).data;
  state.forEach((v, i) => {
    if (!Number.isFinite(v)) fail(fn, "observation.state", `must hold finite numbers; got ${v} at [${i}]`);
  });
  if (!Array.isArray(imageInputs) || imageInputs.length < 1) fail(fn, "observation.images", `must hold at least one image; got ${Array.isArray(imageInputs) ? 0 : typeof imageInputs}`);
  const minSide = imageProcessor.patchSize;
  // each image becomes a checked record once (a packed ndarray [H, W, C] keeps its memory)
  const images: RgbImage[] = imageInputs.map((input, i) => {
    const im = input && typeof input === "object" ? toImage(fn, `observation.images[${i}]`, input) : undefined;
    if (!im || !(im.width >= minSide && im.height >= minSide)) {
      fail(fn, `observation.images[${i}]`, `must be an image at least ${minSide}×${minSide} pixels (one ViT patch: a smaller frame carries no spatial detail and is almost always a camera error); got ${im ? `${im.width}×${im.height}` : typeof input}`);
    }
    return im;
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
  return { promptText, inputIds, tokenTypeIds: imageTokenTypes(inputIds, table), rgbImages: images, images: pre, stateNormalized, stateBins: bins };
}
