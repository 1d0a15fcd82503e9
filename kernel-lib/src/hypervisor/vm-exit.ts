/**
 * VM exits as counted, typed events, shared by the memory/MMU core and the I/O models.
 *
 * A VM exit is the CPU leaving guest mode for the hypervisor (VMEXIT on AMD-V, VM exit on
 * VT-x). Every exit has a cause and a cost in cycles; the tally keeps both per cause so a
 * notebook can chart "where the exits come from".
 */
export type VmExitCause =
  // memory / MMU virtualization
  | "guest-pt-write" // shadow paging: the guest wrote a write-protected page-table page
  | "cr3-load" // shadow paging: the guest switched address spaces
  | "hidden-page-fault" // shadow paging: a fault caused by a missing shadow entry, fixed by the hypervisor
  | "guest-page-fault" // shadow paging: a true guest fault, reflected into the guest
  | "ept-violation" // nested paging: the host (EPT/NPT) table has no mapping for a guest-physical page
  | "invlpg" // shadow paging: the guest flushed a TLB entry
  | "pml-full" // nested paging with dirty logging: the page-modification log filled up
  // I/O virtualization
  | "pio" // port I/O instruction (IN/OUT)
  | "mmio" // access to an emulated device register
  | "virtio-notify" // virtqueue kick (a write to the notification register)
  | "interrupt" // a physical interrupt arrived while the guest ran
  | "eoi" // the guest acknowledged a virtual interrupt
  | "hypercall";

/** One VM exit: why, and what it cost. */
export interface VmExit {
  /** Why the CPU left guest mode. */
  cause: VmExitCause;
  /** Cost of this exit in CPU cycles: world switch plus handling. */
  cycles: number;
}

/** Counts exits and their cycles by cause. Allocation-free on record(). */
export class VmExitTally {
  private readonly counts = new Map<VmExitCause, number>();
  private readonly cycleSums = new Map<VmExitCause, number>();
  /** Exits counted, all causes. */
  total = 0;
  /** Cycles of all exits counted. */
  totalCycles = 0;

  /** Counts `times` exits of `cause`, each costing `cycles`. */
  record(cause: VmExitCause, cycles: number, times = 1): void {
    this.counts.set(cause, (this.counts.get(cause) ?? 0) + times);
    this.cycleSums.set(cause, (this.cycleSums.get(cause) ?? 0) + cycles * times);
    this.total += times;
    this.totalCycles += cycles * times;
  }

  /**
   * Adds handler work done inside exits already counted (no new exit), e.g. resyncing unsync
   * shadow tables during a CR3-load exit.
   */
  addCycles(cause: VmExitCause, cycles: number): void {
    this.cycleSums.set(cause, (this.cycleSums.get(cause) ?? 0) + cycles);
    this.totalCycles += cycles;
  }

  /** Exits of one cause. */
  count(cause: VmExitCause): number {
    return this.counts.get(cause) ?? 0;
  }

  /** Cycles spent in exits of one cause. */
  cycles(cause: VmExitCause): number {
    return this.cycleSums.get(cause) ?? 0;
  }

  /** Counts by cause, as a plain object (causes with no exits left out). */
  byCause(): Partial<Record<VmExitCause, number>> {
    return Object.fromEntries(this.counts);
  }

  /** Forgets every count. */
  reset(): void {
    this.counts.clear();
    this.cycleSums.clear();
    this.total = 0;
    this.totalCycles = 0;
  }
}
