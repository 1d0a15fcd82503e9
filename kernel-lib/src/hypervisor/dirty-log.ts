/**
 * Dirty-page logging: which guest pages were written since the hypervisor last asked, the
 * service live migration is built on (KVM_GET_DIRTY_LOG; Clark et al., "Live Migration of
 * Virtual Machines", NSDI 2005, pre-copy rounds).
 *
 * Two ways to learn about writes, as KVM has (arch/x86/kvm/mmu/mmu.c, arch/x86/kvm/vmx/vmx.c):
 * - `write-protect`: every page is mapped read-only (the EPT/NPT leaf under nested paging, the
 *   shadow PTE under shadow paging); the first write to each page faults to the hypervisor
 *   (one VM exit per page per round), which marks it dirty and makes it writable again.
 * - `pml`: Intel Page-Modification Logging (SDM Vol. 3C §29.3.6; nested paging only, it needs
 *   EPT A/D bits): the hypervisor clears the EPT dirty bits; whenever the CPU sets one it
 *   writes the guest-physical address into a 512-entry log, and only a full log exits
 *   ("pml-full", exit reason 62), after which the hypervisor drains it into the dirty set.
 *   KVM drains the log on every exit (vmx_flush_pml_buffer); here it drains when full or asked.
 *
 * Granularity: a page is a host page. With 2 MiB host pages one write dirties 512 guest
 * frames (KVM splits huge pages while logging to avoid exactly that; this model does not).
 */

/** How dirty pages are found. */
export type DirtyLogMethod = "write-protect" | "pml";

/** The dirty-logging methods, for validation. */
export const DIRTY_LOG_METHODS: readonly DirtyLogMethod[] = ["write-protect", "pml"];

/** Entries in Intel's page-modification log (one 4 KiB page of 8-byte GPAs, SDM Vol. 3C §29.3.6). */
export const PML_ENTRIES = 512;

/** The dirty log of one VM. */
export class DirtyLog {
  /** Guest frames written since the last collection. */
  private readonly dirty = new Set<number>();
  /** The PML buffer (guest frames), filled from the top down as the CPU's PML index counts down from 511. */
  private readonly pml = new Float64Array(PML_ENTRIES);
  /** The PML index: the next free slot, -1 when the log is full. */
  pmlIndex = PML_ENTRIES - 1;
  /** Log-full exits so far. */
  pmlFullExits = 0;
  /** Write-protection faults taken for logging so far. */
  writeProtectFaults = 0;

  constructor(
    /** How writes are found. */
    readonly method: DirtyLogMethod,
    /** Guest frames per host page (a dirty page is this many frames). */
    readonly framesPerPage: number,
  ) {}

  /** True if guest frame `gfn`'s page is already marked dirty in this round. */
  isDirty(gfn: number): boolean {
    return this.dirty.has(gfn - (gfn % this.framesPerPage));
  }

  /** Marks guest frame `gfn`'s page dirty; returns false if it already was. */
  mark(gfn: number): boolean {
    const page = gfn - (gfn % this.framesPerPage);
    if (this.dirty.has(page)) return false;
    this.dirty.add(page);
    return true;
  }

  /**
   * The CPU logs guest frame `gfn` (it set an EPT dirty bit). Returns true if the log was full
   * first: the caller counts the "pml-full" exit, after which the entry is logged.
   */
  logPml(gfn: number): boolean {
    let full = false;
    if (this.pmlIndex < 0) {
      full = true;
      this.pmlFullExits++;
      this.drainPml();
    }
    this.pml[this.pmlIndex--] = gfn;
    return full;
  }

  /** Moves the PML buffer's entries into the dirty set and resets the index (the hypervisor's flush). */
  drainPml(): void {
    for (let i = PML_ENTRIES - 1; i > this.pmlIndex; i--) this.mark(this.pml[i]!);
    this.pmlIndex = PML_ENTRIES - 1;
  }

  /** Entries waiting in the PML buffer. */
  get pmlEntries(): number {
    return PML_ENTRIES - 1 - this.pmlIndex;
  }

  /**
   * Ends a round: returns every guest frame written since the last collection (drained from
   * the PML buffer too), ascending, and forgets them.
   */
  collect(): number[] {
    this.drainPml();
    const out: number[] = [];
    for (const page of this.dirty) for (let i = 0; i < this.framesPerPage; i++) out.push(page + i);
    this.dirty.clear();
    return out.sort((a, b) => a - b);
  }
}
