import { describe, expect, it } from "vitest";
import { MOLMOACT2_TOKENS, TokenTable } from "../../src/vocab/index.js";

describe("vocab", () => {
  it("has the released MolmoAct2 ids (molmoact2.md §1.8)", () => {
    const t = MOLMOACT2_TOKENS;
    expect(t.id("<action_start>")).toBe(151932);
    expect(t.id("<action_end>")).toBe(151933);
    expect(t.actionToken(0)).toBe(151934);
    expect(t.id("<state_255>")).toBe(151930);
    expect(t.id("<depth_127>")).toBe(154112);
    expect(t.imageToken("<im_patch>")).toBe(155650);
    expect(t.name(151934 + 5)).toBe("<action_5>");
    expect(t.isDepthToken(153983)).toBe(true);
    expect(t.isDepthToken(151932)).toBe(false);
  });
  it("rejects out-of-range indices with a clear message", () => {
    expect(() => MOLMOACT2_TOKENS.stateToken(256)).toThrow(/TokenTable.stateToken: bin must be an integer in \[0, 255\]; got 256/);
    expect(() => MOLMOACT2_TOKENS.id("<nope>")).toThrow(/TokenTable.id/);
  });
  it("accepts id overrides from a checkpoint config", () => {
    expect(new TokenTable({ actionTokenStart: 10 }).actionToken(3)).toBe(13);
  });
});
