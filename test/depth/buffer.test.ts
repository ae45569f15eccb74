import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { DepthCache, type RgbImage } from "../../src/depth/index.js";
import { cellMask } from "../../src/depth/cells.js";

function img(seed: number, w = 48, h = 40): RgbImage {
  const data = new Uint8Array(w * h * 3);
  let s = seed >>> 0 || 7;
  for (let i = 0; i < data.length; i++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    data[i] = s >>> 24;
  }
  return { data, width: w, height: h, channels: 3 };
}

/** Image b = a with the top-left quarter replaced (so only some cells change). */
function patched(a: RgbImage, seed: number): RgbImage {
  const b = { ...a, data: (a.data as Uint8Array).slice() };
  const p = img(seed, a.width, a.height).data;
  for (let y = 0; y < a.height / 2; y++) for (let x = 0; x < (a.width / 2) * 3; x++) b.data[y * a.width * 3 + x] = p[y * a.width * 3 + x];
  return b;
}

const codes = (f: (k: number) => number) => Array.from({ length: 100 }, (_, k) => f(k));

describe("DepthCache", () => {
  it("first update takes all codes; later updates carry the buffer forward (paper eq. 10)", () => {
    const cache = new DepthCache();
    expect(cache.ready).toBe(false);
    expect(cache.plan(img(1)).full).toBe(true);
    const u0 = cache.update(img(1), codes((k) => k));
    expect(u0.first).toBe(true);
    expect(u0.changedCount).toBe(100);
    expect(Array.from(u0.buffer)).toEqual(codes((k) => k));
    const a = img(1);
    const b = patched(a, 99);
    const mask = cellMask(a, b);
    expect(mask.some((m) => m === 1) && mask.some((m) => m === 0)).toBe(true);
    const u1 = cache.update(b, codes(() => 5));
    expect(Array.from(u1.mask)).toEqual(Array.from(mask));
    expect(Array.from(u1.buffer)).toEqual(codes((k) => (mask[k] ? 5 : k)));
    expect(Array.from(cache.codes!)).toEqual(codes(() => 5));
    expect(Array.from(cache.buffer!)).toEqual(Array.from(u1.buffer));
    expect(Array.from(cache.mask!)).toEqual(Array.from(mask));
    expect(cache.image!.width).toBe(48);
  });

  it("plan(image) is selective once ready, replays the buffer, and matches update's mask", () => {
    const cache = new DepthCache();
    const a = img(3);
    cache.update(a, codes((k) => k % 128));
    const b = patched(a, 4);
    const plan = cache.plan(b);
    expect(plan.full).toBe(false);
    const mask = cellMask(a, b);
    expect(Array.from(plan.mask)).toEqual(Array.from(mask));
    expect(plan.decodeSteps).toBe(mask.reduce((x, y) => x + y, 0));
    const u = cache.update(b, codes(() => 1));
    expect(Array.from(u.mask)).toEqual(Array.from(mask));
    // the same image again: nothing changed, zero decode steps
    expect(cache.plan(b).decodeSteps).toBe(0);
  });

  it("compares consecutive update calls and stores copies (caller mutation does not leak)", () => {
    const cache = new DepthCache();
    const a = img(5);
    cache.update(a, codes(() => 0));
    (a.data as Uint8Array).fill(0);
    expect(cache.image!.data.some((v) => v !== 0)).toBe(true);
    const got = cache.buffer!;
    got[0] = 99;
    expect(cache.buffer![0]).toBe(0);
  });

  it("reset starts a new episode", () => {
    const cache = new DepthCache();
    cache.update(img(1), codes(() => 3));
    cache.reset();
    expect(cache.ready).toBe(false);
    expect(cache.buffer).toBeNull();
    expect(cache.plan(img(1)).full).toBe(true);
    expect(cache.update(img(2), codes(() => 4)).first).toBe(true);
  });

  it("property: buffer[k] is the code of the last update in which cell k changed", () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 127 })), { minLength: 1, maxLength: 6 }), (seq) => {
        const cache = new DepthCache();
        const frames = [img(11), patched(img(11), 12), img(13), patched(img(13), 14)];
        const last = new Array(100).fill(-1);
        let prev: RgbImage | null = null;
        for (const [fi, code] of seq) {
          const u = cache.update(frames[fi], codes(() => code));
          const m = prev ? cellMask(prev, frames[fi]) : new Uint8Array(100).fill(1);
          for (let k = 0; k < 100; k++) if (m[k]) last[k] = code;
          if (!u.buffer.every((v, k) => v === last[k])) return false;
          prev = frames[fi];
        }
        return true;
      }),
      { numRuns: 25 },
    );
  });

  it("rejects bad codes", () => {
    const cache = new DepthCache();
    expect(() => cache.update(img(1), [1, 2])).toThrow(/DepthCache.update: codes must be an array of 100 depth codes/);
    expect(() => cache.update(img(1), codes(() => -1))).toThrow(/codes must contain integers in \[0, 127\]; got -1 at \[0\]/);
  });
});
