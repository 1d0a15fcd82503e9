/**
 * The cycle-cost model for memory and MMU virtualization.
 *
 * Every constant is named, in cycles, with the figure it comes from in
 * docs/virtualization-figures.md (the figure id, e.g. "B7", and the citation).
 * Cycle figures are tied to the CPU they were measured on, so the simulator asserts orderings
 * ("shadow beats nested here"), never absolute times. Override any constant per experiment:
 * `memoryCostModel({ walkRefCycles: 30 })` or `memoryCostModel({}, "first-gen-vtx")`.
 */
import { ConfigError, requireNumber } from "../core/errors";
import type { VmExitCause } from "../hypervisor/vm-exit";

/**
 * Exit causes the memory model charges: the keys of the default handler-cost table below, each
 * checked to be a VmExitCause, the one list of exit causes (hypervisor/vm-exit.ts).
 */
export type MemoryExitCause = keyof typeof MEMORY_COSTS_DEFAULT.exitHandlerCycles;

/** Cycle costs of the memory/MMU model. */
export interface MemoryCostModel {
  /** Preset name this model came from (overrides keep it). */
  name: string;
  /**
   * Base cost of one memory access (the instruction doing it), so that overhead is relative to
   * real work. 1 cycle: native CPI of 1 in Patterson & Hennessy's exercise (figure B13).
   */
  accessCycles: number;
  /** A TLB lookup that hits: 1 cycle, the top of the 0.5–1 cycle range in COD (figure D5). */
  tlbHitCycles: number;
  /**
   * One page-walk memory reference. 8 cycles, derived [D] from COD 5th ed. ex. 5.14 (figure
   * B13): a 24-reference nested TLB miss costs 200 cycles, 200 / 24 ≈ 8.3. Consistent with a
   * cached native walk adding ≈ 20 cycles on Haswell (D2) and the 10–100 cycle miss penalty (D5).
   */
  walkRefCycles: number;
  /**
   * One page-table-entry store by an OS kernel, outside any trap: a single-cycle store
   * (Adams & Agesen 2006, "ptemod" native, figure B5).
   */
  pteWriteCycles: number;
  /**
   * The guest (or native) kernel handling one page fault: 1,093 cycles (Adams & Agesen 2006,
   * "pgfault" native, figure B5).
   */
  pageFaultCycles: number;
  /**
   * Hardware round trip of one VM exit (exit + entry, the world switch): 2,000 cycles
   * (Landau, Ben-Yehuda, Gordon, SplitX, WIOV 2011, Nehalem, figure B7). Added to every exit.
   */
  vmExitRoundTripCycles: number;
  /** Hypervisor handler work per exit cause, on top of the round trip. */
  exitHandlerCycles: Record<MemoryExitCause, number>;
  /**
   * Shadow paging, `kvm` model: bringing one changed guest PTE of an unsync table back into
   * the shadow during a CR3-load or INVLPG exit (no exit of its own). 391 cycles [D]: the
   * software VMM's "ptemod" handler (Adams & Agesen 2006, figure B5), the same work without a
   * hardware exit. Assumption: scanning the unchanged entries of the table is not charged.
   */
  shadowResyncEntryCycles: number;
}

/**
 * Default model: a modern VT-x/AMD-V host (exit round trip from B7) with shadow-paging handler
 * costs from the software VMM of Adams & Agesen 2006 (B5), whose handlers do the same work.
 */
export const MEMORY_COSTS_DEFAULT = Object.freeze({
  name: "default",
  accessCycles: 1,
  tlbHitCycles: 1,
  walkRefCycles: 8,
  pteWriteCycles: 1,
  pageFaultCycles: 1093,
  vmExitRoundTripCycles: 2000,
  exitHandlerCycles: Object.freeze({
    // Emulating one trapped guest PTE write and updating the shadow entry: 391 cycles, the
    // software VMM's "ptemod" cost (Adams & Agesen 2006, figure B5), which has no hardware exit in it.
    "guest-pt-write": 391,
    // Filling a shadow entry on a hidden fault: 3,927 − 1,093 = 2,834 cycles [D], the software
    // VMM's "pgfault" minus the native fault (figure B5): the VMM's extra work per fault.
    "hidden-page-fault": 2834,
    // Reflecting a true guest fault into the guest: same VMM fault path as above [D] (B5).
    "guest-page-fault": 2834,
    // Switching shadow roots on a guest CR3 load: 2,565 − 2,000 = 565 cycles [D], a
    // kernel-handled exit on x86 KVM (Dall et al. ATC 2017, figure B11) minus the round trip (B7).
    "cr3-load": 565,
    // Emulating INVLPG (drop one shadow/TLB entry): the same small kernel-handled exit [D] (B11 − B7).
    invlpg: 565,
    // Backing a guest-physical page on an EPT violation: the VMM fault path [D] (B5), as above.
    "ept-violation": 2834,
    // Draining a full page-modification log (512 GPAs) into the dirty bitmap: a kernel-handled
    // exit, 565 cycles [D] (B11 − B7). Assumption: the per-entry work of the drain is not
    // measured in any cited figure and is taken as included.
    "pml-full": 565,
  } satisfies Partial<Record<VmExitCause, number>>),
  shadowResyncEntryCycles: 391,
});

