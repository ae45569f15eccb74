import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { computeEpisodeMetrics, type Step } from "../../src/metrics/index.js";
import { accumulateJerk } from "../../src/metrics/jerk.js";
import { countCollisions } from "../../src/metrics/contacts.js";
import { countSlips } from "../../src/metrics/slips.js";
import { orientationPathLength, pathLength } from "../../src/metrics/kinematics.js";
import { stageProgress } from "../../src/metrics/stages.js";
import { makeEpisode } from "./helpers.js";

const vec = (d: number) => fc.array(fc.double({ min: -3, max: 3, noNaN: true }), { minLength: d, maxLength: d });
const traj = (d: number, min = 0, max = 40) => fc.array(vec(d), { minLength: min, maxLength: max });

describe("kinematics and jerk properties", () => {
  it("path length is translation invariant, non-negative, and ≥ the straight-line distance", () => {
    fc.assert(
      fc.property(traj(3, 2), vec(3), (xs, off) => {
        const L = pathLength(xs);
        const moved = pathLength(xs.map((x) => x.map((v, i) => v + off[i])));
        const chord = Math.hypot(...xs[xs.length - 1].map((v, i) => v - xs[0][i]));
        expect(L).toBeGreaterThanOrEqual(0);
        expect(Math.abs(moved - L)).toBeLessThanOrEqual(1e-9 * (1 + L));
        expect(L).toBeGreaterThanOrEqual(chord - 1e-9);
      }),
    );
  });

  it("orientation path length ignores quaternion signs", () => {
    fc.assert(
      fc.property(fc.array(vec(4).filter((q) => Math.hypot(...q) > 0.1), { minLength: 2, maxLength: 20 }), fc.array(fc.boolean(), { minLength: 20, maxLength: 20 }), (qs, flips) => {
        const unit = qs.map((q) => q.map((v) => v / Math.hypot(...q)));
        const flipped = unit.map((q, i) => (flips[i] ? q.map((v) => -v) : q));
        expect(Math.abs(orientationPathLength(unit) - orientationPathLength(flipped))).toBeLessThanOrEqual(1e-9);
      }),
    );
  });

  it("jerk of a quadratic trajectory is 0 and of a cubic is constant 6a", () => {
    fc.assert(
      fc.property(fc.double({ min: -2, max: 2, noNaN: true }), fc.double({ min: -2, max: 2, noNaN: true }), fc.integer({ min: 4, max: 60 }), (a, b, n) => {
        const dt = 0.05;
        const quad = Array.from({ length: n }, (_, k) => [b * (k * dt) ** 2]);
        const cubic = Array.from({ length: n }, (_, k) => [a * (k * dt) ** 3]);
        const q = accumulateJerk(quad, dt);
        const c = accumulateJerk(cubic, dt);
        expect(q.count).toBe(n - 3);
        expect(q.sum / q.count).toBeLessThanOrEqual(1e-6 * (1 + Math.abs(b)) / dt);
        expect(Math.abs(c.sum / c.count - 6 * Math.abs(a))).toBeLessThanOrEqual(1e-6 * (1 + Math.abs(a)) / dt ** 2);
      }),
    );
  });

  it("timestamp timing equals nominal timing on evenly spaced time stamps, and differs on jitter", () => {
    fc.assert(
      fc.property(traj(2, 4, 30), (xs) => {
        const dt = 0.05;
        const times = xs.map((_, k) => k * dt);
        const a = accumulateJerk(xs, dt);
        const b = accumulateJerk(xs, dt, undefined, times);
        expect(b.count).toBe(a.count);
        expect(Math.abs(b.sum - a.sum)).toBeLessThanOrEqual(1e-6 * (1 + a.sum));
      }),
    );
    const xs = Array.from({ length: 10 }, (_, k) => [Math.sin(k)]);
    const jittered = xs.map((_, k) => k * 0.05 + (k % 2) * 0.005);
    expect(accumulateJerk(xs, 0.05, undefined, jittered).sum).not.toBeCloseTo(accumulateJerk(xs, 0.05).sum, 3);
  });

  it("carry-over adds exactly one jerk sample when N ≥ 3", () => {
    fc.assert(
      fc.property(traj(3, 3, 20), vec(3), (xs, acc) => {
        expect(accumulateJerk(xs, 0.05, acc).count).toBe(accumulateJerk(xs, 0.05).count + 1);
      }),
    );
  });

  it("avg jerk ≤ rms jerk; jerk scales with 1/dt³", () => {
    fc.assert(
      fc.property(traj(7, 4, 30), (qs) => {
        const ep = makeEpisode(qs, qs.map((q) => q.map((v) => v / 2)));
        const m = computeEpisodeMetrics(ep).metrics;
        const avg = m.overall_avg_joint_jerk as number;
        const rms = m.overall_rms_joint_jerk as number;
        expect(avg).toBeLessThanOrEqual(rms * (1 + 1e-12) + 1e-12);
        const m2 = computeEpisodeMetrics({ ...ep, controlFrequencyHz: 40 }).metrics;
        expect(Math.abs((m2.overall_avg_joint_jerk as number) - 8 * avg)).toBeLessThanOrEqual(1e-9 * (1 + 8 * avg));
      }),
    );
  });
});

