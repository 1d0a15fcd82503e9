// Pre-copy live migration on a real Machine: the destination ends byte-for-byte equal to the
// source whatever the guest wrote, and downtime, rounds and bytes move the way Clark et al. found.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ConfigError, DestinationMemory, SourceVm, XEN_MAX_FACTOR, preCopyMigrate, type PreCopyRoundState } from "../../src";

const small = { vmMemoryMiB: 8, writableWorkingSetPages: 256 };

describe("pre-copy: the destination's memory equals the source's", () => {
  it("for random write rates, working sets, seeds, paging modes and dirty-logging methods", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 400_000 }),
        fc.integer({ min: 1, max: 1024 }),
        fc.integer({ min: 0, max: 2 ** 31 }),
        fc.constantFrom(["nested", "write-protect"], ["nested", "pml"], ["shadow", "write-protect"]),
        fc.integer({ min: 50, max: 2000 }),
        (writesPerSecond, wws, seed, [mode, dirtyLog], mbit) => {
          const r = preCopyMigrate({
            workload: { vmMemoryMiB: 8, writableWorkingSetPages: wws, writesPerSecond, seed },
            source: { mode: mode as "nested" | "shadow", dirtyLog: dirtyLog as "pml" | "write-protect" },
            link: { bandwidthMbitPerSecond: mbit },
          });
          expect(r.differingPages).toEqual([]);
          expect(r.writes).toBeGreaterThanOrEqual(0);
        },
      ),
      { numRuns: 15 },
    );
  });

  it("a copy that skipped the last dirty pages would differ (the check can fail)", () => {
    // Stop after round 1 of a busy guest: the stop-and-copy must carry the pages written meanwhile.
    const r = preCopyMigrate({ workload: { ...small, writesPerSecond: 50_000 }, stopWhen: () => true });
    expect(r.stopAndCopyPages).toBeGreaterThan(0);
    expect(r.differingPages).toEqual([]);
    expect(r.rounds).toHaveLength(1);
  });
});

describe("pre-copy: rounds, downtime and traffic", () => {
  const run = (writesPerSecond: number) =>
    preCopyMigrate({ workload: { vmMemoryMiB: 64, writableWorkingSetPages: 4096, writesPerSecond }, copyContent: false });

  it("round 1 sends all of memory; when the guest dirties slower than the link sends, rounds shrink until fewer than 50 pages are left", () => {
    const r = run(2000);
    expect(r.rounds[0]!.pagesSent).toBe(r.vmPages);
    for (let i = 2; i < r.rounds.length; i++) expect(r.rounds[i]!.pagesSent).toBeLessThan(r.rounds[i - 1]!.pagesSent);
    expect(r.stopReason).toBe("few dirty pages");
    expect(r.stopAndCopyPages).toBeLessThan(50);
    expect(r.differingPages).toBeNull();
  });

  it("downtime, total time and bytes grow with the write rate; a guest that outpaces the link hits a limit", () => {
    const rows = [1000, 10_000, 100_000, 400_000].map(run);
    for (let i = 1; i < rows.length; i++) {
      expect(rows[i]!.downtimeSeconds).toBeGreaterThanOrEqual(rows[i - 1]!.downtimeSeconds);
      expect(rows[i]!.bytesSent).toBeGreaterThanOrEqual(rows[i - 1]!.bytesSent);
    }
    expect(rows[3]!.downtimeSeconds).toBeGreaterThan(20 * rows[0]!.downtimeSeconds);
    expect(["round limit", "traffic cap"]).toContain(rows[3]!.stopReason);
    // The writable working set bounds the last rounds: a guest cannot dirty more pages than it writes to.
    expect(rows[3]!.stopAndCopyPages).toBeLessThanOrEqual(4096);
    expect(rows[3]!.pagesSent).toBeLessThanOrEqual((XEN_MAX_FACTOR + 1) * rows[3]!.vmPages);
  });

  it("times add up: total = the rounds' transfers + downtime; bytes = pages × 4096", () => {
    const r = run(20_000);
    const pages = r.rounds.reduce((a, x) => a + x.pagesSent, 0) + r.stopAndCopyPages;
    expect(r.pagesSent).toBe(pages);
    expect(r.bytesSent).toBe(pages * 4096);
    const seconds = r.rounds.reduce((a, x) => a + x.seconds, 0) + r.downtimeSeconds;
    expect(r.totalSeconds).toBeCloseTo(seconds, 9);
    expect(r.rounds[0]!.seconds).toBeCloseTo((r.vmBytes * 8) / 1e9, 9);
  });

  it("dirty logging costs the guest exits: one per first write to a page per round under write protection, far fewer with PML", () => {
    const wp = preCopyMigrate({ workload: { ...small, writesPerSecond: 20_000 }, copyContent: false });
    const pml = preCopyMigrate({ workload: { ...small, writesPerSecond: 20_000 }, source: { dirtyLog: "pml" }, copyContent: false });
    expect(wp.exitsByCause["ept-violation"]).toBe(wp.rounds.reduce((a, x) => a + x.dirtiedPages, 0));
    expect(pml.exits).toBeLessThan(wp.exits / 10);
  });

  it("a stop rule of one's own sees each round's state and decides", () => {
    const seen: PreCopyRoundState[] = [];
    const r = preCopyMigrate({ workload: { ...small, writesPerSecond: 100_000 }, copyContent: false, stopWhen: (s) => (seen.push(s), s.round >= 3) });
    expect(r.rounds).toHaveLength(3);
    expect(r.stopReason).toBe("stop rule");
    expect(seen.map((s) => s.round)).toEqual([1, 2, 3]);
    expect(seen[2]!.dirtyPages).toBe(r.stopAndCopyPages);
    expect(seen[0]!.pagesPerSecond).toBeCloseTo(1e9 / 8 / 4096, 6);
  });

  it("bad input names the field and what is allowed", () => {
    expect(() => preCopyMigrate({ workload: { writesPerSecond: -1 } })).toThrow(/workload.writesPerSecond: got -1; allowed: a finite number from 0/);
    expect(() => preCopyMigrate({ workload: { vmMemoryMiB: 8, writableWorkingSetPages: 5000 } })).toThrow(/writableWorkingSetPages.*from 1 to 1024/);
    expect(() => preCopyMigrate({ workload: { writeRate: 5 } as never })).toThrow(/workload.writeRate.*a workload field/);
    expect(() => preCopyMigrate({ link: { bandwidthMbitPerSecond: 0 } })).toThrow(ConfigError);
    expect(() => preCopyMigrate({ maxRounds: 0 })).toThrow(/maxRounds: got 0/);
    expect(() => preCopyMigrate({ maxRounds: 5, stopWhen: () => true })).toThrow(/maxRounds.*left out when stopWhen/);
    expect(() => preCopyMigrate({ workload: small, stopWhen: (() => "yes") as never })).toThrow(/stopWhen\(\.\.\.\): got "yes"/);
    expect(() => preCopyMigrate({ source: { mode: "shadow", dirtyLog: "pml" } })).toThrow(/write-protect/);
  });
});

