import { describe, expect, it } from "vitest";
import * as kl from "../../src/index";
import * as course from "../../src/course/index";

// Issue 12, "no answers in the student's API": what a notebook imports (`kernel-lib` as kl,
// `kernel-lib/course`) must not hand a solution cell the function its exercise asks for.
// Each name is the reference answer of a graded exercise (or computes it directly).
const REFERENCES = [
  "hostAddressIn", // 01 hostAddressOf
  "shadowEntryOf", // 02 shadowEntry
  "splitAddressIn", // 03 splitAddress
  "nestedWalkReferences", // 03 nestedWalkRefs
  "nestedWalkOrder", // 03 nestedWalkRefs (its length)
  "vringNeedEvent", // 04 needKick
  "solveOstepTranslation", // 06 walk
];

function reachable(root: Record<string, unknown>, name: string, depth = 2): boolean {
  if (name in root) return true;
  if (depth === 0) return false;
  return Object.values(root).some((v) => v !== null && typeof v === "object" && !Array.isArray(v) && reachable(v as Record<string, unknown>, name, depth - 1));
}

describe("the student's API holds no reference answers", () => {
  for (const name of REFERENCES) {
    it(`${name} is not reachable from kernel-lib or kernel-lib/course`, () => {
      expect(reachable(kl as unknown as Record<string, unknown>, name), `kernel-lib exports ${name}`).toBe(false);
      expect(reachable(course as unknown as Record<string, unknown>, name), `kernel-lib/course exports ${name}`).toBe(false);
    });
  }
});
