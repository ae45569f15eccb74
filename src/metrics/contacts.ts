import type { Contact, GeomSets, Step } from "./types.js";

/** MuJoCo contacts with `dist <= COLLISION_MARGIN` are touching (RoboEval `_DEFAULT_COLLISION_MARGIN`). */
export const COLLISION_MARGIN = 1e-8;

/** Collision counts of one episode. */
export interface CollisionCounts {
  /** New unordered robot–robot geom pairs in contact, per sample. */
  self: number;
  /** New external scene geoms touched by the robot, per sample. */
  env: number;
}

/**
 * Count collisions as the reference (spec §3.4): only on steps with k % window == 0; a robot–robot pair
 * (sorted ids) or an external scene geom (scene − ignore) counts when it was not in contact at the
 * previous sample. Contacts with ignored (slip-object) geoms and non-robot pairs never count.
 */
export function countCollisions(steps: readonly Step[], geoms: GeomSets, window: number): CollisionCounts {
  const robot = new Set(geoms.robot);
  const ignore = new Set(geoms.ignore);
  const external = new Set(geoms.scene.filter((g) => !ignore.has(g)));
  let prevPairs = new Set<string>();
  let prevEnv = new Set<number>();
  let self = 0;
  let env = 0;
  for (let k = 0; k < steps.length; k += window) {
    const contacts: readonly Contact[] = steps[k].contacts ?? [];
    const pairs = new Set<string>();
    const envs = new Set<number>();
    for (const [g1, g2, dist] of contacts) {
      if (!(dist <= COLLISION_MARGIN)) continue;
      const r1 = robot.has(g1);
      const r2 = robot.has(g2);
      if (r1 && r2) pairs.add(g1 < g2 ? `${g1},${g2}` : `${g2},${g1}`);
      else if (r1 && external.has(g2)) envs.add(g2);
      else if (r2 && external.has(g1)) envs.add(g1);
    }
    for (const p of pairs) if (!prevPairs.has(p)) self++;
    for (const g of envs) if (!prevEnv.has(g)) env++;
    prevPairs = pairs;
    prevEnv = envs;
  }
  return { self, env };
}
