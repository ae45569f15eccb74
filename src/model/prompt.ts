import { checkInt, fail } from "../core/index.js";
import { stateString } from "../state/index.js";
import type { TokenTable } from "../vocab/index.js";

/**
 * The MolmoAct2 robot prompt (reference `_build_robot_text`):
 * `{image_prefix}<|im_start|>user\n{prompt}<|im_end|>\n<|im_start|>assistant\n{trigger}`.
 */
export type PromptStyle = "robot_action" | "robot_depth_action";

export interface RobotPromptInput {
  task: string;
  setupType: string;
  controlMode: string;
  /** 256-bin state indices (one per state dim); omitted or empty → no state clause. */
  stateBins?: readonly number[];
  /** Number of camera images (0, 1 or more: `Image i<|image|>` prefixes). */
  numImages: number;
  style?: PromptStyle;
  /** Apply {@link normalizeTaskText} (default true, as `normalize_language=True`). */
  normalizeLanguage?: boolean;
  addSetupTokens?: boolean;
  addControlTokens?: boolean;
}

// Python's str.isspace() / re `\s` set for str patterns (JS `\s` differs in \x1c-\x1f, \x85 and \ufeff).
const WS = "\\t\\n\\x0b\\x0c\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000";
const WS_RUN = new RegExp(`[${WS}]+`, "g");
const IS_WS = new RegExp(`^[${WS}]$`);
const DELIMITERS = `"'\`“”‘’[](){}`;
const PUNCTUATION = ".,!?;:,…";
const CLOSERS = `"'”’)]}`;
const PREFIXES = [
  new RegExp(`^(?:task|instruction|language[_ ]instruction|goal)[${WS}]*[:\\-][${WS}]*`, "i"),
  new RegExp(`^(?:the[${WS}]+task[${WS}]+is[${WS}]+to|your[${WS}]+task[${WS}]+is[${WS}]+to)[${WS}]+`, "i"),
];

function isSpace(ch: string): boolean {
  return IS_WS.test(ch);
}

/** Python `s.strip(chars)` / `s.strip()` (chars omitted = whitespace). */
function strip(s: string, chars?: string): string {
  return rstrip(lstrip(s, chars), chars);
}

function lstrip(s: string, chars?: string): string {
  let i = 0;
  while (i < s.length && (chars === undefined ? isSpace(s[i]) : chars.includes(s[i]))) i++;
  return s.slice(i);
}

function rstrip(s: string, chars?: string): string {
  let e = s.length;
  while (e > 0 && (chars === undefined ? isSpace(s[e - 1]) : chars.includes(s[e - 1]))) e--;
  return s.slice(0, e);
}

/**
 * The reference `_normalize_question_text`: collapse whitespace; until nothing changes, strip surrounding
 * quotes/brackets, one leading `task:`/`instruction -`/`language instruction:`/`goal:` and one leading
 * `the task is to`/`your task is to` (any case), then trailing punctuation, closers and punctuation again;
 * split on runs of `.!?` and join several sentences with `"; "`; lower-case.
 */
export function normalizeTaskText(task: string): string {
  if (typeof task !== "string") fail("normalizeTaskText", "task", `must be a string; got ${typeof task}`);
  let s = strip(task.replace(WS_RUN, " "));
  if (!s) return "";
  let previous: string | null = null;
  while (s && s !== previous) {
    previous = s;
    s = strip(strip(strip(s), DELIMITERS));
    for (const p of PREFIXES) s = strip(s.replace(p, ""));
    s = rstrip(rstrip(s, PUNCTUATION));
    s = rstrip(rstrip(s, CLOSERS));
    s = rstrip(rstrip(s, PUNCTUATION));
  }
  const chunks = s
    .split(/[.!?]+/)
    .map((c) => strip(c))
    .filter((c) => c.length > 0);
  if (chunks.length > 1) s = chunks.join("; ");
  return s.toLowerCase();
}

/** `""`, `"<|image|>"` or `"Image 1<|image|>Image 2<|image|>…"`. */
export function imagePrefix(numImages: number): string {
  checkInt("imagePrefix", "numImages", numImages, 0);
  if (numImages === 0) return "";
  if (numImages === 1) return "<|image|>";
  return Array.from({ length: numImages }, (_, i) => `Image ${i + 1}<|image|>`).join("");
}

function wrap(text: string, start: string, end: string, add: boolean): string {
  if (text.startsWith(start) && text.endsWith(end)) return text;
  return !text || !add ? text : `${start}${text}${end}`;
}

/** The full robot prompt text, special tokens as strings (tokenise with the model's text tokenizer). */
export function buildRobotPrompt(p: RobotPromptInput): string {
  const fn = "buildRobotPrompt";
  for (const k of ["task", "setupType", "controlMode"] as const) {
    if (typeof p[k] !== "string") fail(fn, k, `must be a string; got ${typeof p[k]}`);
  }
  const style = p.style ?? "robot_action";
  if (style !== "robot_action" && style !== "robot_depth_action") fail(fn, "style", `must be "robot_action" or "robot_depth_action"; got ${JSON.stringify(style)}`);
  const task = p.normalizeLanguage === false ? p.task : normalizeTaskText(p.task);
  const setup = wrap(p.setupType, "<setup_start>", "<setup_end>", p.addSetupTokens ?? true);
  const control = wrap(p.controlMode, "<control_start>", "<control_end>", p.addControlTokens ?? true);
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
 * Replace the k-th `<|image|>` id of `ids` by `imageTokens[k]` (each image's token layout from the image
 * processor). The counts must match.
 */
export function expandImageTokens(ids: readonly number[], table: TokenTable, imageTokens: readonly (readonly number[])[]): number[] {
  const img = table.imageToken("<|image|>");
  const out: number[] = [];
  let k = 0;
  for (const id of ids) {
    if (id !== img) out.push(id);
    else {
      if (k >= imageTokens.length) fail("expandImageTokens", "ids", `must hold one <|image|> per image (${imageTokens.length}); got more`);
      for (const t of imageTokens[k++]) out.push(t);
    }
  }
  if (k !== imageTokens.length) fail("expandImageTokens", "ids", `must hold one <|image|> per image (${imageTokens.length}); got ${k}`);
  return out;
}

/** Insert `bos` first unless the sequence already starts with it (the processor's `insert_bos`). */
export function insertBos(ids: readonly number[], bos: number): number[] {
  return ids[0] === bos ? [...ids] : [bos, ...ids];
}

/** The processor's `token_type_ids`: 1 on every image token (patch, col, start/end, low-res, frame tokens). */
export function imageTokenTypes(ids: readonly number[], table: TokenTable): Uint8Array {
  const image = new Set(
    (["<im_patch>", "<im_col>", "<im_start>", "<low_res_im_start>", "<frame_start>", "<im_end>", "<frame_end>", "<im_low>"] as const).map((n) => table.imageToken(n)),
  );
  return Uint8Array.from(ids, (id) => (image.has(id) ? 1 : 0));
}
