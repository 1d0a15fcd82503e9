// Lesson helpers of notebook 01: the hook names the run its I/O numbers come from, and its
// what-to-notice sentences quote the simulator's counts (no numbers typed in the notebook).
import { describe, expect, it } from "vitest";
import { cloudHookIoFigure, cloudHookNumbers, cloudHookSummary, cloudHookWalkNotice, CLOUD_HOOK_REQUEST_BYTES } from "../../src/lessons/introduction";
import { figureTitle } from "../../src/charts/figure";

describe("notebook 01 hook", () => {
  const h = cloudHookNumbers();

  it("labels the I/O run (a saturated backlog) and points to notebook 04's steady stream", () => {
    expect(h.run.requestBytes).toBe(CLOUD_HOOK_REQUEST_BYTES);
    const text = cloudHookSummary(h);
    expect(text).toMatch(/\*saturated\* run/);
    expect(text).toMatch(/Notebook 04 also measures a steady stream/);
    expect(text).toContain(`${h.run.requests.toLocaleString("en-US")} requests of ${h.run.requestBytes.toLocaleString("en-US")} bytes`);
    expect(figureTitle(cloudHookIoFigure(h))).toBe(`One VM sending ${CLOUD_HOOK_REQUEST_BYTES.toLocaleString("en-US")}-byte requests as fast as it can (saturated run)`);
  });

  it("the walk notice quotes the counts and compares them, not a typed claim", () => {
    const text = cloudHookWalkNotice(h);
    expect(text).toContain(`shadow bar (${h.walkReads.shadow} reads) is as short as the native one (${h.walkReads.native})`);
    expect(text).toContain(`${h.walkReads.nested} reads`);
    const odd = { ...h, walkReads: { native: 4, shadow: 5, nested: 24 } };
    expect(cloudHookWalkNotice(odd)).toMatch(/is taller than the native one/);
  });
});
