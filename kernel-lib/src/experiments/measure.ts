/**
 * Warm up, then measure: one memory run on a fresh machine. A cold run of a short trace mostly
 * measures start-up (page faults, shadow entries being built); the lessons and playgrounds want
 * the steady state, and say how they reached it with one of these warm-ups:
 *
 * - `"none"`: measure the first run (a churn workload, whose page-table work is the point);
 * - `"repeat"`: run the trace once unmeasured, then measure a second run of it;
 * - `"touch"`: map the trace's pages and touch each premapped page of process 0 once, then
 *   measure the trace without mapping again;
 * - a trace: run that warm-up trace (it maps and touches the working set), then measure the
 *   trace without mapping again.
 */
import type { CreateVmOptions, Machine, MemoryRunStats, MemoryVirtualizationMode } from "../hypervisor/machine";
import { TraceBuilder, type MemoryTrace } from "../workloads/trace";
import { machineWithVm, type MachineSettings } from "./machines";

/** How a measured run reaches its steady state (see the module comment). */
export type WarmUp = "none" | "repeat" | "touch" | MemoryTrace;

/** Options of {@link measureMemory}. */
export interface MeasureOptions {
  /** Machine settings (default: the machine's defaults). */
  machine?: MachineSettings;
  /** The VM's settings (default: the machine's defaults). */
  vm?: CreateVmOptions;
  /** How to warm up before the measured run (default "none"). */
  warmUp?: WarmUp;
}

/** Runs `trace` on a fresh machine in `mode` after the warm-up; returns the measured run and the machine. */
export function measureMemoryOn(trace: MemoryTrace, mode: MemoryVirtualizationMode, options: MeasureOptions = {}): { stats: MemoryRunStats; machine: Machine } {
  const { machine, vm } = machineWithVm(mode, options.machine, options.vm);
  const warmUp = options.warmUp ?? "none";
  if (warmUp === "none") return { stats: machine.run(trace, vm), machine };
  if (warmUp === "repeat") {
    machine.run(trace, vm);
    return { stats: machine.run(trace, vm), machine };
  }
  if (warmUp === "touch") {
    machine.prepare(trace, vm);
    const t = new TraceBuilder(trace.pageSizeBytes, 1024);
    for (const region of trace.premap) {
      if (region.process !== 0) continue;
      for (let i = 0; i < region.vpns.length; i++) t.read(region.vpns[i]!);
    }
    machine.run(t.build("warm-up"), vm, { premap: false });
  } else {
    machine.run(warmUp, vm);
  }
  return { stats: machine.run(trace, vm, { premap: false }), machine };
}

/** Runs `trace` on a fresh machine in `mode` after the warm-up; returns the measured run's counters. */
export function measureMemory(trace: MemoryTrace, mode: MemoryVirtualizationMode, options: MeasureOptions = {}): MemoryRunStats {
  return measureMemoryOn(trace, mode, options).stats;
}

/** Cycles per data access of a run (0 for a run without accesses). */
export function cyclesPerAccess(stats: MemoryRunStats): number {
  return stats.accesses === 0 ? 0 : stats.cycles / stats.accesses;
}