describe("events", () => {
  const geoms = { robot: [0, 1, 2, 3], scene: [10, 11, 12], ignore: [12] };
  const stepsWith = (contacts: Step["contacts"][]) => contacts.map((c) => ({ arms: {}, contacts: c }) as Step);

  it("collision counts do not depend on geom order within a contact", () => {
    const contact = fc.tuple(fc.integer({ min: 0, max: 12 }), fc.integer({ min: 0, max: 12 }), fc.constantFrom(-1e-3, 0, 1e-8, 1e-3)) as fc.Arbitrary<[number, number, number]>;
    fc.assert(
      fc.property(fc.array(fc.array(contact, { maxLength: 5 }), { maxLength: 60 }), fc.integer({ min: 1, max: 25 }), (cs, w) => {
        const a = countCollisions(stepsWith(cs), geoms, w);
        const b = countCollisions(stepsWith(cs.map((c) => c.map(([g1, g2, d]) => [g2, g1, d] as [number, number, number]))), geoms, w);
        expect(b).toEqual(a);
        expect(a.self).toBeGreaterThanOrEqual(0);
      }),
    );
  });

  it("samples every `window` steps; sustained contacts count once; margin 1e-8 inclusive", () => {
    const c: Step["contacts"][] = Array.from({ length: 45 }, () => []);
    c[0] = [[1, 2, 1e-8], [3, 10, -1e-3], [1, 10, 0], [2, 12, -1]]; // pair (1,2); env {10}; 12 ignored
    c[5] = [[0, 3, -1]]; // between samples: invisible
    c[20] = [[2, 1, 0], [11, 10, -1]]; // same pair again, scene-scene ignored
    c[40] = [[1, 2, 2e-8], [0, 11, 0]]; // above margin; new env geom 11
    expect(countCollisions(stepsWith(c), geoms, 20)).toEqual({ self: 1, env: 2 });
    expect(countCollisions(stepsWith(c), geoms, 5)).toEqual({ self: 3, env: 2 });
  });

  it("a slip needs held→not held without opening; reset state is the first reference", () => {
    const arm = (hold: boolean, g: number) => ({ jointPositions: [0], gripperOpening: g, holding: { cube: hold } });
    const steps: Step[] = Array.from({ length: 61 }, () => ({ arms: { left: arm(true, 0) } }));
    steps[20] = { arms: { left: arm(false, 0.04) } }; // rounds to 0.0 ≤ 0.0: slip
    steps[40] = { arms: { left: arm(true, 0) } };
    steps[60] = { arms: { left: arm(false, 0.5) } }; // opened: release, not slip
    expect(countSlips(steps, ["left"], ["cube"], { left: { gripperOpening: 0, holding: { cube: true } } }, 20)).toEqual({ total: 1, perObject: { object_1: 1 } });
    // without quantisation 0.04 > 0.0 is an opening: no slip
    expect(countSlips(steps, ["left"], ["cube"], { left: { gripperOpening: 0, holding: { cube: true } } }, 20, false).total).toBe(0);
    // drop at k = 0 measured against the reset state
    const s0 = [{ arms: { left: arm(false, 0) } }];
    expect(countSlips(s0, ["left"], ["cube"], { left: { gripperOpening: 0, holding: { cube: true } } }, 20).total).toBe(1);
  });

  it("stage progress counts stages ever reached (not the furthest), marks after the end ignored", () => {
    expect(stageProgress(4, [[3, 4]], 10)).toEqual({ reached: { 1: false, 2: false, 3: false, 4: true }, progress: 0.25 });
    expect(stageProgress(2, [[1, 1], [10, 2]], 10)?.progress).toBe(0.5);
    expect(stageProgress(0, [], 10)).toBeUndefined();
  });
});

