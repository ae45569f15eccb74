import { choiceOption, intOption, numberOption } from "./args.js";
import type { Preprocess } from "../io/index.js";

/** Chunking options shared by `fit-tokenizer` and `tokenize`. */
export const CHUNK_OPTIONS = {
  which: { type: "string", arg: "KEY", help: "trajectory to tokenize: action (default) or state" },
  seconds: { type: "string", arg: "S", help: "chunk length in seconds; horizon = round(S*fps) (default 1)" },
  stride: { type: "string", arg: "N", help: "frames between chunk starts (default: horizon, non-overlapping; 1 = every frame)" },
} as const;

/** Read the chunking options shared by fit-tokenizer and tokenize. */
export function chunkOptions(command: string, values: Record<string, string | boolean | undefined>): Pick<Preprocess, "which" | "seconds" | "stride"> {
  return {
    which: choiceOption(command, values, "which", ["action", "state"] as const, "action"),
    seconds: numberOption(command, values, "seconds", 1e-3, 3600) ?? 1,
    stride: intOption(command, values, "stride", 1) ?? null,
  };
}
