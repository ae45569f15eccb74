import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { toList, toRows } from "../../src/core/index.js";
import { EMBODIMENT_PRESETS, computeStats, embodimentPreset, gripperMask, normalize, padDims, statsFromLeRobot, statsFromMolmoAct2, statsFromOpenpi, unnormalize, unpadDims } from "../../src/normalize/index.js";
import { zeroRangeDims } from "../../src/normalize/normalize.js";
import { readFixtureJson, missingFixtures } from "../fixtures.js";

const close = (a: number[], b: number[], tol: number) => a.every((v, i) => Math.abs(v - b[i]) <= tol);

describe("normalize: stats", () => {
  it("computeStats uses numpy's linear quantile (np.quantile default) and population std", () => {
    const s = computeStats([[0], [1], [2], [3], [10], [11], [12], [100]]);
    // numpy: np.quantile([0,1,2,3,10,11,12,100], [0.01, 0.99]) = [0.07, 93.84]
    expect(close(s.q01, [0.07], 1e-12) && close(s.q99, [93.83999999999997], 1e-9)).toBe(true);
    expect(s.min).toEqual([0]);
    expect(s.max).toEqual([100]);
    expect(s.count).toBe(8);
    expect(() => computeStats([[1, NaN]])).toThrow(/computeStats: rows must contain finite numbers; got NaN at \[0\]\[1\]/);
  });

  it.skipIf(missingFixtures("normalize on real stats files", "real"))("computeStats on the so101 episode equals numpy (1e-9: float64 summation order only)", () => {
    const ep = readFixtureJson<{ action: number[][] }>("real", "so101-orange-cube", "derived", "episode_000000.json");
    const s = computeStats(ep.action);
    // numpy 2.4 values computed on the same file
    const ref = {
      q01: [-34.86064208984375, -99.10057067871094, 24.92113494873047, 30.825138092041016, -75.40802795410156, 1.0458568334579468],
      q99: [-5.852986354827885, 5.64186429977417, 100.0, 79.92988555908202, -44.03568618774415, 39.58165740966797],
      std: [10.165389695468395, 39.58451735680528, 29.393397947223466, 18.64915774763625, 9.904783668210241, 12.168012476231585],
    };
    expect(close(s.q01, ref.q01, 1e-9) && close(s.q99, ref.q99, 1e-9) && close(s.std as number[], ref.std, 1e-9)).toBe(true);
  });

  it.skipIf(missingFixtures("normalize on real stats files", "real"))("reads LeRobot meta/stats.json (q01/q99) and rejects files without quantiles", () => {
    const s = statsFromLeRobot(readFixtureJson<object>("real", "so101-orange-cube", "meta", "stats.json"), "action");
    expect(s.q01.length).toBe(6);
    expect(s.count).toBeGreaterThan(0);
    expect(() => statsFromLeRobot(readFixtureJson<object>("real", "reachy2-apple-storage", "meta", "stats.json"), "action")).toThrow(/must have q01\/q99 for "action"/);
    expect(() => statsFromLeRobot({ action: {} }, "state")).toThrow(/key must name a feature of stats.json/);
  });

  it.skipIf(missingFixtures("normalize on real stats files", "real"))("openpi norm_stats.json: the Bridge file has std = 0 and q01 = q99 = 0 on state dim 6 — no NaN either way", () => {
    const raw = readFixtureJson<object>("real", "openpi-norm-stats", "bridge_pi05_simpler_norm_stats.json");
    const st = statsFromOpenpi(raw, "state");
    expect(st.std?.[6]).toBe(0);
    expect(st.q01[6]).toBe(st.q99[6]);
    expect(zeroRangeDims(st)[6]).toBe(true);
    const x = st.q01.map((q, d) => (q + st.q99[d]) / 2);
    const mm = toList(normalize(x, st));
    expect(mm[6]).toBe(0); // MolmoAct2 zero_mask rule
    const op = toList(normalize(x, st, { mode: "openpi" }));
    expect(op[6]).toBe(-1); // openpi: (0-0)/(0+1e-6)*2-1
    expect([...mm, ...op].every(Number.isFinite)).toBe(true);
    expect(statsFromOpenpi(raw).q01.length).toBe(7);
  });

  it("MolmoAct2 norm_stats.json (molmoact2_norm_stats.v1) and the gripper mask", () => {
    const file = {
      format: "molmoact2_norm_stats.v1",
      norm_mode: "q01_q99",
      metadata_by_tag: {
        franka_droid: {
          action_horizon: 15,
          n_action_steps: 15,
          setup_type: "single franka robotic arm in droid",
          control_mode: "absolute joint pose",
          normalize_gripper: false,
          camera_keys: ["exterior_1_left"],
          action_stats: { q01: [-1, -2], q99: [1, 2], min: [-1, 0], max: [1, 1], names: ["joint_0", "gripper"], mask: [true, false] },
        },
      },
    };
    const t = statsFromMolmoAct2(file);
    expect(t).toMatchObject({ tag: "franka_droid", actionHorizon: 15, normalizeGripper: false, normMode: "q01_q99" });
    expect(toList(normalize([0.5, 0.7], t.action))).toEqual([0.5, 0.7]);
    expect(gripperMask(["joint_0", "Gripper_pos"], false)).toEqual([true, false]);
    expect(() => statsFromMolmoAct2(file, "libero")).toThrow(/tag must be one of "franka_droid"/);
  });
});

