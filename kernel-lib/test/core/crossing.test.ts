import { describe, expect, it } from "vitest";
import { firstCrossing } from "../../src/core/crossing";

describe("firstCrossing: where two sampled curves cross, read between samples", () => {
  it("interpolates linearly between the samples around the crossing, not the next sample", () => {
    // a: 134.2 → 243.1, b: 145.8 → 146.0 between x = 29.4 and 58.9 (lesson 02's churn sweep).
    const at = firstCrossing([0, 29.4, 58.9], [25.9, 134.2, 243.1], [145.4, 145.8, 146.0])!;
    expect(at.x).toBeGreaterThan(29.4);
    expect(at.x).toBeLessThan(35);
    expect(at.x).toBeCloseTo(29.4 + (11.6 / (11.6 + 97.1)) * 29.5, 6);
    expect(at.y).toBeCloseTo(145.8 + ((at.x - 29.4) / 29.5) * 0.2, 6);
  });
  it("is null when the first curve never rises above the second, and exact at a touching sample", () => {
    expect(firstCrossing([0, 1, 2], [1, 2, 3], [5, 5, 5])).toBeNull();
    expect(firstCrossing([0, 1, 2], [0, 5, 9], [5, 5, 5])).toEqual({ x: 1, y: 5 });
  });
});
