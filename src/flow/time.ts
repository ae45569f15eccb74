import { checkInt, checkNumber, checkOneOf, fail, type Rng } from "../core/index.js";

/**
 * Time conventions.
 * - `molmoact2` (this library, MolmoAct2, the π0 paper): t = 0 is noise, t = 1 is data; `x_t = (1−t)·ε + t·a`,
 *   target velocity `a − ε`; sampling integrates t = 0 → 1 with dt = +1/N at times k/N, k = 0..N−1.
 * - `openpi` (openpi / LeRobot π0, π0.5, SmolVLA): t = 1 is noise, t = 0 is data; `x_t = t·ε + (1−t)·a`, target
 *   `ε − a`; sampling integrates 1 → 0 with dt = −1/N.
 * They are mirror images: `t_molmoact2 = 1 − t_openpi` and `v_molmoact2 = −v_openpi` (see {@link toMolmoAct2Time}).
 */
export type TimeConvention = "molmoact2" | "openpi";

/** `t_molmoact2 = 1 − t_openpi` (the same map converts back). */
export function toMolmoAct2Time(tOpenpi: number): number {
  return 1 - tOpenpi;
}

/** `t_openpi = 1 − t_molmoact2`. */
export function toOpenpiTime(tMolmoAct2: number): number {
  return 1 - tMolmoAct2;
}

/** Velocity sign between conventions: `v_molmoact2 = −v_openpi` (and back). */
export const VELOCITY_SIGN_BETWEEN_CONVENTIONS = -1;

/** Which reference's arithmetic to reproduce for the openpi grid. */
export type OpenpiGridStyle = "lerobot" | "openpi-float32";

/**
 * The Euler time grid exactly as each reference computes it (N evaluation times, in order):
 * - `molmoact2`: `k / N` for k = 0..N−1 (float64), dt = +1/N (MolmoAct2 `_run_action_flow_loop`).
 * - `openpi` + `lerobot` (default): `1 + k·(−1/N)` in float64 (LeRobot `euler_integrate`) — e.g. 0.3999999999999999.
 * - `openpi` + `openpi-float32`: openpi JAX's float32 accumulation `t ← f32(t + f32(−1/N))` from 1.0 (0.8999999761…).
 */
export function eulerGrid(numSteps: number, convention: TimeConvention = "molmoact2", style: OpenpiGridStyle = "lerobot"): { times: number[]; dt: number } {
  checkInt("eulerGrid", "numSteps", numSteps, 1, 1_000_000);
  checkOneOf("eulerGrid", "convention", convention, ["molmoact2", "openpi"] as const);
  checkOneOf("eulerGrid", "style", style, ["lerobot", "openpi-float32"] as const);
  const N = numSteps;
  if (convention === "molmoact2") return { times: Array.from({ length: N }, (_, k) => k / N), dt: 1 / N };
  const dt = -1 / N;
  if (style === "lerobot") return { times: Array.from({ length: N }, (_, k) => 1 + k * dt), dt };
  const f = Math.fround;
  const dt32 = f(dt);
  const times: number[] = [];
  let t = f(1);
  for (let k = 0; k < N; k++) {
    times.push(t);
    t = f(t + dt32);
  }
  return { times, dt: dt32 };
}

/** How training times are drawn. */
export interface TimeSamplerOptions {
  /** `uniform`: U[0,1)·scale + offset; `beta`: Beta(alpha, beta)·scale + offset. Default `beta`. */
  distribution?: "uniform" | "beta";
  alpha?: number;
  beta?: number;
  scale?: number;
  offset?: number;
  /** Convention of the returned times (a sample u is returned as u, or as 1 − u when converting). Default `molmoact2`. */
  convention?: TimeConvention;
}

/** MolmoAct2: `t = 0.001 + 0.999·Beta(1, 1.5)` (more mass near t = 0, the noise end), molmoact2.md §3.5. */
export const MOLMOACT2_TIME_SAMPLER: Readonly<Required<TimeSamplerOptions>> = Object.freeze({
  distribution: "beta", alpha: 1, beta: 1.5, scale: 0.999, offset: 0.001, convention: "molmoact2",
});

/** openpi / LeRobot π0: `t = Beta(1.5, 1)·0.999 + 0.001` in the openpi convention (t = 1 noise; mass near noise too). */
export const OPENPI_TIME_SAMPLER: Readonly<Required<TimeSamplerOptions>> = Object.freeze({
  distribution: "beta", alpha: 1.5, beta: 1, scale: 0.999, offset: 0.001, convention: "openpi",
});

/**
 * Draw `n` training times from `rng`. Defaults to {@link MOLMOACT2_TIME_SAMPLER}. The draw happens in the sampler's own
 * convention; pass `as` to get the times in another convention (`1 − t`), e.g. openpi's Beta(1.5, 1) times mapped into
 * the MolmoAct2 convention to train a MolmoAct2-convention model with openpi's schedule.
 */
export function sampleFlowTimes(rng: Rng, n: number, opts: TimeSamplerOptions = {}, as?: TimeConvention): Float64Array {
  const fn = "sampleFlowTimes";
  checkInt(fn, "n", n, 0);
  const o = { ...MOLMOACT2_TIME_SAMPLER, ...opts };
  checkOneOf(fn, "opts.distribution", o.distribution, ["uniform", "beta"] as const);
  checkOneOf(fn, "opts.convention", o.convention, ["molmoact2", "openpi"] as const);
  checkNumber(fn, "opts.scale", o.scale);
  checkNumber(fn, "opts.offset", o.offset);
  if (o.distribution === "beta") {
    checkNumber(fn, "opts.alpha", o.alpha, Number.MIN_VALUE);
    checkNumber(fn, "opts.beta", o.beta, Number.MIN_VALUE);
  }
  const target = as ?? o.convention;
  checkOneOf(fn, "as", target, ["molmoact2", "openpi"] as const);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const u = o.distribution === "beta" ? rng.beta(o.alpha, o.beta) : rng.uniform();
    const t = u * o.scale + o.offset;
    out[i] = target === o.convention ? t : 1 - t;
  }
  if (out.some((t) => !Number.isFinite(t))) fail(fn, "opts", "produced a non-finite time");
  return out;
}
