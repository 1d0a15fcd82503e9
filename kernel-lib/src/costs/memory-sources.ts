/**
 * Where each default of the memory/MMU cost model (memory.ts) comes from, said the same way as
 * the I/O costs (source.ts): every constant cites rows of docs/virtualization-figures.md. Kept
 * beside memory.ts rather than inside it so that the model's presets stay easy to read.
 */
import type { MemoryCostModel, MemoryExitCause } from "./memory";
import type { CostSource } from "./source";

/** The numeric constants of a memory cost model (everything but its name and handler table). */
export type MemoryCostConstant = Exclude<keyof MemoryCostModel, "name" | "exitHandlerCycles">;

/** Sources of the default model's constants. */
export const MEMORY_COST_SOURCES: Readonly<Record<MemoryCostConstant, CostSource>> = Object.freeze({
  accessCycles: { figure: ["B13"], how: "[B13] native CPI of 1 in Patterson & Hennessy's exercise: one cycle per access." },
  tlbHitCycles: { figure: ["D5"], how: "[D5] a TLB hit takes 0.5–1 cycle; the top of the range." },
  walkRefCycles: {
    figure: ["B13", "D2", "D5"],
    how: "[B13] derived: a 24-reference nested TLB miss costs 200 cycles, 200 / 24 ≈ 8; consistent with [D2] (a cached native walk adds ≈ 20 cycles) and [D5] (10–100-cycle miss penalty).",
  },
  pteWriteCycles: { figure: ["B5"], how: "[B5] 'ptemod' natively is a single-cycle store." },
  pageFaultCycles: { figure: ["B5"], how: "[B5] 'pgfault' natively: 1,093 cycles." },
  vmExitRoundTripCycles: { figure: ["B7"], how: "[B7] direct cost of a VM exit plus entry, about 2,000 cycles." },
  shadowResyncEntryCycles: {
    figure: ["B5"],
    how: "[B5] derived: resyncing one changed entry of an unsync shadow table is the software VMM's 'ptemod' work, 391 cycles (scanning unchanged entries is not charged: an assumption of the kvm shadow preset).",
  },
});

/** Sources of the default model's handler cost per exit cause. */
export const MEMORY_EXIT_HANDLER_SOURCES: Readonly<Record<MemoryExitCause, CostSource>> = Object.freeze({
  "guest-pt-write": { figure: ["B5"], how: "[B5] the software VMM's 'ptemod', 391 cycles: emulating the write with no hardware exit in it." },
  "hidden-page-fault": { figure: ["B5"], how: "[B5] derived: the software VMM's 'pgfault' 3,927 minus the native 1,093 = 2,834 cycles." },
  "guest-page-fault": { figure: ["B5"], how: "[B5] derived: the same VMM fault path, 2,834 cycles." },
  "cr3-load": { figure: ["B11", "B7"], how: "[B11] minus [B7]: a kernel-handled exit, 2,565 − 2,000 = 565 cycles." },
  invlpg: { figure: ["B11", "B7"], how: "[B11] minus [B7]: the same small kernel-handled exit, 565 cycles." },
  "ept-violation": { figure: ["B5"], how: "[B5] derived: the VMM fault path, 2,834 cycles." },
  "pml-full": { figure: ["B11", "B7"], how: "[B11] minus [B7]: draining a full page-modification log is a kernel-handled exit, 565 cycles (the drain's per-entry work is an assumption: taken as included)." },
});
