/**
 * Experiments: run a workload through configured machines and get tidy rows, one per
 * (mode, parameter value), ready for a table or a chart.
 *
 * `overheadVsNative` is cycles / native cycles − 1 for the same trace and parameter value, so
 * 0.25 means "25% slower than bare metal". It is computed whenever the native mode is part of
 * the comparison (it is by default) and is NaN otherwise.
 */
import { ConfigError } from "../core/errors";
import { MEMORY_VIRTUALIZATION_MODES, type MachineConfig, type MemoryVirtualizationMode } from "../hypervisor/machine";
import type { VmExitCause } from "../hypervisor/vm-exit";
import type { MemoryTrace } from "../workloads/trace";
import { cyclesPerAccess, measureMemory } from "./measure";

/** Machine settings of an experiment (everything but the mode) plus the VM's. */
export interface MemoryExperimentConfig extends Omit<MachineConfig, "mode"> {
  /** Guest memory in bytes. Default 1 GiB (4 GiB when the guest or host uses 1 GiB pages). */
  vmMemoryBytes?: number;
  /** Page size the guest kernel maps data with. Default 4096. */
  guestPageSizeBytes?: number;
}

/** One tidy result row. */
export interface MemoryExperimentRow {
  /** Memory-virtualization mode. */
  mode: MemoryVirtualizationMode;
  /** Name of the swept parameter ("" for a single comparison). */
  parameter: string;
  /** Its value. */
  value: number | string;
  /** The trace's name. */
  workload: string;
  /** Data accesses. */
  accesses: number;
  /** TLB hits. */
  tlbHits: number;
  /** TLB misses. */
  tlbMisses: number;
  /** TLB hit rate, 0..1. */
  tlbHitRate: number;
  /** Page-table entries read by hardware walks. */
  walkRefs: number;
  /** Average entries read per walk. */
  walkRefsPerWalk: number;
  /** Page faults handled by the (guest) kernel. */
  pageFaults: number;
  /** Page-table entry writes by the (guest) kernel. */
  pteWrites: number;
  /** VM exits, all causes. */
  vmExits: number;
  /** VM exits by cause. */
  vmExitsByCause: Partial<Record<VmExitCause, number>>;
  /** Modeled cycles. */
  cycles: number;
  /** Cycles per access. */
  cyclesPerAccess: number;
  /** cycles / native cycles − 1 (NaN without a native run). */
  overheadVsNative: number;
  /** Wall-clock seconds of the simulation loop. */
  seconds: number;
}

function vmOptions(config: MemoryExperimentConfig): { memoryBytes: number; guestPageSizeBytes?: number } {
  const big = (config.guestPageSizeBytes ?? 0) >= 2 ** 30 || (config.hostPageSizeBytes ?? 0) >= 2 ** 30;
  const o: { memoryBytes: number; guestPageSizeBytes?: number } = { memoryBytes: config.vmMemoryBytes ?? (big ? 4 * 2 ** 30 : 2 ** 30) };
  if (config.guestPageSizeBytes !== undefined) o.guestPageSizeBytes = config.guestPageSizeBytes;
  return o;
}

/** Runs `trace` on a fresh machine in `mode` and returns one row (overheadVsNative NaN). */
export function runMemoryExperiment(trace: MemoryTrace, mode: MemoryVirtualizationMode, config: MemoryExperimentConfig = {}, parameter = "", value: number | string = ""): MemoryExperimentRow {
  const { vmMemoryBytes: _m, guestPageSizeBytes: _g, ...machineConfig } = config;
  const s = measureMemory(trace, mode, { machine: machineConfig, vm: vmOptions(config) });
  return {
    mode,
    parameter,
    value,
    workload: trace.name,
    accesses: s.accesses,
    tlbHits: s.tlbHits,
    tlbMisses: s.tlbMisses,
    tlbHitRate: s.tlbHitRate,
    walkRefs: s.walkRefs,
    walkRefsPerWalk: s.walks === 0 ? 0 : s.walkRefs / s.walks,
    pageFaults: s.pageFaults,
    pteWrites: s.pteWrites,
    vmExits: s.vmExits,
    vmExitsByCause: s.vmExitsByCause,
    cycles: s.cycles,
    cyclesPerAccess: cyclesPerAccess(s),
    overheadVsNative: NaN,
    seconds: s.seconds,
  };
}

/** Options of {@link compareMemoryModes}. */
export interface MemoryCompareOptions {
  /** Modes to run, default native, shadow, nested. */
  modes?: readonly MemoryVirtualizationMode[];
  /** Machine settings. */
  config?: MemoryExperimentConfig;
  /** Parameter name and value to put in the rows. */
  parameter?: string;
  /** Parameter value. */
  value?: number | string;
}

/** Runs one trace in several modes; rows carry overhead vs the native run. */
export function compareMemoryModes(trace: MemoryTrace, options: MemoryCompareOptions = {}): MemoryExperimentRow[] {
  const modes = options.modes ?? MEMORY_VIRTUALIZATION_MODES;
  for (const [i, m] of modes.entries()) {
    if (!MEMORY_VIRTUALIZATION_MODES.includes(m)) throw new ConfigError(`modes[${i}]`, m, MEMORY_VIRTUALIZATION_MODES.map((x) => JSON.stringify(x)).join(", "));
  }
  const rows = modes.map((m) => runMemoryExperiment(trace, m, options.config ?? {}, options.parameter ?? "", options.value ?? ""));
  const native = rows.find((r) => r.mode === "native");
  if (native) for (const r of rows) r.overheadVsNative = native.cycles === 0 ? 0 : r.cycles / native.cycles - 1;
  return rows;
}

/** Options of {@link sweepMemoryExperiment}. */
export interface MemorySweepOptions<V extends number | string> {
  /** Name of the parameter swept, e.g. "pages" or "hostPageSizeBytes". */
  parameter: string;
  /** Its values. */
  values: readonly V[];
  /** The trace for one value. */
  workload: (value: V) => MemoryTrace;
  /** Machine settings for one value (default: none). */
  config?: (value: V) => MemoryExperimentConfig;
  /** Modes, default native, shadow, nested. */
  modes?: readonly MemoryVirtualizationMode[];
}

/** Sweeps a parameter: for each value, every mode on that value's trace. */
export function sweepMemoryExperiment<V extends number | string>(options: MemorySweepOptions<V>): MemoryExperimentRow[] {
  if (!Array.isArray(options.values) || options.values.length === 0) throw new ConfigError("values", options.values, "a non-empty array of parameter values");
  const rows: MemoryExperimentRow[] = [];
  for (const value of options.values) {
    const trace = options.workload(value);
    const cmp: MemoryCompareOptions = { config: options.config ? options.config(value) : {}, parameter: options.parameter, value };
    if (options.modes) cmp.modes = options.modes;
    rows.push(...compareMemoryModes(trace, cmp));
  }
  return rows;
}
