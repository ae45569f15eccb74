import { describe, expect, it } from "vitest";
import { readdirSync } from "node:fs";
import { fixturePath, readFixtureJson, missingFixtures } from "../fixtures.js";
import { computeSimpleLogMetrics, isSimpleLog, timingInfo, validateSimpleLog, type SimpleLog } from "../../src/metrics/index.js";
import { defaultArmDims, simpleLogToEpisode } from "../../src/metrics/simple-log.js";
import { pathLength } from "../../src/metrics/kinematics.js";

const load = (name: string): SimpleLog => {
  const dir = fixturePath("real", name, "derived");
  return readFixtureJson<SimpleLog>("real", name, "derived", readdirSync(dir).filter((f) => f.endsWith(".json"))[0]);
};

describe("defaultArmDims", () => {
  it("splits left/right, kLeft/kRight, arm<i>; drops gripper and hand dims", () => {
    expect(defaultArmDims(["kRightElbow", "kLeftElbow", "kLeftHandIndex", "kLeftWristRoll"], 4)).toEqual({ left: [1, 3], right: [0] });
    expect(defaultArmDims(["arm1_j1", "arm2_j1", "arm1_j2"], 3)).toEqual({ arm1: [0, 2], arm2: [1] });
    expect(defaultArmDims(["shoulder_pan.pos", "gripper.pos"], 2)).toEqual({ arm: [0] });
    expect(defaultArmDims(null, 3)).toEqual({ arm: [0, 1, 2] });
  });
});

