import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ndView } from "../../src/core/index.js";
import { LeRobotDataset } from "../../src/io/index.js";
import { percentileStats, type StatsEpisode } from "../../src/normalize/index.js";
import { fixturePath, missingFixtures } from "../fixtures.js";

const real = (name: string) => fixturePath("real", name);

/** A hand-made episode: `fill(r, d)` for row r, dimension d (state and action the same values). */
function fakeEpisode(length: number, dim: number, fill: (r: number, d: number) => number): StatsEpisode {
  const data = new Float64Array(length * dim);
  for (let r = 0; r < length; r++) for (let d = 0; d < dim; d++) data[r * dim + d] = fill(r, d);
  return { episodeIndex: 0, length, state: ndView(data, [length, dim]), action: ndView(data.slice(), [length, dim]) };
}

describe.skipIf(missingFixtures("percentileStats on real datasets", "real"))("percentileStats on the real fixtures", () => {
  // Reference: numpy 2.4 `np.quantile(x, q, axis=0)` (linear) on the derived episode, computed once
  // offline. Tolerance 1e-9 relative: same algorithm in float64, only summation order can differ.
  it("percentileStats matches numpy's linear quantiles", async () => {
    const so = (await (await LeRobotDataset.open(real("so101-orange-cube"))).loadEpisodes({ episodes: [0] }));
    const s = percentileStats(so, "action");
    const q01 = [-34.86064208984375, -99.10057067871094, 24.92113494873047, 30.825138092041016, -75.40802795410156, 1.0458568334579468];
    const q99 = [-5.852986354827885, 5.64186429977417, 100.0, 79.92988555908202, -44.03568618774415, 39.58165740966797];
    q01.forEach((v, i) => expect(s.q01[i]).toBeCloseTo(v, 9));
    q99.forEach((v, i) => expect(s.q99[i]).toBeCloseTo(v, 9));
    expect(s.method).toMatch(/numpy linear/);
    const pi = await (await LeRobotDataset.open(real("piper-grape"))).loadEpisodes({ episodes: [0] });
    const p = percentileStats(pi, "state");
    const p01 = [-19.577906742095948, -100.0, -10.821729192733764, -1.5750000476837158, 35.20000076293945, -25.503216876983643, 0.800000011920929];
    const p99 = [25.508213329315183, 27.649999618530273, 97.61971618652342, -1.3240000009536743, 89.54000091552734, 94.67710800170899, 50.70000076293945];
    p01.forEach((v, i) => expect(p.q01[i]).toBeCloseTo(v, 9));
    p99.forEach((v, i) => expect(p.q99[i]).toBeCloseTo(v, 9));
  });

});

describe("percentileStats", () => {
  it("percentileStats: low <= high, inside [min,max], rejects NaN naming the place", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 0, max: 1000 }), (len, dim, seed) => {
        const ep = fakeEpisode(len, dim, (r, d) => Math.sin(seed + r * 7.1 + d * 3.3) * 100);
        const s = percentileStats([ep], "action");
        for (let d = 0; d < dim; d++) {
          let mn = Infinity;
          let mx = -Infinity;
          for (let r = 0; r < len; r++) {
            mn = Math.min(mn, ep.action.data[r * dim + d]);
            mx = Math.max(mx, ep.action.data[r * dim + d]);
          }
          expect(s.q01[d]).toBeLessThanOrEqual(s.q99[d]);
          expect(s.q01[d]).toBeGreaterThanOrEqual(mn);
          expect(s.q99[d]).toBeLessThanOrEqual(mx);
        }
      }),
      { numRuns: 60 },
    );
    const bad = fakeEpisode(5, 2, (r, d) => (r === 3 && d === 1 ? NaN : r));
    expect(() => percentileStats([bad], "state")).toThrow(/percentileStats: episodes must contain finite state values; got NaN in episode 0 at \[3\]\[1\]/);
    expect(() => percentileStats([], "state")).toThrow(/non-empty/);
  });


  it("adds the q10/q50/q90 LeRobot's stats.json also stores, numpy-linear like q01/q99", () => {
    const ep = fakeEpisode(11, 1, (r) => r * r);
    const s = percentileStats([ep], "action");
    // np.quantile([0, 1, 4, ..., 100], [0.1, 0.5, 0.9]) = [1, 25, 81]
    expect([s.q10[0], s.q50[0], s.q90[0]]).toEqual([1, 25, 81]);
    expect(s.count).toBe(11);
    expect(s.dim).toBe(1);
  });
});
