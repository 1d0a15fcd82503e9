// Lesson helpers of notebook 01: the hook names the run its I/O numbers come from, and its
// what-to-notice sentences quote the simulator's counts (no numbers typed in the notebook).
import { describe, expect, it } from "vitest";
import { expectQuotes } from "../helpers";
import { Machine } from "../../../src/hypervisor/machine";
import { figureTitle } from "../../../src/charts/figure";
import { HOOK_REQUEST_BYTES, addressChainRows, addressChainSummary, hookIoFigure, hookNumbers, hookSummary, hookWalkNotice } from "../../../src/course/01-introduction";

describe("notebook 01 hook", () => {
  const h = hookNumbers();

  it("labels its two I/O runs: exits from a steady stream, throughput from a saturated backlog", () => {
    expect(h.run.requestBytes).toBe(HOOK_REQUEST_BYTES);
    const by = Object.fromEntries(h.io.map((r) => [r.path, r]));
    expectQuotes(hookSummary(h), "saturated", "steady stream", h.run.requests, h.run.requestBytes, h.run.steadyRps, h.walkReads.native, h.walkReads.nested,
      by.emulated!.exitsPerRequest.toFixed(2), Math.round(by["bare-metal"]!.throughputRps));
    expect(figureTitle(hookIoFigure(h))).toBe(`One VM sending ${HOOK_REQUEST_BYTES.toLocaleString("en-US")}-byte requests as fast as it can (saturated run)`);
  });

  it("the walk notice quotes the counts and compares them, not a typed claim", () => {
    expectQuotes(hookWalkNotice(h), h.walkReads.shadow, h.walkReads.native, h.walkReads.nested, `${(h.walkReads.nested / h.walkReads.native).toFixed(0)}×`);
    // The comparison follows the counts it is given, not a typed claim.
    const odd = { ...h, walkReads: { native: 4, shadow: 5, nested: 24 } };
    expect(hookWalkNotice(odd)).not.toBe(hookWalkNotice(h));
  });
});
describe("notebook 01", () => {
  it("hook: a nested TLB miss reads more entries than a native one; emulated I/O exits most and is slowest", () => {
    const h = hookNumbers();
    // The counts themselves are proved in kernel-lib/test/mmu/; here, that the hook reports them.
    expect(h.walkReads.shadow).toBe(h.walkReads.native);
    expect(h.walkReads.nested).toBeGreaterThan(h.walkReads.native);
    const by = Object.fromEntries(h.io.map((r) => [r.path, r]));
    // Per request, in the order a beginner expects: emulated > virtio > passthrough > bare metal (0).
    expect(by.emulated!.exitsPerRequest).toBeGreaterThan(by.virtio!.exitsPerRequest);
    expect(by.virtio!.exitsPerRequest).toBeGreaterThan(by.passthrough!.exitsPerRequest);
    expect(by.passthrough!.exitsPerRequest).toBeGreaterThan(by["bare-metal"]!.exitsPerRequest);
    expect(by["bare-metal"]!.exitsPerRequest).toBe(0);
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
    expectQuotes(addressChainSummary(rows), rows[0]!["guest-physical"], rows[0]!["host-physical"], rows[1]!["host-physical"]);
  });
});