describe("output shapes (missing vs zero)", () => {
  const q = (n: number) => Array.from({ length: n }, (_, k) => [k * 0.1, Math.sin(k), 0, 0, 0, 0, k * k * 0.01]);
  it("single arm: scalar outputs, no total/avg/overall/bimanual keys", () => {
    const m = computeEpisodeMetrics(makeEpisode(q(10), null)).metrics;
    expect(typeof m.joint_path_length).toBe("number");
    expect(typeof m.avg_joint_jerk).toBe("number");
    for (const k of ["total_joint_path_length", "avg_joint_path_length", "overall_avg_joint_jerk", "bimanual_arm_velocity_difference", "bimanual_gripper_vertical_difference"]) expect(m).not.toHaveProperty(k);
  });
  it("N < 4: per-arm jerks 0, no overall keys; N = 0: no bimanual keys", () => {
    const m3 = computeEpisodeMetrics(makeEpisode(q(3), q(3))).metrics;
    expect(m3.avg_joint_jerk).toEqual({ left: 0, right: 0 });
    expect(m3).not.toHaveProperty("overall_avg_joint_jerk");
    expect(m3).toHaveProperty("bimanual_arm_velocity_difference");
    const m0 = computeEpisodeMetrics(makeEpisode([], [])).metrics;
    expect(m0).not.toHaveProperty("bimanual_arm_velocity_difference");
    expect(m0.total_joint_path_length).toBe(0);
  });
  it("tracking flags off remove the keys; untracked slips give slip_count 0", () => {
    const ep = makeEpisode(q(10), q(10));
    ep.config = { ...ep.config, trackCartesianJerk: false, trackJointPathLength: false, trackSlippage: false, trackCollisions: false, trackVelSync: false };
    const m = computeEpisodeMetrics(ep).metrics;
    expect(m).not.toHaveProperty("overall_avg_cartesian_jerk");
    expect(m).not.toHaveProperty("joint_path_length");
    expect(m).not.toHaveProperty("self_collision_count");
    expect(m).not.toHaveProperty("bimanual_arm_velocity_difference");
    expect(m.slip_count).toBe(0);
    expect(m).toHaveProperty("overall_avg_joint_jerk");
  });
  it("completion_time from time stamps; unavailable without", () => {
    const ep = makeEpisode(q(5), q(5));
    expect(computeEpisodeMetrics(ep).unavailable.map((u) => u.key)).toContain("completion_time");
    ep.timestamps = { reset: 100, steps: [100.5, 101, 101.5, 102, 102.5] };
    expect(computeEpisodeMetrics(ep).metrics.completion_time).toBe(2.5);
    delete ep.timestamps.reset;
    expect(computeEpisodeMetrics(ep).metrics.completion_time).toBeCloseTo(2.05, 12); // last − first + dt
  });
  it("rejects programming errors with VlaError", () => {
    const ep = makeEpisode(q(5), q(5));
    expect(() => computeEpisodeMetrics({ ...ep, controlFrequencyHz: NaN })).toThrow(/computeEpisodeMetrics: episode.controlFrequencyHz must be a finite number > 0; got NaN/);
    expect(() => computeEpisodeMetrics(ep, { timing: "timestamps" })).toThrow(/has no timestamps/);
    const nan = makeEpisode(q(6), q(6));
    nan.steps[4].arms.right.jointPositions[2] = NaN;
    expect(() => computeEpisodeMetrics(nan)).toThrow(/computeEpisodeMetrics: episode must hold finite numbers .*; got steps\[4\]\.arms\.right\.jointPositions\[2\] = NaN/);
    const ragged = makeEpisode(q(6), q(6));
    ragged.steps[3].arms.left.wristPosition = [0, 0];
    expect(() => computeEpisodeMetrics(ragged)).toThrow(/steps\[3\]\.arms\.left\.wristPosition has length 2, step 0 has 3/);
  });
});
