// Post-copy: the VM resumes at once, every page crosses once, and the guest pays in remote faults.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { linkTransferSeconds, migrationLink, postCopyMigrate, preCopyMigrate } from "../../src";

describe("post-copy", () => {
  it("sends each page exactly once; faults never exceed the pages touched; it ends after one full copy's time", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2048 }), fc.integer({ min: 1000, max: 5_000_000 }), fc.integer({ min: 0, max: 1000 }), fc.boolean(), (ws, rate, seed, pivot) => {
        const r = postCopyMigrate({ vmMemoryMiB: 8, workingSetPages: ws, accessesPerSecond: rate, seed, pivot });
        expect(r.pagesSent).toBe(r.vmPages);
        expect(r.bytesSent).toBe(r.vmPages * 4096);
        expect(r.remoteFaults).toBeLessThanOrEqual(r.pagesTouched);
        expect(r.pagesTouched).toBeLessThanOrEqual(ws);
        const fullCopy = linkTransferSeconds(migrationLink(), r.bytesSent);
        expect(r.totalSeconds).toBeGreaterThanOrEqual(fullCopy);
        expect(r.progress).toBeGreaterThan(0);
        expect(r.progress).toBeLessThanOrEqual(1);
      }),
      { numRuns: 40 },
    );
  });

  it("each remote fault costs a round trip plus a page: a longer round trip slows the guest more", () => {
    const near = postCopyMigrate({ workingSetPages: 4096, link: { rttSeconds: 1e-4 } });
    const far = postCopyMigrate({ workingSetPages: 4096, link: { rttSeconds: 5e-3 } });
    expect(near.stallSeconds).toBeCloseTo(near.remoteFaults * (1e-4 + 4096 * 8 / 1e9), 9);
    expect(far.progress).toBeLessThan(near.progress);
    expect(far.remoteFaults).toBeGreaterThan(0);
  });

  it("against pre-copy with a guest that outpaces the link: less traffic and a shorter pause, paid for in guest progress", () => {
    const pre = preCopyMigrate({ workload: { vmMemoryMiB: 64, writableWorkingSetPages: 4096, writesPerSecond: 200_000 }, copyContent: false });
    const post = postCopyMigrate({ vmMemoryMiB: 64, workingSetPages: 4096, accessesPerSecond: 1e6 });
    expect(post.bytesSent).toBeLessThan(pre.bytesSent);
    expect(post.downtimeSeconds).toBeLessThan(pre.downtimeSeconds);
    expect(post.totalSeconds).toBeLessThan(pre.totalSeconds);
    expect(post.progress).toBeLessThan(1);
  });

  it("bad input names the field", () => {
    expect(() => postCopyMigrate({ workingSetPages: 0 })).toThrow(/workingSetPages: got 0/);
    expect(() => postCopyMigrate({ vmMemoryMiB: 1, workingSetPages: 300 })).toThrow(/workingSetPages.*from 1 to 256/);
    expect(() => postCopyMigrate({ pivot: "yes" as never })).toThrow(/pivot/);
    expect(() => postCopyMigrate({ link: { bandwidthBitsPerSecond: 1e9, bandwidthMbitPerSecond: 1000 } })).toThrow(/one bandwidth/);
  });
});
