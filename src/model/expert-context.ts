import * as tf from "@tensorflow/tfjs-core";
import { MASK_VALUE, ropeRowTables, type PreparedKV, type RopeRowTables } from "../nn/index.js";
import { modulationTensors, type StepModulation } from "./expert-modulation.js";

/** Tables and masks of one velocity shape (B sequences of H steps, optional horizon validity). */
export interface StepTables {
  rope: RopeRowTables | null;
  selfMask: tf.Tensor2D | null;
  rowMask: tf.Tensor2D | null;
}

/**
 * Everything fixed within one action chunk (the paper's caching): the projected, normalised per-layer K/V in the
 * per-head rank-2 layout, the cross-attention bias, and — filled on first use — the AdaRMS modulations per flow time and
 * the RoPE tables and masks per velocity shape. Made by `ActionExpert.prepareContext`; `dispose()` when the chunk is
 * done.
 */
export class ExpertContext {
  /** Context length T. */
  readonly length: number;
  /** 1 = visible to the expert. */
  readonly visible: Uint8Array;
  /** @internal */ readonly kv: PreparedKV[];
  /** @internal */ readonly crossBias: tf.Tensor2D | null;
  private readonly mods = new Map<number, StepModulation>();
  private readonly tables = new Map<string, StepTables>();
  private disposed = false;

  /** @internal */
  constructor(kv: PreparedKV[], crossBias: tf.Tensor2D | null, visible: Uint8Array) {
    this.kv = kv;
    this.crossBias = crossBias;
    this.visible = visible;
    this.length = visible.length;
  }

  get isDisposed(): boolean {
    return this.disposed;
  }

  /** @internal The modulation at time t, computed by `make` on first use and kept until dispose. */
  modulation(t: number, make: () => StepModulation): StepModulation {
    let m = this.mods.get(t);
    if (!m) {
      m = make();
      for (const x of modulationTensors(m)) tf.keep(x);
      this.mods.set(t, m);
    }
    return m;
  }

  /** @internal RoPE tables and masks for B sequences of H steps (`valid`: horizon validity, null = all). */
  stepTables(B: number, H: number, valid: Uint8Array | null, heads: number, headDim: number, ropeBase: number | null): StepTables {
    const key = `${B}x${H}:${valid ? valid.join("") : "all"}`;
    let t = this.tables.get(key);
    if (!t) {
      t = { rope: ropeBase === null ? null : jointRope(B * H, H, heads, headDim, ropeBase), selfMask: selfMask(B, H, valid), rowMask: rowMask(B, H, valid) };
      for (const x of tensorsOf(t)) tf.keep(x);
      this.tables.set(key, t);
    }
    return t;
  }

  /** Free every cached tensor. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const p of this.kv) p.dispose();
    this.crossBias?.dispose();
    for (const m of this.mods.values()) tf.dispose(modulationTensors(m));
    for (const t of this.tables.values()) tf.dispose(tensorsOf(t));
    this.mods.clear();
    this.tables.clear();
  }
}

function tensorsOf(t: StepTables): tf.Tensor[] {
  const out: tf.Tensor[] = t.rope ? [t.rope.cos, t.rope.sin, t.rope.rotate] : [];
  for (const m of [t.selfMask, t.rowMask]) if (m) out.push(m);
  return out;
}

/**
 * RoPE for the joint q/k operand of `rows` action tokens: row r·2heads + j is query head j (j < heads, pre-scaled by
 * 1/√hd) or key head j − heads of token r, at horizon position r mod H.
 */
function jointRope(rows: number, H: number, heads: number, headDim: number, base: number): RopeRowTables {
  const n = rows * 2 * heads;
  const positions = new Float64Array(n);
  const scale = new Float64Array(n);
  const qScale = 1 / Math.sqrt(headDim);
  for (let i = 0; i < n; i++) {
    positions[i] = Math.floor(i / (2 * heads)) % H;
    scale[i] = i % (2 * heads) < heads ? qScale : 1;
  }
  return ropeRowTables(positions, headDim, base, scale);
}

/** Additive self mask `[B·H, B·H]`: each sequence sees only itself and only its valid steps (null when nothing is hidden). */
function selfMask(B: number, H: number, valid: Uint8Array | null): tf.Tensor2D | null {
  if (B === 1 && !valid) return null;
  const m = B * H;
  const d = new Float32Array(m * m);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < m; j++) if (Math.floor(i / H) !== Math.floor(j / H) || (valid && !valid[j % H])) d[i * m + j] = MASK_VALUE;
  }
  return tf.tensor2d(d, [m, m]);
}

/** `[B·H, 1]` 0/1 validity of each row (null without a horizon mask). */
function rowMask(B: number, H: number, valid: Uint8Array | null): tf.Tensor2D | null {
  if (!valid) return null;
  return tf.tensor2d(Float32Array.from({ length: B * H }, (_, i) => valid[i % H]), [B * H, 1]);
}
