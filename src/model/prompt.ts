import { checkInt, fail } from "../core/index.js";
import { stateString } from "../state/index.js";
import type { TokenTable } from "../vocab/index.js";

/**
 * The MolmoAct2 robot prompt (molmoact2.md §6.1):
 * `{image_prefix}<|im_start|>user\n{prompt}<|im_end|>\n<|im_start|>assistant\n{trigger}`.
 */
export type PromptStyle = "robot_action" | "robot_depth_action";

export interface RobotPromptInput {
  task: string;
  setupType: string;
  controlMode: string;
  /** 256-bin state indices (one per state dim); omitted → no state clause. */
  stateBins?: readonly number[];
  /** Number of camera images (0, 1 or more: `Image i<|image|>` prefixes). */
  numImages: number;
  style?: PromptStyle;
  /** Apply {@link normalizeTaskText} (default true, as `normalize_language=True`). */
  normalizeLanguage?: boolean;
  addSetupTokens?: boolean;
  addControlTokens?: boolean;
}

const OPEN = `"'“‘«([{`;
const CLOSE = `"'”’»)]}`;
const PAIRS: Record<string, string> = { '"': '"', "'": "'", "“": "”", "‘": "’", "«": "»", "(": ")", "[": "]", "{": "}" };

/**
 * The reference `_normalize_question_text` rules: collapse whitespace; repeatedly strip surrounding
 * quotes/brackets, a leading `task`/`instruction`/`language instruction`/`language_instruction`/`goal`
 * followed by `:` or `-` (any case), a leading `the task is to`/`your task is to`, trailing `.,!?;:…`
 * and closing quotes/brackets; several sentences are joined with `"; "`; lower-cased.
 */
export function normalizeTaskText(task: string): string {
  if (typeof task !== "string") fail("normalizeTaskText", "task", `must be a string; got ${typeof task}`);
  let s = task.replace(/\s+/g, " ").trim();
  for (let guard = 0; guard < 100; guard++) {
    const prev = s;
    if (s.length >= 2 && PAIRS[s[0]] === s[s.length - 1]) s = s.slice(1, -1).trim();
    s = s.replace(/^(?:task|instruction|language instruction|language_instruction|goal)\s*[:-]\s*/i, "");
    s = s.replace(/^(?:the task is to|your task is to)\s+/i, "");
    s = stripTrailing(s);
    // an opening quote/bracket left without its partner (its close was trailing punctuation)
    if (s.length > 0 && OPEN.includes(s[0]) && !s.includes(PAIRS[s[0]], 1)) s = s.slice(1).trim();
    if (s === prev) break;
  }
  const sentences = s
    .split(/(?<=[.!?…])\s+/)
    .map((p) => stripTrailing(p))
    .filter((p) => p.length > 0);
  return sentences.join("; ").toLowerCase();
}

function stripTrailing(s: string): string {
  let out = s.trim();
  while (out.length > 0 && (".,!?;:…".includes(out[out.length - 1]) || CLOSE.includes(out[out.length - 1]))) {
    const c = out[out.length - 1];
    // keep a closing bracket/quote that closes something inside the text
    if (CLOSE.includes(c) && !".,!?;:…".includes(c)) {
      const open = Object.keys(PAIRS).find((k) => PAIRS[k] === c && k !== c);
      if (open && out.includes(open)) break;
    }
    out = out.slice(0, -1).trimEnd();
  }
  return out;
}

/** `""`, `"<|image|>"` or `"Image 1<|image|>Image 2<|image|>…"`. */
export function imagePrefix(numImages: number): string {
  checkInt("imagePrefix", "numImages", numImages, 0);
  if (numImages === 0) return "";
  if (numImages === 1) return "<|image|>";
  return Array.from({ length: numImages }, (_, i) => `Image ${i + 1}<|image|>`).join("");
}

/** The full robot prompt text, special tokens as strings (tokenise with a {@link TextTokenizer}). */
export function buildRobotPrompt(p: RobotPromptInput): string {
  const fn = "buildRobotPrompt";
  for (const k of ["task", "setupType", "controlMode"] as const) {
    if (typeof p[k] !== "string") fail(fn, k, `must be a string; got ${typeof p[k]}`);
  }
  const style = p.style ?? "robot_action";
  if (style !== "robot_action" && style !== "robot_depth_action") fail(fn, "style", `must be "robot_action" or "robot_depth_action"; got ${JSON.stringify(style)}`);
  const task = p.normalizeLanguage === false ? p.task : normalizeTaskText(p.task);
  const setup = p.addSetupTokens === false ? p.setupType : `<setup_start>${p.setupType}<setup_end>`;
  const control = p.addControlTokens === false ? p.controlMode : `<control_start>${p.controlMode}<control_end>`;
  const state = p.stateBins && p.stateBins.length > 0 ? ` The current state of the robot is ${stateString(p.stateBins)}.` : "";
  const ask =
    style === "robot_action"
      ? "what action should the robot take to complete the task?"
      : "first predict the depth map of the main image and then predict the action the robot should take to complete the task?";
  const prompt = `The task is to ${task}. The setup is ${setup}.${state} The expected control mode is ${control}. Given these, ${ask}`;
  const trigger = style === "robot_action" ? "<action_output>" : "<depth_output><action_output>";
  return `${imagePrefix(p.numImages)}<|im_start|>user\n${prompt}<|im_end|>\n<|im_start|>assistant\n${trigger}`;
}

/**
 * Replace every `<|image|>` id by one crop's Molmo image tokens:
 * `<low_res_im_start>`, then `rows` × (`cols` × `<im_patch>`, `<im_col>`), then `<im_end>`.
 * Simplification: a single (global) crop per image; Molmo2's multi-crop tiling is not reproduced.
 */
export function expandImageTokens(ids: readonly number[], table: TokenTable, rows: number, cols: number): number[] {
  const img = table.imageToken("<|image|>");
  const patch = table.imageToken("<im_patch>");
  const col = table.imageToken("<im_col>");
  const out: number[] = [];
  for (const id of ids) {
    if (id !== img) {
      out.push(id);
      continue;
    }
    out.push(table.imageToken("<low_res_im_start>"));
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < cols; c++) out.push(patch);
      out.push(col);
    }
    out.push(table.imageToken("<im_end>"));
  }
  return out;
}

/** Insert BOS = `<|im_end|>` first unless the sequence already starts with it (the processor's `insert_bos`). */
export function insertBos(ids: readonly number[], table: TokenTable): number[] {
  const bos = table.ids.imEnd;
  return ids[0] === bos ? [...ids] : [bos, ...ids];
}
