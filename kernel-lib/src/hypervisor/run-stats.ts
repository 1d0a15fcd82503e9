/**
 * A run's statistics from a machine's counters: the difference of two snapshots, with the
 * cycles computed by the cost model (costs/memory.ts): accesses × accessCycles + TLB lookups ×
 * tlbHitCycles + walk references × walkRefCycles + PTE writes × pteWriteCycles + page faults ×
 * pageFaultCycles + the cycles of every VM exit.
 */
import type { MemoryCostModel } from "../costs/memory";
import type { MemoryRunStats, MemoryVirtualizationMode } from "./machine-types";
import type { VmExitCause } from "./vm-exit";

/** Raw counters of a machine at one moment. */
export interface MachineCounters {
  accesses: number;
  tlbHits: number;
  tlbMisses: number;
  walks: number;
  walkRefs: number;
  pageFaults: number;
  pteWrites: number;
  exits: Partial<Record<VmExitCause, number>>;
  exitTotal: number;
  exitCycles: number;
  isolationFaults: number;
  protectionFaults: number;
  cowFaults: number;
}

/** Counters of a machine that has done nothing yet. */
export const ZERO_COUNTERS: Readonly<MachineCounters> = Object.freeze({ accesses: 0, tlbHits: 0, tlbMisses: 0, walks: 0, walkRefs: 0, pageFaults: 0, pteWrites: 0, exits: {}, exitTotal: 0, exitCycles: 0, isolationFaults: 0, protectionFaults: 0, cowFaults: 0 });

/** What happened between snapshots `a` and `b` of a machine in `mode`, costed with `c`. */
export function runStats(mode: MemoryVirtualizationMode, c: MemoryCostModel, a: MachineCounters, b: MachineCounters, seconds: number): MemoryRunStats {
  const byCause: Partial<Record<VmExitCause, number>> = {};
  for (const [cause, n] of Object.entries(b.exits) as [VmExitCause, number][]) {
    const d = n - (a.exits[cause] ?? 0);
    if (d > 0) byCause[cause] = d;
  }
  const s = {
    accesses: b.accesses - a.accesses,
    tlbHits: b.tlbHits - a.tlbHits,
    tlbMisses: b.tlbMisses - a.tlbMisses,
    walks: b.walks - a.walks,
    walkRefs: b.walkRefs - a.walkRefs,
    pageFaults: b.pageFaults - a.pageFaults,
    pteWrites: b.pteWrites - a.pteWrites,
    exitCycles: b.exitCycles - a.exitCycles,
    isolationFaults: b.isolationFaults - a.isolationFaults,
    protectionFaults: b.protectionFaults - a.protectionFaults,
    cowFaults: b.cowFaults - a.cowFaults,
  };
  const lookups = s.tlbHits + s.tlbMisses;
  const cycles =
    s.accesses * c.accessCycles +
    lookups * c.tlbHitCycles +
    s.walkRefs * c.walkRefCycles +
    s.pteWrites * c.pteWriteCycles +
    s.pageFaults * c.pageFaultCycles +
    s.exitCycles;
  return {
    mode,
    accesses: s.accesses,
    tlbHits: s.tlbHits,
    tlbMisses: s.tlbMisses,
    tlbHitRate: lookups === 0 ? 0 : s.tlbHits / lookups,
    walks: s.walks,
    walkRefs: s.walkRefs,
    pageFaults: s.pageFaults,
    pteWrites: s.pteWrites,
    vmExits: b.exitTotal - a.exitTotal,
    vmExitsByCause: byCause,
    isolationFaults: s.isolationFaults,
    protectionFaults: s.protectionFaults,
    cowFaults: s.cowFaults,
    cycles,
    exitCycles: s.exitCycles,
    seconds,
  };
}
