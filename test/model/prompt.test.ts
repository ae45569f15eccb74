import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { buildRobotPrompt, expandImageTokens, imagePrefix, insertBos, normalizeTaskText } from "../../src/model/prompt.js";
import { byteTextTokenizer, splitSpecial } from "../../src/model/text-tokenizer.js";
import { MOLMOACT2_TOKENS, TokenTable } from "../../src/vocab/index.js";
import { TINY_TOKEN_IDS } from "../../src/model/config.js";
import { toRows } from "../../src/core/index.js";

describe("prompt (molmoact2.md §6.1)", () => {
  it("reproduces the DROID 3-camera example text exactly", () => {
    const bins = [131, 0, 255, 17, 128, 64, 200, 255];
    const text = buildRobotPrompt({
      task: "Put the cup in the sink.",
      setupType: "single franka robotic arm in droid",
      controlMode: "absolute joint pose",
      stateBins: bins,
      numImages: 3,
    });
    const golden =
      "Image 1<|image|>Image 2<|image|>Image 3<|image|><|im_start|>user\nThe task is to put the cup in the sink. The setup is " +
      "<setup_start>single franka robotic arm in droid<setup_end>. The current state of the robot is <state_start>" +
      "<state_131><state_0><state_255><state_17><state_128><state_64><state_200><state_255><state_end>. The expected control mode is " +
      "<control_start>absolute joint pose<control_end>. Given these, what action should the robot take to complete the task?" +
      "<|im_end|>\n<|im_start|>assistant\n<action_output>";
    expect(text).toBe(golden);
  });

  it("Think style asks for the depth map first and ends with <depth_output><action_output>", () => {
    const text = buildRobotPrompt({ task: "pick", setupType: "s", controlMode: "c", numImages: 1, style: "robot_depth_action" });
    expect(text.startsWith("<|image|><|im_start|>user\nThe task is to pick. The setup is <setup_start>s<setup_end>. The expected control mode")).toBe(true);
    expect(text).toContain("Given these, first predict the depth map of the main image and then predict the action the robot should take to complete the task?<|im_end|>");
    expect(text.endsWith("<|im_start|>assistant\n<depth_output><action_output>")).toBe(true);
  });

  it("normalizes task text like _normalize_question_text", () => {
    expect(normalizeTaskText("  Pick   up the  Bottle. ")).toBe("pick up the bottle");
    expect(normalizeTaskText('"Task: Open the drawer!"')).toBe("open the drawer");
    expect(normalizeTaskText("Language instruction - The task is to stack the cups")).toBe("stack the cups");
    expect(normalizeTaskText("your task is to fold the towel…")).toBe("fold the towel");
    expect(normalizeTaskText("Pick up the cup. Put it in the sink.")).toBe("pick up the cup; put it in the sink");
    expect(normalizeTaskText("[goal: wipe the table]")).toBe("wipe the table");
    expect(normalizeTaskText("put (red) block")).toBe("put (red) block");
    expect(normalizeTaskText("\"move left\".")).toBe("move left");
    // the reference strips any quote/bracket characters at the ends (not matched pairs) and splits on [.!?]+
    expect(normalizeTaskText("(pick it) up")).toBe("pick it) up");
    expect(normalizeTaskText("Move 3.5 cm left!")).toBe("move 3; 5 cm left");
    // each prefix pattern applies once per pass, and passes repeat until nothing changes
    expect(normalizeTaskText("instruction-  GOAL: go")).toBe("go");
    expect(normalizeTaskText("  \t ")).toBe("");
  });

  it("normalization never leaves edge whitespace or trailing punctuation, and is idempotent on one sentence", () => {
    // The reference is not idempotent once it joins sentences: the "; " join can put a delimiter at an edge that the
    // next pass strips ("!{!/" → "{; /" → "; /"; checked with the reference's _normalize_question_text, which this
    // implementation matched on 3,004 random strings of quotes, brackets, punctuation and prefixes).
    expect(normalizeTaskText("!{!/")).toBe("{; /");
    expect(normalizeTaskText("{; /")).toBe("; /");
    fc.assert(
      fc.property(fc.string({ maxLength: 40 }), (s) => {
        const n = normalizeTaskText(s);
        if (!n.includes("; ")) expect(normalizeTaskText(n)).toBe(n);
        expect(n).toBe(n.trim());
        expect(/[.,!?;:…]$/.test(n)).toBe(false);
      }),
      { numRuns: 2000 },
    );
  });

  it("builds prefixes, state strings, BOS and image token rows", () => {
    expect(imagePrefix(0)).toBe("");
    expect(imagePrefix(1)).toBe("<|image|>");
    expect(imagePrefix(2)).toBe("Image 1<|image|>Image 2<|image|>");
    expect(() => buildRobotPrompt({ task: "t", setupType: "s", controlMode: "c", numImages: 0, stateBins: [256] })).toThrow(/256/);
    const t = MOLMOACT2_TOKENS;
    expect(insertBos([5, 6], 151645)).toEqual([151645, 5, 6]);
    expect(insertBos([151645, 6], 151645)).toEqual([151645, 6]);
    const img = t.imageToken("<|image|>");
    const ids = expandImageTokens([7, img, 8, img], t, [[1, 2], [3]]);
    expect(ids).toEqual([7, 1, 2, 8, 3]);
    expect(() => expandImageTokens([img], t, [])).toThrow(/expandImageTokens: ids must hold one <\|image\|> per image \(0\); got more/);
    expect(() => expandImageTokens([7], t, [[1]])).toThrow(/one <\|image\|> per image \(1\); got 0/);
  });

  it("byte tokenizer recognises special tokens and round-trips text", () => {
    const table = new TokenTable(TINY_TOKEN_IDS);
    const tok = byteTextTokenizer(table);
    const text = "<|image|><|im_start|>user\nhé <state_3><action_start><action_7><depth_99><not_special>";
    const ids = tok.encode(text);
    expect(ids.slice(0, 2)).toEqual([table.imageToken("<|image|>"), table.ids.imStart]);
    expect(ids).toContain(table.stateToken(3));
    expect(ids).toContain(table.actionToken(7));
    expect(ids).toContain(table.depthToken(99));
    expect(ids.every((i) => i >= 0 && i < 2720)).toBe(true);
    expect(tok.decode(ids)).toBe(text);
    expect(splitSpecial(table, "a<im_patch>b")).toEqual(["a", table.imageToken("<im_patch>"), "b"]);
  });
});

