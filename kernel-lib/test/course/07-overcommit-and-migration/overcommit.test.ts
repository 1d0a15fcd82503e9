import { describe, expect, it } from "vitest";
import * as kl from "../../../src";
import { lesson07 } from "../../../src/course";
import { expectQuotes } from "../helpers";

describe("lesson 07: balloon vs host swap under pressure", () => {
  const run = lesson07.balloonVsSwap({ hostMemoryPercents: [100, 70, 50], accesses: 6000 });

  it("measures every technique at every host size; unpressured is 100%, and under pressure the balloon is never slower than host swapping", () => {
    expect(run.rows).toHaveLength(9);
    for (const r of run.rows.filter((r) => r["host memory (%)"] === 100)) expect(r["throughput (%)"]).toBe(100);
    for (const p of [70, 50]) {
      const at = (t: string) => run.rows.find((r) => r.technique === t && r["host memory (%)"] === p)!;
      expect(at("balloon")["throughput (%)"]).toBeGreaterThanOrEqual(at("host swap")["throughput (%)"]);
      expect(at("balloon")["disk faults"]).toBeLessThan(at("host swap")["disk faults"]);
      expect(at("host swap")["host-swapped pages"]).toBeGreaterThan(0);
      expect(at("balloon")["ballooned pages"]).toBeGreaterThan(0);
    }
    // At 70% the guests' page cache covers the whole request: the balloon costs them nothing.
    expect(run.rows.find((r) => r.technique === "balloon" && r["host memory (%)"] === 70)!["throughput (%)"]).toBe(100);
  });

  it("draws throughput and faults per technique, and its notice quotes the lowest host size's numbers", () => {
    expect(run.figure.data.map((t) => t.name)).toEqual(["balloon", "host swap", "balloon + host swap"]);
    expect(run.faultsFigure.data).toHaveLength(3);
    const at = (t: string) => run.rows.find((r) => r.technique === t && r["host memory (%)"] === 50)!;
    expectQuotes(run.summary, 50, at("balloon")["throughput (%)"], at("host swap")["throughput (%)"], at("host swap")["disk faults"], at("balloon")["disk faults"]);
    // The scale sentence: one SSD read (150 µs at 2.93 GHz) against the unpressured cycles per access.
    const perAccess = run.rows.find((r) => r["host memory (%)"] === 100)!["cycles per access"];
    expectQuotes(run.summary, 150, 439_500, Math.round(439_500 / kl.pressureRun({ setup: { accesses: 6000 }, hostMemoryPercent: 100, technique: "swap" }).run.cyclesPerAccess), perAccess);
  });

  it("dashes the combined technique (it follows the balloon until the cache runs out), and says down to which host size the balloon cost nothing", () => {
    expect(run.figure.data.find((t) => t.name === "balloon + host swap")!.line).toEqual({ dash: "dash" });
    expect(run.summary).toMatch(/Down to 70% host memory the balloon costs the guests nothing/);
  });

  it("reads the same frozen runs again instead of re-running them", () => {
    const again = lesson07.balloonVsSwap({ hostMemoryPercents: [100, 70, 50], accesses: 6000 });
    expect(again.rows).toEqual(run.rows);
    const r = kl.pressureRun({ setup: { accesses: 6000 }, hostMemoryPercent: 70, technique: "balloon" });
    expect(Object.isFrozen(r.run)).toBe(true);
    expect(() => {
      (r.run as { cycles: number }).cycles = 0;
    }).toThrow(TypeError);
  });

  it("rejects an unknown technique, a host size out of range and a bad setup, naming them", () => {
    expect(() => lesson07.balloonVsSwap({ techniques: ["squeeze" as never] })).toThrow(/techniques\[\]/);
    expect(() => lesson07.balloonVsSwap({ hostMemoryPercents: [5] })).toThrow(/hostMemoryPercents/);
    expect(() => lesson07.balloonVsSwap({ vms: 0 })).toThrow(/vms/);
    expect(() => lesson07.balloonVsSwap({ swapDevice: "tape" as never })).toThrow(/swapDevice.*"ssd" or "hdd"/);
  });

  it("host swapping to a hard disk (a 10 ms seek) costs far more than to an SSD (150 µs)", () => {
    const o = { hostMemoryPercents: [100, 70], techniques: ["swap" as const], accesses: 3000 };
    const ssd = lesson07.balloonVsSwap({ ...o, swapDevice: "ssd" }).rows.find((r) => r["host memory (%)"] === 70)!;
    const hdd = lesson07.balloonVsSwap({ ...o, swapDevice: "hdd" }).rows.find((r) => r["host memory (%)"] === 70)!;
    expect(hdd["disk faults"]).toBe(ssd["disk faults"]); // the same pages, the same faults: only their price differs
    expect(hdd["cycles per access"]).toBeGreaterThan(30 * ssd["cycles per access"]);
  });
});