/**
 * First-generation VT-x with shadow paging (Pentium 4, Adams & Agesen 2006, figure B5): the
 * hardware VMM's measured totals, split as a 2,000-cycle round trip (B7) plus the remainder.
 * Use it to reproduce B5/B6: hardware VMM slower than the software VMM on ptemod and pgfault.
 */
export const MEMORY_COSTS_FIRST_GEN_VTX: Readonly<MemoryCostModel> = Object.freeze({
  ...MEMORY_COSTS_DEFAULT,
  name: "first-gen-vtx",
  exitHandlerCycles: Object.freeze({
    "guest-pt-write": 12733 - 2000, // B5 hardware VMM ptemod 12,733 total
    "hidden-page-fault": 11242 - 2000 - 1093, // B5 hardware VMM pgfault 11,242 total, minus round trip and guest fault
    "guest-page-fault": 11242 - 2000 - 1093, // same path (B5)
    "cr3-load": 565, // not measured in B5; default [D] from B11 − B7
    invlpg: 565, // not measured in B5; default [D] from B11 − B7
    "ept-violation": 11242 - 2000 - 1093, // no EPT on that machine; same fault path (B5)
    "pml-full": 565, // no PML on that machine; default [D] from B11 − B7
  }),
});

/**
 * Patterson & Hennessy's exercise model (COD 5th ed. ex. 5.14, figure B13): a nested TLB miss
 * costs 200 cycles (24 references, so 200/24 per reference) and a shadow page fault 30,000.
 */
export const MEMORY_COSTS_TEXTBOOK: Readonly<MemoryCostModel> = Object.freeze({
  ...MEMORY_COSTS_DEFAULT,
  name: "textbook",
  walkRefCycles: 200 / 24,
  exitHandlerCycles: Object.freeze({
    ...MEMORY_COSTS_DEFAULT.exitHandlerCycles,
    "hidden-page-fault": 30000 - 2000, // B13: 30,000-cycle shadow page-fault overhead, round trip included
    "guest-page-fault": 30000 - 2000,
  }),
});

/** The presets by name. */
export const MEMORY_COST_PRESETS: Readonly<Record<string, Readonly<MemoryCostModel>>> = Object.freeze({
  default: MEMORY_COSTS_DEFAULT,
  "first-gen-vtx": MEMORY_COSTS_FIRST_GEN_VTX,
  textbook: MEMORY_COSTS_TEXTBOOK,
});

/** Overrides for {@link memoryCostModel}: any constant, and any per-cause handler cost. */
export type MemoryCostOverrides = Partial<Omit<MemoryCostModel, "exitHandlerCycles" | "name">> & {
  /** Handler cycles to replace, by cause (the others keep the preset's values). */
  exitHandlerCycles?: Partial<Record<MemoryExitCause, number>>;
};

/** A cost model from a preset (default "default") with overrides, every value checked. */
export function memoryCostModel(overrides: MemoryCostOverrides = {}, preset = "default"): MemoryCostModel {
  const base = MEMORY_COST_PRESETS[preset];
  if (!base) throw new ConfigError("costs.preset", preset, `one of ${Object.keys(MEMORY_COST_PRESETS).map((k) => JSON.stringify(k)).join(", ")}`);
  // An unknown name is an error, so a typo (walkRefCycle) cannot silently keep the default.
  for (const name of Object.keys(overrides)) {
    if (!(name in base)) {
      const allowed = Object.keys(base).filter((k) => k !== "name");
      throw new ConfigError(`costs.${name}`, (overrides as Record<string, unknown>)[name], `one of the memory cost names: ${allowed.join(", ")}`);
    }
  }
  const model: MemoryCostModel = {
    ...base,
    ...overrides,
    name: base.name,
    exitHandlerCycles: { ...base.exitHandlerCycles, ...(overrides.exitHandlerCycles ?? {}) },
  };
  for (const key of ["accessCycles", "tlbHitCycles", "walkRefCycles", "pteWriteCycles", "pageFaultCycles", "vmExitRoundTripCycles", "shadowResyncEntryCycles"] as const) {
    requireNumber(`costs.${key}`, model[key], 0);
  }
  for (const [cause, v] of Object.entries(model.exitHandlerCycles)) {
    if (!(cause in base.exitHandlerCycles)) throw new ConfigError(`costs.exitHandlerCycles.${cause}`, v, `a known cause: ${Object.keys(base.exitHandlerCycles).join(", ")}`);
    requireNumber(`costs.exitHandlerCycles.${cause}`, v, 0);
  }
  return model;
}

/** Total cycles of one exit of `cause` (round trip + handler). */
export function exitCycles(model: MemoryCostModel, cause: MemoryExitCause): number {
  return model.vmExitRoundTripCycles + model.exitHandlerCycles[cause];
}
