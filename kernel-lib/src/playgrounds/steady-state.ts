/**
 * Steady-state runs for the memory playgrounds: a warm-up pass that touches every page of the
 * working set once (so shadow tables and host mappings are filled, as on a machine that has
 * been running for a while), then the measured trace on the same machine. Without the warm-up a
 * short browser-sized run would mostly measure start-up faults.
 */
import { Random } from "../core/random";
import type { MachineConfig, MemoryRunStats, MemoryVirtualizationMode } from "../hypervisor/machine";
import { TraceBuilder, type MemoryTrace } from "../workloads/trace";
import { measureMemory } from "../experiments/measure";

/** First virtual page of the playground working sets (address 0x10000000, as the generators use). */
export const FIRST_VPN = 0x10000;

/** Premaps `pages` pages for process 0 and touches each once. */
export function warmUpTrace(pages: number): MemoryTrace {
  const t = new TraceBuilder(4096, pages + 8);
  t.premapRange(0, FIRST_VPN, pages);
  for (let p = 0; p < pages; p++) t.read(FIRST_VPN + p);
  return t.build(`warm-up ${pages}p`);
}

/** `accesses` uniform random reads over `pages` pages (seeded). */
export function uniformReads(pages: number, accesses: number, seed: number): MemoryTrace {
  const t = new TraceBuilder(4096, accesses + 8);
  const rng = new Random(seed);
  for (let i = 0; i < accesses; i++) t.read(FIRST_VPN + rng.int(pages));
  return t.build(`uniform ${pages}p`, seed);
}

/** Runs the warm-up, then `measured`, on a fresh machine in `mode`; returns the measured run's counters. */
export function steadyStateRun(mode: MemoryVirtualizationMode, config: Omit<MachineConfig, "mode">, warmUp: MemoryTrace, measured: MemoryTrace): MemoryRunStats {
  const big = (config.hostPageSizeBytes ?? 0) >= 2 ** 30;
  return measureMemory(measured, mode, { machine: config, vm: { memoryBytes: big ? 4 * 2 ** 30 : 2 ** 30 }, warmUp });
}