describe("normalize / unnormalize", () => {
  const stats = { q01: [0, -2, 5], q99: [10, 2, 5], min: [0, -3, 5], max: [12, 3, 5] };

  it("q01_q99 maps to [-1, 1] with clipping; masked dims pass through; zero-range dims give 0", () => {
    expect(toList(normalize([5, 0, 5], stats))).toEqual([0, 0, 0]);
    expect(toList(normalize([20, -9, 7], stats))).toEqual([1, -1, 0]);
    expect(toRows(normalize([[20, 1, 5]], stats, { mask: [false, true, true] }))).toEqual([[20, 0.5, 0]]);
    const f = normalize(Float64Array.from([0, 2, 5, 10, -2, 5]), stats); // a flat typed array is rows of the stats' dim
    expect(f.shape).toEqual([2, 3]);
    expect(f.data).toBeInstanceOf(Float64Array);
    expect(Array.from(f.data)).toEqual([-1, 1, 0, 1, -1, 0]);
  });

  it("openpi mode: (x-q01)/(q99-q01+1e-6)*2-1 without clipping", () => {
    const y = normalize([20], { q01: [0], q99: [10] }, { mode: "openpi" });
    expect(y.get(0)).toBeCloseTo(((20 - 0) / (10 + 1e-6)) * 2 - 1, 15);
    expect(unnormalize(y, { q01: [0], q99: [10] }, { mode: "openpi" }).get(0)).toBeCloseTo(20, 9);
  });

  it("unnormalize clips then maps; masked dims return the clipped value (MolmoAct2)", () => {
    expect(toList(unnormalize([0, 1.5, -3], stats))).toEqual([5, 2, 5]);
    expect(toList(unnormalize([2, 0, 0], stats, { mask: [false, true, true] }))).toEqual([1, 0, 5]);
  });

  it("property: unnormalize(normalize(x)) = x for values inside [q01, q99]", () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.double({ min: -50, max: 50, noNaN: true }), fc.double({ min: 0.01, max: 50, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true })), { minLength: 1, maxLength: 8 }), (dims) => {
        const s = { q01: dims.map(([lo]) => lo), q99: dims.map(([lo, w]) => lo + w) };
        const x = dims.map(([lo, w, u]) => lo + w * u);
        const back = unnormalize(normalize(x, s), s);
        toList(back).forEach((v, d) => expect(Math.abs(v - x[d])).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(x[d]))));
      }),
    );
  });

  it("rejects NaN, wrong dims and bad stats with messages naming the argument", () => {
    expect(() => normalize([NaN, 0, 0], stats)).toThrow(/normalize: values must contain finite numbers; got NaN at \[0\]/);
    expect(() => normalize([1, 2], stats)).toThrow(/values must have 3 entries/);
    expect(() => normalize([1], { q01: [0], q99: [Infinity] })).toThrow(/stats.q99 must hold finite numbers/);
    expect(() => normalize([1, 2, 3], stats, { mask: [true] })).toThrow(/mask must be 3 booleans/);
    expect(() => normalize([1, 2, 3], stats, { mode: "minmax" as never })).toThrow(/mode must be "q01_q99" or "openpi"/);
  });
});

describe("padding and presets", () => {
  it("pads to 32 dims with a mask and unpads", () => {
    const p = padDims([[1, 2, 3]]);
    expect(p.values.shape).toEqual([1, 32]);
    expect(p.mask.filter(Boolean).length).toBe(3);
    const cut = unpadDims(p.values, 3);
    expect(cut.data).toBe(p.values.data); // a view of the padded chunk, no copy
    expect(toRows(cut)).toEqual([[1, 2, 3]]);
    expect(toRows(unpadDims([[1, 2, 0]], 2))).toEqual([[1, 2]]);
    const v = padDims([1, 2], 4);
    expect({ values: toList(v.values), mask: v.mask }).toEqual({ values: [1, 2, 0, 0], mask: [true, true, false, false] });
    expect(() => padDims([new Array(33).fill(0)])).toThrow(/padDims: values must have at most 32 dims; got 33/);
  });

  it("embodiment presets follow the MolmoAct2 table", () => {
    expect(Object.keys(EMBODIMENT_PRESETS).length).toBe(8);
    expect(embodimentPreset("so100_so101_molmoact2")).toMatchObject({ actionHorizon: 30, normalizeGripper: true, controlMode: "absolute joint pose" });
    expect(embodimentPreset("widowx_bridge").cameraKeys).toEqual(["image_0", "image_1", "image_2", "image_3"]);
    expect(embodimentPreset("franka_droid").actionHorizon).toBe(15);
    expect(() => embodimentPreset("ur5")).toThrow(/embodimentPreset: tag must be one of/);
  });
});
