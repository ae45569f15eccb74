// Issue 11 item 2: ndarray is the array floor's currency, so a chunk crosses between nested JavaScript arrays and
// typed data at most once at each end of a walk. core/nested.ts is the only place that reads or builds
// `number[]`/`number[][]` of numbers; spying on its three functions pins that the two walks make no round trips.
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";

vi.mock("../../src/core/nested.js", async (importOriginal) => {
  const real = await importOriginal<typeof import("../../src/core/nested.js")>();
  return { ...real, fromNested: vi.fn(real.fromNested), toRows: vi.fn(real.toRows), toList: vi.fn(real.toList) };
});

const nested = await import("../../src/core/nested.js");
const { isNdArray, ndView, Rng } = await import("../../src/core/index.js");
const { computeStats, normalize, unnormalize } = await import("../../src/normalize/index.js");
const { loadFastPlus } = await import("../../src/tokenizer/index.js");
const { discretizeState, undiscretizeState } = await import("../../src/state/index.js");

const calls = () => ({
  fromNested: vi.mocked(nested.fromNested).mock.calls.length,
  toRows: vi.mocked(nested.toRows).mock.calls.length,
  toList: vi.mocked(nested.toList).mock.calls.length,
});
const none = { fromNested: 0, toRows: 0, toList: 0 };

/** A smooth raw chunk [30][7] as typed data, the way a robot driver or a LeRobot episode holds it. */
function rawChunk(): Float64Array {
  const H = 30;
  const D = 7;
  const data = new Float64Array(H * D);
  for (let t = 0; t < H; t++) for (let d = 0; d < D; d++) data[t * D + d] = 0.4 * Math.sin(t / 9 + d) + 0.1 * d;
  return data;
}

describe("one conversion per walk (core/nested.ts spied)", () => {
  beforeEach(() => vi.clearAllMocks());

  it("the spy sees conversions (the test can fail): number[][] in → one fromNested", () => {
    normalize([[0.1, 0.2]], { q01: [0, 0], q99: [1, 1] });
    expect(calls()).toEqual({ ...none, fromNested: 1 });
  });

  it("normalize → encode → decode → unnormalize on ndarray data: no nested arrays anywhere", async () => {
    const tok = await loadFastPlus();
    const raw = ndView(rawChunk(), [30, 7]);
    const stats = computeStats(raw);
    vi.clearAllMocks();
    const y = normalize(raw, stats);
    expect(isNdArray(y)).toBe(true);
    const ids = tok.encode(y);
    const r = tok.decode(ids, { horizon: 30, dim: 7 });
    if (!r.ok) throw new Error(r.reason);
    const x = unnormalize(r.actions, stats);
    expect(x.shape).toEqual([30, 7]);
    expect(calls()).toEqual(none);
    // same numbers as the walk starting from number[][] (which converts once, at the face)
    const rows = Array.from({ length: 30 }, (_, t) => Array.from(raw.data.subarray(t * 7, (t + 1) * 7)));
    vi.clearAllMocks();
    const ids2 = tok.encode(normalize(rows, stats));
    expect(calls()).toEqual({ ...none, fromNested: 1 });
    expect(ids2).toEqual(ids);
  });

  it("a state vector: normalize → 256 bins → back, no nested arrays", () => {
    const stats = { q01: [-2, -2, -2, 0], q99: [2, 2, 2, 1] };
    const s = ndView(Float64Array.of(0.5, -1, 3, 0.25), [4]);
    vi.clearAllMocks();
    const bins = discretizeState(normalize(s, stats));
    const back = unnormalize(undiscretizeState(bins), stats);
    expect(back.shape).toEqual([4]);
    expect(calls()).toEqual(none);
  });
});

describe("predictActions: typed observation in, rows built once as the call returns", () => {
  let model: import("../../src/model/index.js").MolmoAct2;
  let tf: typeof import("@tensorflow/tfjs-core");
  const D = 7;
  const H = 10;

  beforeAll(async () => {
    tf = await import("@tensorflow/tfjs-core");
    const { useBackend } = await import("../../src/nn/index.js");
    await useBackend("cpu");
    const { MolmoAct2, TINY, initRandomParams } = await import("../../src/model/index.js");
    const { tinyTag } = await import("../model/helpers.js");
    model = new MolmoAct2({ config: TINY, params: initRandomParams(TINY, 5), tags: { so: tinyTag(D, H) }, actionTokenizer: await loadFastPlus() });
  }, 60_000);
  afterAll(() => model?.dispose());

  it("continuous: the state, image and noise go in as typed data; only the two result rows are built (toRows ×2)", async () => {
    const rng = new Rng(3);
    const image = ndView(Uint8Array.from({ length: 48 * 64 * 3 }, () => rng.int(256)), [48, 64, 3]);
    const state = Float64Array.of(0.1, -0.4, 0.9, 0, 1.5, -1.2, 0.3);
    const noise = ndView(Float32Array.from(rng.normals(H * D)), [H, D]);
    vi.clearAllMocks();
    const r = await model.predictActions({ images: [image], task: "pick up the cube", state }, { noise, numSteps: 2 });
    if (!r.ok) throw new Error(r.message);
    expect(calls()).toEqual({ ...none, toRows: 2 });
    expect(r.actions.length).toBe(H);
  });

  it("discrete: the decoded chunk stays an ndarray until the same two rows", async () => {
    const table = model.table;
    const tok = await loadFastPlus();
    const chunk = ndView(Float64Array.from({ length: H * D }, (_, i) => 0.5 * Math.sin(i / 7)), [H, D]);
    const bins = tok.encode(chunk);
    const forced = [table.ids.actionStart, ...bins.map((b) => table.actionToken(b)), table.ids.actionEnd, table.ids.imEnd];
    const rng = new Rng(4);
    const image = { data: Uint8Array.from({ length: 48 * 64 * 3 }, () => rng.int(256)), width: 64, height: 48, channels: 3 as const };
    vi.clearAllMocks();
    const r = await model.predictActions(
      { images: [image], task: "pick up the cube", state: new Float32Array(D) },
      {
        mode: "discrete",
        logitsProcessor: (logits, gen) => {
          logits.fill(-1e9);
          logits[forced[gen.length]] = 0;
        },
      },
    );
    if (!r.ok) throw new Error(r.message);
    expect(calls()).toEqual({ ...none, toRows: 2 });
  });
});
