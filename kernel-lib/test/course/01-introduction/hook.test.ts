// Lesson helpers of notebook 01: the hook names the run its I/O numbers come from, and its
// what-to-notice sentences quote the simulator's counts (no numbers typed in the notebook).
import { describe, expect, it } from "vitest";
import { Machine } from "../../../src/hypervisor/machine";
import { figureTitle } from "../../../src/charts/figure";
import { HOOK_REQUEST_BYTES, addressChainRows, addressChainSummary, hookIoFigure, hookNumbers, hookSummary, hookWalkNotice } from "../../../src/course/01-introduction";

describe("notebook 01 hook", () => {
  const h = hookNumbers();

  it("labels the I/O run (a saturated backlog) and points to notebook 04's steady stream", () => {
    expect(h.run.requestBytes).toBe(HOOK_REQUEST_BYTES);
    const text = hookSummary(h);
    expect(text).toMatch(/\*saturated\* run/);
    expect(text).toMatch(/Notebook 04 also measures a steady stream/);
    expect(text).toContain(`${h.run.requests.toLocaleString("en-US")} requests of ${h.run.requestBytes.toLocaleString("en-US")} bytes`);
    expect(figureTitle(hookIoFigure(h))).toBe(`One VM sending ${HOOK_REQUEST_BYTES.toLocaleString("en-US")}-byte requests as fast as it can (saturated run)`);
  });

  it("the walk notice quotes the counts and compares them, not a typed claim", () => {
    const text = hookWalkNotice(h);
    expect(text).toContain(`shadow bar (${h.walkReads.shadow} reads) is as short as the native one (${h.walkReads.native})`);
    expect(text).toContain(`${h.walkReads.nested} reads`);
    const odd = { ...h, walkReads: { native: 4, shadow: 5, nested: 24 } };
    expect(hookWalkNotice(odd)).toMatch(/is taller than the native one/);
  });
});
describe("notebook 01", () => {
  it("hook: a nested TLB miss reads more entries than a native one; emulated I/O exits most and is slowest", () => {
    const h = hookNumbers();
    expect(h.walkReads.native).toBe(4);
    expect(h.walkReads.shadow).toBe(4);
    expect(h.walkReads.nested).toBe(24);
    const by = Object.fromEntries(h.io.map((r) => [r.path, r]));
    expect(by.emulated!.exitsPerRequest).toBeGreaterThan(by.virtio!.exitsPerRequest);
    expect(by.emulated!.throughputRps).toBeLessThan(by.virtio!.throughputRps);
    expect(by.passthrough!.throughputRps).toBeLessThanOrEqual(by["bare-metal"]!.throughputRps);
    expect(hookIoFigure(h).data[0]!.y).toHaveLength(4);
  });

  it("tiny hypervisor: the same guest addresses in two VMs land in different host frames", () => {
    const host = new Machine({ mode: "nested", hostMemoryBytes: 64 * 2 ** 20 });
    const a = host.createVm({ name: "A", memoryBytes: 8 * 2 ** 20 });
    const b = host.createVm({ name: "B", memoryBytes: 8 * 2 ** 20 });
    a.kernel.createProcess(1);
    b.kernel.createProcess(1);
    expect(host.writeString(a, 1, 0x400000, "AAAA") + host.writeString(b, 1, 0x400000, "BBBB")).toBe(0);
    const rows = addressChainRows(host, [a, b], 1, 0x400000);
    expect(rows[0]!["guest-physical"]).toBe(rows[1]!["guest-physical"]);
    expect(rows[0]!["host-physical"]).not.toBe(rows[1]!["host-physical"]);
    expect(rows.map((r) => r["bytes there"])).toEqual(['"AAAA"', '"BBBB"']);
    expect(addressChainSummary(rows)).toMatch(/\*\*same\*\* guest-physical.*\*\*different\*\* host/);
  });
});
