/**
 * The guest kernel's side of memory pressure: its page cache and its own swap. When its kernel
 * runs short of frames (because the balloon took them) it frees, in this order:
 * 1. free frames (nothing to do),
 * 2. page-cache pages: clean file pages read at boot, dropped for free (they are on disk),
 * 3. anonymous pages, paged out to the guest's swap disk, chosen by a clock over their
 *    page-table accessed bits: the guest knows which pages its programs use, the host does not.
 * A paged-out page is read back on the page fault that needs it (a major fault, one disk read).
 * Reading a page to page it out goes through the hypervisor: if the host had swapped that page
 * out, the host must read it back first (double paging, host-swap.ts).
 */
import type { GuestPager, OsKernel, OsProcess } from "../hypervisor/os-kernel";
import type { VirtualMachine } from "../hypervisor/virtual-machine";

/** What the guest's disk I/O needs from the host (the bytes of its guest frames). */
export interface GuestPageIo {
  /** The contents of guest frame `guestFrame`, read as the guest's disk driver would (null: zeros). */
  guestReadPage(vm: VirtualMachine, guestFrame: number): Uint8Array | null;
  /** Writes one page into guest frame `guestFrame` (null: zeros). */
  guestWritePage(vm: VirtualMachine, guestFrame: number, bytes: Uint8Array | null): void;
  /** Flushes one page's TLB entry (the guest's INVLPG after clearing an accessed bit). */
  flushPage(vm: VirtualMachine, pid: number, vpn: number): void;
}

/** A guest's page cache, swap and reclaim. */
export class GuestMemory implements GuestPager {
  /** Page-cache frames, oldest first. */
  private readonly cache: number[] = [];
  /** The guest's swap disk: page contents by "pid:vpn". */
  private readonly swap = new Map<string, Uint8Array | null>();
  /** Anonymous pages the clock sweeps: [pid, vpn]. */
  private readonly anon: [number, number][] = [];
  private readonly anonKeys = new Set<string>();
  private hand = 0;
  /** Frames the kernel keeps free for its own page tables (never given to the balloon). */
  readonly reserveFrames: number;
  /** Page-cache pages dropped. */
  cacheDropped = 0;
  /** Anonymous pages written to the guest's swap disk. */
  pagedOut = 0;
  /** Paged-out pages read back on a fault (major faults). */
  pagedIn = 0;

  constructor(
    readonly vm: VirtualMachine,
    private readonly io: GuestPageIo,
    reserveFrames = 8,
  ) {
    this.reserveFrames = reserveFrames;
    vm.kernel.pager = this;
  }

  private get kernel(): OsKernel {
    return this.vm.kernel;
  }

  /** Pages in the page cache now. */
  get cachePages(): number {
    return this.cache.length;
  }

  /** Pages on the guest's swap disk now. */
  get swappedPages(): number {
    return this.swap.size;
  }

  /** True if guest frame `g` holds a page-cache page. */
  inCache(g: number): boolean {
    return this.cache.includes(g);
  }

  /** Boots from an image: each page (null: zeros) is read into a page-cache frame. Returns the pages loaded. */
  loadPageCache(pages: readonly (Uint8Array | null)[]): number {
    let n = 0;
    for (const bytes of pages) {
      if (this.kernel.frames.freeFrames <= this.reserveFrames) break;
      const g = this.kernel.frames.allocate();
      this.io.guestWritePage(this.vm, g, bytes);
      this.cache.push(g);
      n++;
    }
    return n;
  }

  /** Tells the clock about anonymous pages of process `pid` (a workload's pages). */
  trackAnon(pid: number, vpns: ArrayLike<number>): void {
    for (let i = 0; i < vpns.length; i++) this.track(pid, vpns[i]!);
  }

  private track(pid: number, vpn: number): void {
    const key = `${pid}:${vpn}`;
    if (this.anonKeys.has(key)) return;
    this.anonKeys.add(key);
    this.anon.push([pid, vpn]);
  }

  /**
   * Ages every tracked page: clears its accessed bit (and flushes its TLB entry), as a guest's
   * page-reclaim daemon does in the background, so that the clock later sees which pages were
   * used since.
   */
  ageAll(): void {
    for (const [pid, vpn] of this.anon) {
      const p = this.kernel.processes.get(pid);
      if (!p || !p.table.lookup(vpn).present) continue;
      p.table.protect(vpn, { accessed: false });
      this.io.flushPage(this.vm, pid, vpn);
    }
  }

  /**
   * One frame for the balloon: reclaims first if needed (with `pageOut` false only free frames
   * and page cache are given); -1 if the guest has nothing left to give.
   */
  allocateFrame(pageOut = true): number {
    if (!this.reclaim(1, pageOut)) return -1;
    return this.kernel.frames.allocate();
  }

  /** Gives a frame back to the kernel's allocator (a deflated balloon page). */
  freeFrame(g: number): void {
    this.kernel.frames.free(g);
  }

  /** GuestPager: frees frames until `frames` more than the reserve are free; false if it cannot. */
  reclaim(frames: number, pageOut = true): boolean {
    const need = frames + this.reserveFrames;
    while (this.kernel.frames.freeFrames < need) {
      if (this.cache.length > 0) {
        this.kernel.frames.free(this.cache.shift()!);
        this.cacheDropped++;
      } else if (!pageOut || !this.pageOutOne()) return false;
    }
    return true;
  }

  /** Clock: skips (and clears) recently accessed pages, pages out the first that was not. */
  private pageOutOne(): boolean {
    const n = this.anon.length;
    for (let step = 0; step < 2 * n + 1 && n > 0; step++) {
      const [pid, vpn] = this.anon[this.hand % n]!;
      this.hand = (this.hand + 1) % n;
      const p = this.kernel.processes.get(pid);
      if (!p || this.kernel.current === null) continue;
      const r = p.table.lookup(vpn);
      if (!r.present) continue;
      if (r.accessed) {
        p.table.protect(vpn, { accessed: false });
        this.io.flushPage(this.vm, pid, vpn);
        continue;
      }
      // Writing the page to the swap disk reads it: through the host, which may have to swap it in.
      const bytes = this.io.guestReadPage(this.vm, r.frame);
      this.swap.set(`${pid}:${vpn}`, bytes);
      this.kernel.unmapPage(p, vpn);
      this.pagedOut++;
      return true;
    }
    return false;
  }

  /** GuestPager: a demand-mapped page that was paged out is read back from the guest's swap disk. */
  pageIn(p: OsProcess, vpn: number, frame: number): void {
    const key = `${p.pid}:${vpn}`;
    this.track(p.pid, vpn);
    if (!this.swap.has(key)) return;
    const bytes = this.swap.get(key)!;
    this.swap.delete(key);
    this.io.guestWritePage(this.vm, frame, bytes);
    this.pagedIn++;
  }
}

