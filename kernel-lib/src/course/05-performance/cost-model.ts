/**
 * Notebook 05's cost model as markdown, and the back-of-the-envelope overhead model its
 * prediction exercise and crossover formula use (Patterson & Hennessy's exercise, figure B13).
 */
import { requireInt } from "../../core/errors";
import { formatNumber as f } from "../../core/format";
import { MEMORY_COSTS_DEFAULT, exitCycles } from "../../costs/memory";

/**
 * The memory cost model the notebook's runs use, as markdown: the access and TLB-hit charges
 * (modelling assumptions), a walk reference, and the VM exits of shadow paging with their handlers.
 */
export function costModelNotice(): string {
  const c = MEMORY_COSTS_DEFAULT;
  const plural = (n: number) => `${f(n)} cycle${n === 1 ? "" : "s"}`;
  return (
    `**The cost model** (kernel-lib's default, \`kl.MEMORY_COSTS_DEFAULT\`, every constant cited in \`costs/memory.ts\`): ` +
    `the data access itself ${plural(c.accessCycles)} and a TLB hit ${plural(c.tlbHitCycles)}, modelling assumptions, so "cycles per access" ` +
    `measures the translation mechanism rather than a real memory latency; each page-walk memory reference ${plural(c.walkRefCycles)}; ` +
    `a VM exit ${plural(c.vmExitRoundTripCycles)} for the round trip plus its handler: ${plural(exitCycles(c, "guest-pt-write"))} in all for a ` +
    `guest page-table write, ${plural(exitCycles(c, "cr3-load"))} for a CR3 load, ${plural(exitCycles(c, "hidden-page-fault"))} for a hidden page fault.`
  );
}


/** Inputs of the back-of-the-envelope overhead model (per 1000 memory accesses). */
export interface OverheadInputs {
  /** TLB misses per 1000 accesses. */
  tlbMissesPerThousand: number;
  /** Guest page-table writes per 1000 accesses. */
  pteWritesPerThousand: number;
  /** Levels of the guest and host page tables (4 on x86-64, 5 with LA57). */
  levels: number;
  /** Cycles per page-walk memory reference. Default: the cost model's walkRefCycles. */
  walkRefCycles?: number;
  /** Cycles per VM exit for a guest PTE write. Default: the cost model's round trip + handler. */
  exitCycles?: number;
}

/**
 * Translation overhead per 1000 accesses, in cycles: shadow pays native-length walks plus one
 * exit per guest PTE write; nested pays (n+1)²−1-reference walks and no exits. The model of
 * Patterson & Hennessy's exercise (figure B13), with this library's cost constants.
 */
export function overheadPerThousand(inputs: OverheadInputs): { shadow: number; nested: number; winner: "shadow" | "nested" | "tie" } {
  const n = requireInt("levels", inputs.levels, 1, 6);
  const ref = inputs.walkRefCycles ?? MEMORY_COSTS_DEFAULT.walkRefCycles;
  const exit = inputs.exitCycles ?? exitCycles(MEMORY_COSTS_DEFAULT, "guest-pt-write");
  const shadow = inputs.tlbMissesPerThousand * n * ref + inputs.pteWritesPerThousand * exit;
  const nested = inputs.tlbMissesPerThousand * ((n + 1) * (n + 1) - 1) * ref;
  return { shadow, nested, winner: shadow < nested ? "shadow" : nested < shadow ? "nested" : "tie" };
}