describe("simple logs", () => {
  const synthetic: SimpleLog = { fps: 10, state: [[0, 0, 1], [3, 4, 1], [3, 4, 0.5], [6, 8, 0.5], [6, 8, 0.5]], state_names: ["a", "b", "gripper"] };

  it("computes joint metrics and lists what it cannot", () => {
    expect(isSimpleLog(synthetic)).toBe(true);
    const r = computeSimpleLogMetrics(synthetic);
    expect(r.metrics.joint_path_length).toBe(10);
    expect(r.derived.trajectory_length_steps).toBe(5);
    expect(r.derived.sim_time_s).toBe(0.5);
    expect(r.metrics).toHaveProperty("avg_joint_jerk");
    const un = r.unavailable.map((u) => u.key);
    for (const k of ["cartesian_path_length", "self_collision_count", "env_collision_count", "slip_count", "success", "subtask_progress", "completion_time"]) expect(un).toContain(k);
    expect(r.metrics).not.toHaveProperty("slip_count");
    expect(r.unavailable.find((u) => u.key === "cartesian_path_length")?.reason).toMatch(/wrist_position/);
  });

  it("uses end-effector poses when given and scales joints", () => {
    const log: SimpleLog = { ...synthetic, end_effector: { arm: { position: synthetic.state.map((r) => [r[0] / 10, r[1] / 10, 0]) } } };
    const r = computeSimpleLogMetrics(log, { jointScale: 2 });
    expect(r.metrics.cartesian_path_length).toBeCloseTo(1, 12);
    expect(r.metrics.joint_path_length).toBe(20);
    expect(r.unavailable.map((u) => u.key)).toContain("orientation_path_length");
  });

  it("reports frame and field for bad logs", () => {
    const bad = { fps: 30, state: [[0, 1], [0, NaN]], timestamp: [0, 0] };
    const issues = validateSimpleLog(bad, 3);
    expect(issues[0]).toMatchObject({ episode: "#3", step: 1, field: "state[1]", got: "NaN" });
    expect(issues[1]).toMatchObject({ step: 1, field: "timestamp" });
    expect(() => simpleLogToEpisode(bad as SimpleLog)).toThrow(/simpleLogToEpisode: log must be a valid joint log; episode #0, step 1, field state\[1\]/);
    expect(() => simpleLogToEpisode(synthetic, { arms: { arm: [7] } })).toThrow(/opts.arms.arm must be a non-empty list of state dims in \[0, 2\]/);
    expect(validateSimpleLog({ fps: 0, state: [] })[0].field).toBe("fps");
  });
});

describe.skipIf(missingFixtures("metrics of real LeRobot episodes", "real"))("real LeRobot episodes (shared/fixtures/real)", () => {
  it("G1 bimanual: left/right 7-DoF arms; JPL equals a direct sum over the state columns", () => {
    const log = load("g1-inspire-bottle");
    const r = computeSimpleLogMetrics(log);
    expect(r.armDims).toEqual({ left: [0, 1, 2, 3, 4, 5, 6], right: [7, 8, 9, 10, 11, 12, 13] });
    const right = pathLength(log.state.map((row) => row.slice(7, 14)));
    expect((r.metrics.joint_path_length as Record<string, number>).right).toBe(right);
    expect(r.metrics.total_joint_path_length).toBeGreaterThan(0);
    expect(r.metrics).toHaveProperty("overall_avg_joint_jerk");
    expect(r.timing.jitter).toBe(false);
    expect(r.derived.trajectory_length_steps).toBe(log.state.length);
  });

  it("so101-bimanual-cloth: detects jitter; nominal vs timestamps timing differ, path lengths do not", () => {
    const log = load("so101-bimanual-cloth");
    const t = timingInfo(log.fps, log.timestamp);
    expect(t.jitter).toBe(true);
    expect(t.minDtS!).toBeGreaterThan(0.05);
    expect(t.meanDtS!).toBeCloseTo(0.054, 3);
    const nominal = computeSimpleLogMetrics(log);
    const stamped = computeSimpleLogMetrics(log, { timing: "timestamps" });
    expect(stamped.metrics.total_joint_path_length).toBe(nominal.metrics.total_joint_path_length);
    // real periods are ~8 % longer than 1/f, so jerk from time stamps is smaller (∝ 1/dt³)
    expect(stamped.metrics.overall_avg_joint_jerk as number).toBeLessThan(nominal.metrics.overall_avg_joint_jerk as number);
    expect(nominal.metrics.completion_time).toBeCloseTo(log.timestamp![log.timestamp!.length - 1] + 0.05, 9);
  });

  it("every real episode scores without NaN", () => {
    for (const name of ["so101-orange-cube", "g1-inspire-bottle", "so101-bimanual-cloth", "reachy2-apple-storage", "lingzu-open50", "piper-grape"]) {
      const r = computeSimpleLogMetrics(load(name));
      const nums = JSON.stringify(r.metrics);
      expect(nums, name).not.toMatch(/null|NaN/);
      expect(r.derived.trajectory_length_steps, name).toBeGreaterThan(100);
    }
  });
});

import { ROBOEVAL_BIMANUAL_PANDA_LAYOUT, computeEpisodeMetrics } from "../../src/metrics/index.js";
import { makeEpisode } from "./helpers.js";

describe("RoboEval LeRobot export layout (qpos ⊕ qvel)", () => {
  it("gives the same JPL, JJ and BAVD as the full episode", () => {
    const q = Array.from({ length: 12 }, (_, k) => Array.from({ length: 7 }, (_, j) => Math.sin(0.3 * k + j)));
    const r = q.map((row) => row.map((v) => v * 0.5 + 0.1));
    const full = computeEpisodeMetrics(makeEpisode(q, r));
    const finger = [0.04, 0.04];
    const state = q.map((ql, k) => {
      const vl = ql.map((x) => x * 2);
      const vr = r[k].map((x) => -x);
      return [...ql, ...finger, ...r[k], ...finger, ...vl, 0, 0, ...vr, 0, 0];
    });
    const s = computeSimpleLogMetrics({ fps: 20, state }, { ...ROBOEVAL_BIMANUAL_PANDA_LAYOUT });
    for (const k of ["total_joint_path_length", "overall_avg_joint_jerk", "overall_rms_joint_jerk", "bimanual_arm_velocity_difference"]) {
      expect(s.metrics[k], k).toBe(full.metrics[k]);
    }
    expect(s.unavailable.map((u) => u.key)).not.toContain("bimanual_arm_velocity_difference");
    expect(() => computeSimpleLogMetrics({ fps: 20, state }, { arms: ROBOEVAL_BIMANUAL_PANDA_LAYOUT.arms, velocities: { left: [1], right: [2] } })).toThrow(/opts.velocities.left must list 7 state dims/);
  });
});
