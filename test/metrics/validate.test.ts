import { describe, expect, it } from "vitest";
import { formatIssue, parseEpisode, validateEpisode, VlaErrorCheck } from "./helpers.js";

const arm = (q: number[], extra: Record<string, unknown> = {}) => ({ joint_positions: q, ...extra });
const base = () => ({
  id: "ep",
  control_frequency: 20,
  arms: ["left", "right"],
  steps: [0, 1, 2].map((k) => ({ arms: { left: arm([k, 0, 0]), right: arm([0, k, 0]) }, contacts: [] })),
});

describe("validateEpisode", () => {
  it("accepts snake_case and camelCase forms with the same result", () => {
    const snake = validateEpisode({ ...base(), slip_objects: ["cube"], stage_count: 2, stage_marks: [[1, 2]], success: true, config: { slip_sample_window: 5 } });
    const camel = validateEpisode({
      id: "ep",
      controlFrequencyHz: 20,
      arms: ["left", "right"],
      steps: base().steps.map((s) => ({ arms: { left: { jointPositions: s.arms.left.joint_positions }, right: { jointPositions: s.arms.right.joint_positions } }, contacts: [] })),
      slipObjects: ["cube"],
      stageCount: 2,
      stageMarks: [[1, 2]],
      success: true,
      config: { slipSampleWindow: 5 },
    });
    expect(snake.ok && camel.ok).toBe(true);
    if (snake.ok && camel.ok) {
      expect(camel.episode).toEqual(snake.episode);
      expect(snake.episode.config.slipSampleWindow).toBe(5);
      expect(snake.episode.config.trackCollisions).toBe(true);
    }
  });

  it("names episode, step, field, expected and got", () => {
    const raw = base();
    (raw.steps[2].arms.right.joint_positions as unknown[])[1] = "x";
    const v = validateEpisode(raw, 4);
    expect(v.ok).toBe(false);
    if (!v.ok) {
      expect(v.issues[0]).toEqual({ episode: '"ep" (#4)', step: 2, field: "arms.right.joint_positions[1]", expected: "a finite number", got: '"x"' });
      expect(v.reason).toBe('episode "ep" (#4), step 2, field arms.right.joint_positions[1]: expected a finite number; got "x"');
    }
  });

  it("rejects NaN, wrong lengths, missing arms, inconsistent optional fields", () => {
    const cases: [(r: any) => void, string][] = [
      [(r) => (r.steps[1].arms.left.joint_positions = [0, NaN, 0]), "step 1, field arms.left.joint_positions[1]: expected a finite number; got NaN"],
      [(r) => (r.steps[2].arms.left.joint_positions = [0, 0]), "step 2, field arms.left.joint_positions: expected an array of 3 finite numbers; got array(2)"],
      [(r) => delete r.steps[1].arms.right, "step 1, field arms.right: expected an object with joint_positions; got undefined"],
      [(r) => (r.steps[0].arms.left.wrist_position = [0, 0, 0]), "step 1, field arms.left.wrist_position: expected present"],
      [(r) => (r.steps[1].arms.left.wrist_quat_wxyz = [1, 0, 0]), "wrist_quat_wxyz: expected an array of 4 finite numbers"],
      [(r) => (r.control_frequency = 0), "field control_frequency: expected a finite number > 0; got 0"],
      [(r) => (r.arms = []), "field arms: expected a non-empty array of distinct arm names; got array(0)"],
      [(r) => (r.steps[0].contacts = [[1, 2]]), "step 0, field contacts[0]: expected [geom1, geom2, dist]"],
      [(r) => delete r.steps[2].contacts, "step 2, field contacts: expected present (logged at step 0); got missing"],
      [(r) => (r.stage_marks = [[0, 3]]), "stage_marks[0][1] (stage): expected an integer in [1, 1]"],
      [(r) => (r.success = "yes"), "field success: expected a boolean (or 0/1)"],
      [(r) => (r.timestamps = { steps: [0, 0.1, 0.1] }), "timestamps.steps[2]: expected a time after step 1"],
      [(r) => (r.config = { slip_sample_window: 0 }), "config.slip_sample_window: expected an integer in [1, inf]"],
    ];
    for (const [mutate, msg] of cases) {
      const raw = base();
      mutate(raw);
      const v = validateEpisode(raw);
      expect(v.ok, msg).toBe(false);
      if (!v.ok) expect(v.reason).toContain(msg);
    }
  });

  it("rejects non-objects and reports at most 20 issues", () => {
    const v = validateEpisode(42);
    expect(v.ok).toBe(false);
    const raw = base();
    raw.steps = Array.from({ length: 50 }, () => ({ arms: { left: arm([NaN, 0, 0]), right: arm([0, 0, 0]) }, contacts: [] }));
    const w = validateEpisode(raw);
    expect(!w.ok && w.issues.length).toBe(20);
  });

  it("parseEpisode throws a VlaError naming the function", () => {
    const raw = base();
    raw.control_frequency = -1;
    expect(() => parseEpisode(raw)).toThrow(VlaErrorCheck);
    expect(() => parseEpisode(raw)).toThrow(/parseEpisode: episode must be a valid episode log; episode "ep" \(#0\), field control_frequency/);
  });

  it("formatIssue omits the step for episode-level fields", () => {
    expect(formatIssue({ episode: "#1", field: "arms", expected: "x", got: "y" })).toBe("episode #1, field arms: expected x; got y");
  });
});

import { EPISODE_JSON_SCHEMA } from "../../src/metrics/index.js";
import { readFixtureJson, missingFixtures } from "../fixtures.js";

describe.skipIf(missingFixtures("EPISODE_JSON_SCHEMA on the RoboEval fixture", "roboeval"))("EPISODE_JSON_SCHEMA", () => {
  it("describes every field of the fixture episodes (and every required field is there)", () => {
    const { episodes } = readFixtureJson<{ episodes: Record<string, any>[] }>("roboeval", "trajectories.json");
    const top = EPISODE_JSON_SCHEMA.properties;
    const armProps = EPISODE_JSON_SCHEMA.properties.steps.items.properties.arms.additionalProperties.properties;
    for (const ep of episodes) {
      for (const k of Object.keys(ep)) expect(Object.keys(top), k).toContain(k);
      for (const k of EPISODE_JSON_SCHEMA.required) expect(ep).toHaveProperty(k);
      for (const s of ep.steps) for (const a of Object.values(s.arms) as Record<string, unknown>[]) for (const k of Object.keys(a)) expect(Object.keys(armProps)).toContain(k);
      for (const k of Object.keys(ep.config)) expect(Object.keys(top.config.properties)).toContain(k);
    }
  });
});
