/** Field readers of episode validation: each records problems as issues instead of throwing. */
import { describe } from "../core/index.js";
import type { ArmStep, Contact, GeomSets } from "./types.js";

/** One problem found in a log: which episode, which step, which field, expected vs got. */
export interface EpisodeIssue {
  /** Episode id (or `#index` when it has none). */
  episode: string;
  /** Control step index, when the problem is inside `steps`. */
  step?: number;
  /** Field path inside the episode or step, e.g. `arms.left.joint_positions[3]`. */
  field: string;
  expected: string;
  got: string;
}

/** At most this many issues are collected per episode. */
export const MAX_ISSUES = 20;

export type Obj = Record<string, unknown>;
export const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

/** Read `camel` or `snake` from an object (camelCase wins). */
export function pick(o: Obj, camel: string, snake: string): unknown {
  return o[camel] !== undefined ? o[camel] : o[snake];
}

export class Checker {
  readonly issues: EpisodeIssue[] = [];
  constructor(readonly episode: string) {}
  add(field: string, expected: string, got: unknown, step?: number): void {
    if (this.issues.length < MAX_ISSUES) {
      this.issues.push({ episode: this.episode, step, field, expected, got: typeof got === "string" && got.startsWith("@") ? got.slice(1) : describe(got) });
    }
  }
  num(v: unknown, field: string, step?: number, min = -Infinity, exclusiveMin = false): number | undefined {
    if (typeof v !== "number" || !Number.isFinite(v) || v < min || (exclusiveMin && v === min)) {
      const range = min === -Infinity ? "" : exclusiveMin ? ` > ${min}` : ` >= ${min}`;
      this.add(field, `a finite number${range}`, v, step);
      return undefined;
    }
    return v;
  }
  int(v: unknown, field: string, step?: number, min = 0, max = Infinity): number | undefined {
    if (typeof v !== "number" || !Number.isInteger(v) || v < min || v > max) {
      this.add(field, `an integer in [${min}, ${max === Infinity ? "inf" : max}]`, v, step);
      return undefined;
    }
    return v;
  }
  bool(v: unknown, field: string, step?: number): boolean | undefined {
    if (typeof v === "boolean") return v;
    if (v === 0 || v === 1) return v === 1;
    this.add(field, "a boolean (or 0/1)", v, step);
    return undefined;
  }
  vec(v: unknown, field: string, len: number | undefined, step?: number): number[] | undefined {
    if (!Array.isArray(v) || (len !== undefined && v.length !== len)) {
      this.add(field, len === undefined ? "an array of finite numbers" : `an array of ${len} finite numbers`, v, step);
      return undefined;
    }
    for (let i = 0; i < v.length; i++) {
      const x: unknown = v[i];
      if (typeof x !== "number" || !Number.isFinite(x)) {
        this.add(`${field}[${i}]`, "a finite number", x, step);
        return undefined;
      }
    }
    return v as number[];
  }
  holding(v: unknown, field: string, step?: number): Record<string, boolean> | undefined {
    if (!isObj(v)) {
      this.add(field, "an object {object name: boolean}", v, step);
      return undefined;
    }
    const out: Record<string, boolean> = {};
    for (const [k, b] of Object.entries(v)) {
      const r = this.bool(b, `${field}.${k}`, step);
      if (r !== undefined) out[k] = r;
    }
    return out;
  }
}

export const OPTIONAL_ARM_FIELDS: [keyof ArmStep, string][] = [
  ["jointVelocities", "joint_velocities"],
  ["wristPosition", "wrist_position"],
  ["wristQuatWxyz", "wrist_quat_wxyz"],
  ["gripperOpening", "gripper_opening"],
  ["holding", "holding"],
];

export function readArmStep(c: Checker, raw: unknown, field: string, k: number, dof: number | undefined): ArmStep | undefined {
  if (!isObj(raw)) {
    c.add(field, "an object with joint_positions", raw, k);
    return undefined;
  }
  const q = c.vec(pick(raw, "jointPositions", "joint_positions"), `${field}.joint_positions`, dof, k);
  if (!q) return undefined;
  const a: ArmStep = { jointPositions: q };
  const v = pick(raw, "jointVelocities", "joint_velocities");
  if (v !== undefined) a.jointVelocities = c.vec(v, `${field}.joint_velocities`, q.length, k);
  const p = pick(raw, "wristPosition", "wrist_position");
  if (p !== undefined) a.wristPosition = c.vec(p, `${field}.wrist_position`, 3, k);
  const r = pick(raw, "wristQuatWxyz", "wrist_quat_wxyz");
  if (r !== undefined) {
    const quat = c.vec(r, `${field}.wrist_quat_wxyz`, 4, k);
    if (quat && Math.hypot(quat[0], quat[1], quat[2], quat[3]) < 1e-6) c.add(`${field}.wrist_quat_wxyz`, "a unit quaternion (w,x,y,z)", `@[${quat.join(", ")}]`, k);
    a.wristQuatWxyz = quat;
  }
  const g = pick(raw, "gripperOpening", "gripper_opening");
  if (g !== undefined) a.gripperOpening = c.num(g, `${field}.gripper_opening`, k);
  if (raw.holding !== undefined) a.holding = c.holding(raw.holding, `${field}.holding`, k);
  return a;
}

export function readContacts(c: Checker, raw: unknown, k: number): Contact[] | undefined {
  if (!Array.isArray(raw)) {
    c.add("contacts", "an array of [geom1, geom2, dist]", raw, k);
    return undefined;
  }
  const out: Contact[] = [];
  for (let i = 0; i < raw.length; i++) {
    const e: unknown = raw[i];
    if (!Array.isArray(e) || e.length !== 3) {
      c.add(`contacts[${i}]`, "[geom1, geom2, dist]", e, k);
      continue;
    }
    const g1 = c.int(e[0], `contacts[${i}][0]`, k);
    const g2 = c.int(e[1], `contacts[${i}][1]`, k);
    const d = c.num(e[2], `contacts[${i}][2]`, k);
    if (g1 !== undefined && g2 !== undefined && d !== undefined) out.push([g1, g2, d]);
  }
  return out;
}

export function readGeoms(c: Checker, raw: unknown): GeomSets | undefined {
  if (!isObj(raw)) {
    c.add("geoms", "an object {robot, scene, ignore} of geom id arrays", raw);
    return undefined;
  }
  const ids = (key: string): number[] => {
    const v = raw[key] ?? [];
    if (!Array.isArray(v) || !v.every((x) => Number.isInteger(x) && x >= 0)) {
      c.add(`geoms.${key}`, "an array of non-negative integer geom ids", v);
      return [];
    }
    return v as number[];
  };
  return { robot: ids("robot"), scene: ids("scene"), ignore: ids("ignore") };
}