describe("lesson 07: page sharing", () => {
  const demo = lesson07.pageSharingDemo({ vmCounts: [2, 4] });

  it("saves more with more identical VMs, never less as the scanner runs, and every line ends after a full pass", () => {
    const last = (n: number) => demo.rows.filter((r) => r.VMs === `${n} VMs`).at(-1)!;
    expect(last(4)["memory saved (%)"]).toBeGreaterThan(last(2)["memory saved (%)"]);
    expect(last(2)["memory saved (%)"]).toBeGreaterThan(30);
    for (const n of [2, 4]) {
      const line = demo.rows.filter((r) => r.VMs === `${n} VMs`);
      for (let i = 1; i < line.length; i++) {
        expect(line[i]!["memory saved (%)"]).toBeGreaterThanOrEqual(line[i - 1]!["memory saved (%)"]);
        expect(line[i]!["scan time (ms)"]).toBeGreaterThan(line[i - 1]!["scan time (ms)"]);
      }
    }
    expect(demo.figure.data).toHaveLength(2);
    expectQuotes(demo.summary, last(2)["memory saved (%)"], last(4)["memory saved (%)"], last(4)["scan time (ms)"]);
  });
});

describe("lesson 07: the overcommit table and double paging", () => {
  it("gives every technique's memory, cycles, faults and exits beside a cited figure (docs/virtualization-figures.md)", () => {
    const { rows, summary } = lesson07.overcommitTable({ accesses: 6000 });
    expect(rows.map((r) => r.source)).toEqual(["O5", "O5", "O2", "O2", "O3"]);
    const [balloon, swap, share8, share2, tax] = rows;
    expect(balloon!["memory reclaimed (pages)"]).toBe(swap!["memory reclaimed (pages)"]);
    expect(balloon!["cycles (millions)"]).toBeLessThan(swap!["cycles (millions)"]);
    expect(swap!.faults).toBeGreaterThan(balloon!.faults);
    expect(share8!["memory reclaimed (%)"]).toBeGreaterThan(30); // VMware: >30% for nearly identical VMs
    expect(share2!["memory reclaimed (%)"]).toBeLessThan(share8!["memory reclaimed (%)"]);
    expect(tax!.technique).toMatch(/200 of 200 pages from the idle VM \(τ = 0: 100\)/);
    expectQuotes(summary, balloon!["memory reclaimed (pages)"], swap!.faults, share8!["memory reclaimed (%)"]);
  });

  it("double paging: some of the guest's page-outs hit pages the host had swapped out, each read back first", () => {
    const { rows, summary } = lesson07.doublePagingDemo();
    const last = rows.at(-1)!;
    expect(last["double-paging reads"]).toBeGreaterThan(0);
    expect(last["double-paging reads"]).toBeLessThanOrEqual(last["guest page-outs"]);
    expect(last["host swap-ins"]).toBe(last["double-paging reads"]);
    expectQuotes(summary, last["guest page-outs"], last["double-paging reads"]);
  });
});
