/** Helpers shared by the seeded problems of several lessons. */
import type { Random } from "../../core/random";

/** Draws `count` distinct host frames from [0, hostFrames), in random order. */
export function distinctFrames(rng: Random, hostFrames: number, count: number, taken: Set<number>): number[] {
  const out: number[] = [];
  while (out.length < count) {
    const f = rng.int(hostFrames);
    if (taken.has(f)) continue;
    taken.add(f);
    out.push(f);
  }
  return out;
}