describe("pre-copy's mechanism on scripted write sequences", () => {
  // fast-check draws the guest's stores themselves (page, offset, byte), split into rounds; the
  // test does what pre-copy does: copy all, then per round the pages the dirty log names.
  const write = fc.record({ page: fc.integer({ min: 0, max: 63 }), offset: fc.integer({ min: 0, max: 4095 }), value: fc.integer({ min: 0, max: 255 }) });
  for (const [mode, dirtyLog] of [["nested", "write-protect"], ["nested", "pml"], ["shadow", "write-protect"]] as const) {
    it(`${mode} with ${dirtyLog}: copying the logged pages each round leaves the destination equal to the source`, () => {
      fc.assert(
        fc.property(fc.array(fc.array(write, { maxLength: 40 }), { minLength: 1, maxLength: 6 }), (rounds) => {
          const src = new SourceVm({ vmMemoryMiB: 2, writableWorkingSetPages: 64 }, { mode, dirtyLog });
          const dest = new DestinationMemory(src.pages);
          src.startDirtyLog();
          for (let g = 0; g < src.pages; g++) dest.receive(g, src.frameContent(g));
          for (const writes of rounds) {
            src.applyWrites(writes);
            for (const g of src.collectDirty()) dest.receive(g, src.frameContent(g));
          }
          expect(dest.differences((g) => src.frameContent(g))).toEqual([]);
        }),
        { numRuns: 30 },
      );
    });
  }

  it("skipping the dirty log's pages in one round leaves differences (the property can fail)", () => {
    const src = new SourceVm({ vmMemoryMiB: 2, writableWorkingSetPages: 64 });
    const dest = new DestinationMemory(src.pages);
    src.startDirtyLog();
    for (let g = 0; g < src.pages; g++) dest.receive(g, src.frameContent(g));
    src.applyWrites([{ page: 3, offset: 10, value: 77 }]);
    src.collectDirty(); // not sent
    expect(dest.differences((g) => src.frameContent(g))).toHaveLength(1);
    expect(() => src.applyWrites([{ page: 64, offset: 0, value: 1 }])).toThrow(/writes\[0\].page: got 64; allowed: an integer from 0 to 63/);
  });

  it("above the link's rate, a bigger writable working set means a longer downtime", () => {
    const downtime = (wws: number) => preCopyMigrate({ workload: { vmMemoryMiB: 64, writableWorkingSetPages: wws, writesPerSecond: 300_000 }, copyContent: false }).downtimeSeconds;
    const [a, b, c] = [256, 1024, 4096].map(downtime);
    expect(b!).toBeGreaterThan(a!);
    expect(c!).toBeGreaterThan(b!);
  });
});
