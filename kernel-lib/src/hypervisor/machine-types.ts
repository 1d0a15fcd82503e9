/**
 * The configuration, options and results of a Machine (hypervisor/machine.ts), in one place:
 * what a notebook passes in and what it gets back.
 */
import type { MemoryCostModel, MemoryCostOverrides } from "../costs/memory";
import type { AddressLayout } from "../memory/layout";
import type { WalkStep } from "../memory/walk-step";
import type { MmuMode } from "../mmu/mmu";
import type { TlbConfig } from "../mmu/tlb";
import type { ShadowPagingModel } from "./shadow-sync";
import type { VmExitCause } from "./vm-exit";

/** The memory-virtualization modes. */
export type MemoryVirtualizationMode = MmuMode;

/** The allowed modes, for validation and CLIs. */
export const MEMORY_VIRTUALIZATION_MODES: readonly MemoryVirtualizationMode[] = ["native", "shadow", "nested"];

/** What runs the simulation loop (see {@link MachineConfig.engine}). */
export type MachineEngine = "wasm" | "js";

/** Configuration of a {@link Machine}. Every field has a default except `mode`. */
export interface MachineConfig {
  /** "native", "shadow" or "nested". */
  mode: MemoryVirtualizationMode;
  /** Layout of process page tables (the guest's, in a VM). Default x86-64 4-level. */
  guestLayout?: AddressLayout;
  /** Layout of the host (EPT/NPT) table in nested mode. Default x86-64 4-level. */
  hostLayout?: AddressLayout;
  /** Host memory in bytes. Default 16 GiB (stored lazily: only written frames cost memory). */
  hostMemoryBytes?: number;
  /** Frames reserved for the hypervisor's own tables (EPT, shadow). Default 1/8 of host memory. */
  hypervisorPoolBytes?: number;
  /**
   * Size of the host pages backing guest memory: 4096 (default), 2 MiB or 1 GiB. In nested
   * mode these are the host table's leaves; in shadow mode they cap the shadow page size.
   */
  hostPageSizeBytes?: number;
  /** TLB geometry. Default 16 sets × 4 ways. */
  tlb?: TlbConfig;
  /** Page-walk cache entries per level (0, the default, = off: architectural reference counts). */
  walkCacheEntries?: number;
  /**
   * The simulator's memos of completed walks: a speed-up that changes no translation and no
   * count (a memo hit counts the walk's references). Default true; false checks exactly that.
   */
  memo?: boolean;
  /**
   * What runs the simulation loop's reads and writes: "wasm" (the default) runs them in the
   * WebAssembly core (mmu/wasm-loop.ts) wherever it can be had, else in TypeScript; "js" always
   * in TypeScript. Both give the same counts, TLB and memory; only the speed differs.
   */
  engine?: MachineEngine;
  /** A full cost model, or overrides of the default one. */
  costs?: MemoryCostModel | MemoryCostOverrides;
  /**
   * False for the no-isolation demo: every VM's guest-physical address is used as a
   * host-physical address, so VMs overwrite each other. Default true.
   */
  isolation?: boolean;
  /**
   * Shadow mode: which guest page-table writes exit and when the shadow is resynced
   * (hypervisor/shadow-sync.ts). "trap-all" (default): every guest table page is
   * write-protected from allocation, an upper bound on the traps. "kvm": as KVM's shadow MMU,
   * only shadowed tables trap, last-level tables go unsync and are resynced at CR3 load and
   * INVLPG. A lesson states which one it uses.
   */
  shadowPaging?: ShadowPagingModel;
}

/** Options of {@link Machine.createVm}. */
export interface CreateVmOptions {
  /** A name, e.g. "Alex". Default "vm<id>". */
  name?: string;
  /** Guest memory in bytes, a multiple of the host page size. Default 1 GiB. */
  memoryBytes?: number;
  /** Page size the guest kernel maps data with (4 KiB default, 2 MiB, 1 GiB). */
  guestPageSizeBytes?: number;
}

/** Counters of a run (or of the machine so far). */
export interface MemoryRunStats {
  /** The machine's mode. */
  mode: MemoryVirtualizationMode;
  /** Data accesses simulated. */
  accesses: number;
  /** TLB lookups that hit (a faulting access retries, so it can count more than one lookup). */
  tlbHits: number;
  /** TLB lookups that missed. */
  tlbMisses: number;
  /** tlbHits / (tlbHits + tlbMisses). */
  tlbHitRate: number;
  /** Hardware page walks. */
  walks: number;
  /** Page-table entries read by hardware walks. */
  walkRefs: number;
  /** Page faults handled by the (guest) kernel. */
  pageFaults: number;
  /** Page-table entry writes by the (guest) kernel. */
  pteWrites: number;
  /** VM exits, all causes. */
  vmExits: number;
  /** VM exits by cause. */
  vmExitsByCause: Partial<Record<VmExitCause, number>>;
  /** Accesses stopped because they reached memory the VM was not given. */
  isolationFaults: number;
  /** Writes stopped because the page was read-only and not copy-on-write. */
  protectionFaults: number;
  /** Copy-on-write faults the (guest) kernel handled. */
  cowFaults: number;
  /** Total modeled cycles (see the cost model). */
  cycles: number;
  /** Cycles spent in VM exits. */
  exitCycles: number;
  /** Wall-clock seconds of the simulation loop alone. */
  seconds: number;
}

/** Options of {@link Machine.run}. */
export interface MachineRunOptions {
  /** Map the trace's premap pages before the loop (default true). */
  premap?: boolean;
  /** If given, receives the host frame of every operation (-1 for non-accesses and isolation faults). */
  hostFramesOut?: Float64Array;
}

/** The outcome of one traced access ({@link Machine.access}). */
export interface MachineAccessResult {
  /** True if the access reached memory. */
  ok: boolean;
  /**
   * "ok"; "isolation-fault" when the VM tried to reach memory it was not given;
   * "protection-fault" for a write to a read-only page that is not copy-on-write.
   */
  event: "ok" | "isolation-fault" | "protection-fault";
  /** Host frame reached (-1 on a fault). */
  hostFrame: number;
  /** Host-physical address reached (-1 on a fault). */
  hostPhysicalAddress: number;
  /** The byte read, or written. */
  value: number;
  /** True if the first lookup hit the TLB. */
  tlbHit: boolean;
  /** Entries read by the first walk. */
  walkRefs: number;
  /** The first walk's steps (empty on a TLB hit). */
  steps: WalkStep[];
  /** Page faults the access caused. */
  pageFaults: number;
  /** x86 error code of the last guest page fault it caused (mmu/page-fault.ts), -1 if none. */
  pageFaultErrorCode: number;
  /** VM exits the access caused, by cause. */
  vmExits: Partial<Record<VmExitCause, number>>;
}