describe("embodiment glue", () => {
  it("tagFromPreset takes the prompt strings and horizon of a MolmoAct2 preset; stateBins = normalize → 256 bins", async () => {
    const { tagFromPreset, stateBins, unnormalizeChunk } = await import("../../src/model/embodiment.js");
    const stats = { q01: [-1, 0, 0], q99: [1, 2, 1], mask: [true, true, false] };
    const tag = tagFromPreset("franka_droid", { actionStats: stats, stateStats: stats });
    expect(tag.setupType).toBe("single franka robotic arm in droid");
    expect(tag.controlMode).toBe("absolute joint pose");
    expect(tag.actionHorizon).toBe(15);
    expect(tag.actionDim).toBe(3);
    // -1 → bin 0; 1.0 is the midpoint of [0, 2] → rint(127.5) = 128 (half to even); gripper 0.5 passes through → rint(191.25) = 191
    expect(stateBins([-1, 1, 0.5], tag)).toEqual([0, 128, 191]);
    expect(stateBins([5, -5, 3], tag)).toEqual([255, 0, 255]); // clipped
    // unnormalize: clip to [-1, 1], then q01/q99; the masked dim keeps the clipped value
    expect(toRows(unnormalizeChunk([[0, 1, 2]], tag))).toEqual([[0, 2, 1]]);
  });
});
