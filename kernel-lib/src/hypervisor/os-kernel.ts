/**
 * The memory-management part of an operating-system kernel: processes with their own page
 * tables, demand paging, mmap/munmap, fork, exec and exit.
 *
 * The same kernel runs on bare metal (its tables in host memory) or as a guest (its tables in
 * guest-physical memory, every entry write visible to the hypervisor). It never knows which:
 * that is the point of virtualization, and it is why shadow paging has to trap its writes.
 *
 * Fork is copy-on-write, as in Linux (mm/memory.c: copy_page_range at fork, do_wp_page on the
 * fault): the child gets a copy of every page-table entry, each private writable page becomes
 * read-only in both processes and is marked copy-on-write, and the parent's TLB entries are
 * flushed (one CR3 reload, as flush_tlb_mm does). The first write to such a page faults with
 * P=1 W/R=1 (mmu/page-fault.ts); the handler copies the page into a fresh frame (or, for the
 * last sharer, just makes it writable again) and INVLPGs it. A write to a page that is
 * read-only and not copy-on-write is a protection fault the process dies of in a real kernel
 * (SIGSEGV): here it is counted and the access fails.
 *
 * Simplifications, stated so a student can find them: a kernel zeroes every frame it
 * allocates; TLB maintenance is one INVLPG per unmapped page and one CR3 reload per torn-down
 * address space; pages mapped explicitly to a chosen frame are shared by fork, not copied.
 */
import { ConfigError } from "../core/errors";
import type { FrameAllocator } from "../memory/frame-allocator";
import type { AddressLayout } from "../memory/layout";
import { PageTable, type PageTableMemory } from "../memory/page-table";
import { PF_PRESENT, PF_WRITE } from "../mmu/page-fault";

/** What the kernel tells the machine it runs on (the hypervisor, or the bare-metal CPU). */
export interface OsKernelHooks {
  /** A frame became a page-table page of process `pid`. */
  onTableAllocated?(frame: number, level: number, firstVpn: number, pid: number): void;
  /** A frame stopped being a page-table page. */
  onTableFreed?(frame: number): void;
  /** The kernel invalidated one page of process `pid` (INVLPG). */
  onInvlpg?(pid: number, vpn: number): void;
  /** The kernel loaded CR3 with process `pid`'s root; `flush` if its TLB entries are stale (exec). */
  onCr3Load?(pid: number, flush: boolean): void;
  /** The kernel allocated (and zeroed) a frame. */
  onFrameAllocated?(frame: number): void;
  /** Process `pid` exited: its address space is gone. */
  onProcessExit?(pid: number): void;
}

/**
 * The guest's own page reclaim (overcommit/guest-memory.ts): it frees frames when the kernel
 * runs short (its page cache first, then paging anonymous pages out to its swap disk) and reads
 * a paged-out page back in on the fault that needs it.
 */
export interface GuestPager {
  /** Frees frames until at least `frames` are free; false if it cannot. */
  reclaim(frames: number): boolean;
  /** Page `vpn` of `p` was just demand-mapped to `frame`: restore it if it was paged out. */
  pageIn(p: OsProcess, vpn: number, frame: number): void;
}

/** A process: an address-space id and a page table. */
export class OsProcess {
  constructor(
    /** Process id, also its address-space id (ASID/PCID) in the TLB. */
    readonly pid: number,
    /** Its page table (in the kernel's physical memory). */
    readonly table: PageTable,
  ) {}
  /** Start VPNs of its copy-on-write pages (shared read-only since a fork). */
  readonly cow = new Set<number>();
}

/** Options of {@link OsKernel}. */
export interface OsKernelOptions {
  /** Memory holding the kernel's page tables (host memory on bare metal, guest-physical in a VM). */
  memory: PageTableMemory;
  /** Address layout of every process. */
  layout: AddressLayout;
  /** Frames the kernel may use. */
  frames: FrameAllocator;
  /** Page size the kernel maps data with (a leaf size of `layout`). Default: the base page. */
  pageSizeBytes?: number;
  /** Notifications to the machine below. */
  hooks?: OsKernelHooks;
}

/** A kernel's memory manager. */
export class OsKernel {
  /** Address layout. */
  readonly layout: AddressLayout;
  /** Memory the tables live in. */
  readonly memory: PageTableMemory;
  /** Frames of the kernel's physical memory. */
  readonly frames: FrameAllocator;
  /** Leaf level used for data mappings (1 = base pages, 2 = 2 MiB on x86). */
  readonly dataLevel: number;
  /** Base pages per data mapping. */
  readonly dataPages: number;
  /** Processes by pid. */
  readonly processes = new Map<number, OsProcess>();
  /** The running process (whose root is in CR3). */
  current: OsProcess | null = null;
  /** Page faults the kernel handled. */
  pageFaults = 0;
  /** Page-table entry writes the kernel made. */
  pteWrites = 0;
  /** Copy-on-write faults handled (a page copied, or made writable again by its last sharer). */
  cowFaults = 0;
  /** Writes to read-only pages that were not copy-on-write (SIGSEGV in a real kernel). */
  protectionFaults = 0;
  /** The guest's page reclaim, when memory can be taken from it (overcommit); null: none. */
  pager: GuestPager | null = null;
  /** The last page fault: page and x86 error code (mmu/page-fault.ts). */
  lastFault: { pid: number; vpn: number; errorCode: number } | null = null;
  private readonly hooks: OsKernelHooks;
  private readonly frameRefs = new Map<number, number>();

  constructor(options: OsKernelOptions) {
    this.layout = options.layout;
    this.memory = options.memory;
    this.frames = options.frames;
    this.hooks = options.hooks ?? {};
    this.dataLevel = options.pageSizeBytes === undefined ? 1 : this.layout.levelForPageSize(options.pageSizeBytes);
    this.dataPages = this.layout.pagesAtLevel(this.dataLevel);
  }

  /** Creates a process with an empty address space. `pid` defaults to the next free number. */
  createProcess(pid?: number): OsProcess {
    const id = pid ?? (this.processes.size === 0 ? 0 : Math.max(...this.processes.keys()) + 1);
    if (this.processes.has(id)) throw new ConfigError("pid", id, "a pid not already in use");
    if (!Number.isInteger(id) || id < 0 || id > 65535) throw new ConfigError("pid", id, "an integer from 0 to 65535");
    const hooks = this.hooks;
    const table = PageTable.create(this.memory, this.layout, this.frames, {
      onTableAllocated: (frame, level, firstVpn) => hooks.onTableAllocated?.(frame, level, firstVpn, id),
      onTableFreed: (frame) => hooks.onTableFreed?.(frame),
    });
    const p = new OsProcess(id, table);
    this.processes.set(id, p);
    return p;
  }

  /** The process `pid`; throws a ConfigError if there is none. */
  process(pid: number): OsProcess {
    const p = this.processes.get(pid);
    if (!p) throw new ConfigError("pid", pid, `a running process: ${[...this.processes.keys()].join(", ") || "none"}`);
    return p;
  }

  /** Switches to `pid` (loads CR3), creating the process if it does not exist. */
  switchTo(pid: number): OsProcess {
    const p = this.processes.get(pid) ?? this.createProcess(pid);
    this.current = p;
    this.hooks.onCr3Load?.(pid, false);
    return p;
  }

  private allocateData(copyOf = -1): number {
    if (this.pager && this.frames.freeFrames < this.dataPages) this.pager.reclaim(this.dataPages);
    const frame = this.dataPages === 1 ? this.frames.allocate() : this.frames.allocateContiguous(this.dataPages, this.dataPages);
    for (let i = 0; i < this.dataPages; i++) {
      if (copyOf >= 0 && this.memory.copyFrame) this.memory.copyFrame(copyOf + i, frame + i);
      else this.memory.zeroFrame(frame + i);
      this.hooks.onFrameAllocated?.(frame + i);
    }
    this.frameRefs.set(frame, 1);
    return frame;
  }

  private releaseData(frame: number): void {
    const refs = this.frameRefs.get(frame);
    if (refs === undefined) return; // not ours (e.g. mapped explicitly to a chosen frame)
    if (refs > 1) {
      this.frameRefs.set(frame, refs - 1);
      return;
    }
    this.frameRefs.delete(frame);
    if (this.dataPages === 1) this.frames.free(frame);
    else this.frames.freeContiguous(frame, this.dataPages);
  }

  /**
   * Maps the data page containing `vpn` in `p`. With `frame` the page is mapped to that
   * frame (which need not exist: a buggy or malicious kernel can point anywhere); otherwise a
   * fresh zeroed frame is allocated. Returns the frame, or -1 if the page was already mapped.
   * A fresh writable page is mapped dirty, as Linux maps an anonymous page it has just
   * allocated (do_anonymous_page: pte_mkdirty); a chosen frame is mapped clean. `dirty`
   * overrides both (false: a clean page whose first write sets D, like a file page).
   */
  mapPage(p: OsProcess, vpn: number, options: { frame?: number; writable?: boolean; dirty?: boolean } = {}): number {
    this.layout.checkVpn("vpn", vpn);
    const start = vpn - (vpn % this.dataPages);
    if (p.table.lookup(start).present) return -1;
    const frame = options.frame ?? this.allocateData();
    const writable = options.writable ?? true;
    const before = p.table.entryWrites;
    p.table.map(start, frame, { level: this.dataLevel, writable, dirty: options.dirty ?? (writable && options.frame === undefined) });
    this.pteWrites += p.table.entryWrites - before;
    return frame;
  }

  /**
   * Handles a page fault at `vpn` in `p` with x86 error code `errorCode` (default 0: a read of
   * a page that is not present). Not present: demand-allocates and maps the page. A write to a
   * present page (P=1, W/R=1): breaks copy-on-write. Returns false when the fault cannot be
   * resolved (a write to a read-only page that is not copy-on-write): the access fails.
   */
  handlePageFault(p: OsProcess, vpn: number, errorCode = 0): boolean {
    this.pageFaults++;
    this.lastFault = { pid: p.pid, vpn, errorCode };
    if (!(errorCode & PF_PRESENT)) {
      const frame = this.mapPage(p, vpn);
      if (this.pager && frame >= 0) this.pager.pageIn(p, vpn, frame);
      return true;
    }
    const r = p.table.lookup(vpn);
    const start = r.present ? vpn - (vpn % this.layout.pagesAtLevel(r.level)) : vpn;
    if (errorCode & PF_WRITE && r.present && r.writable) return true; // already fixed (a stale TLB entry)
    if (errorCode & PF_WRITE && r.present && p.cow.has(start)) {
      this.breakCow(p, start, r.frame - (vpn - start), r.level);
      return true;
    }
    this.protectionFaults++;
    return false;
  }

  /** Gives `p` its own writable copy of the copy-on-write page at `start` (Linux do_wp_page). */
  private breakCow(p: OsProcess, start: number, frame: number, level: number): void {
    this.cowFaults++;
    p.cow.delete(start);
    const before = p.table.entryWrites;
    const refs = this.frameRefs.get(frame) ?? 1;
    // Both paths map the page writable and dirty (pte_mkdirty in wp_page_reuse and wp_page_copy).
    if (refs <= 1) p.table.protect(start, { writable: true, dirty: true, accessed: true }); // the last sharer keeps the frame
    else {
      const copy = this.allocateData(frame);
      this.frameRefs.set(frame, refs - 1);
      p.table.map(start, copy, { level, writable: true, dirty: true });
    }
    this.pteWrites += p.table.entryWrites - before;
    this.hooks.onInvlpg?.(p.pid, start);
  }

  /** Unmaps the page containing `vpn` (munmap): clears the PTE, frees the frame, INVLPG. */
  unmapPage(p: OsProcess, vpn: number): boolean {
    const r = p.table.lookup(vpn);
    if (!r.present) return false;
    const pages = this.layout.pagesAtLevel(r.level);
    const start = vpn - (vpn % pages);
    const frame = r.frame - (vpn - start);
    const before = p.table.entryWrites;
    p.table.unmap(start);
    p.cow.delete(start);
    this.pteWrites += p.table.entryWrites - before;
    this.releaseData(frame);
    this.hooks.onInvlpg?.(p.pid, start);
    return true;
  }

  /** Removes every mapping of `p` (exec, exit), then reloads CR3 to flush its TLB entries. */
  private tearDown(p: OsProcess): void {
    const maps: [number, number][] = [];
    p.table.forEachMapping((vpn, frame) => maps.push([vpn, frame]));
    const before = p.table.entryWrites;
    for (const [vpn, frame] of maps) {
      p.table.unmap(vpn);
      this.releaseData(frame);
    }
    p.cow.clear();
    this.pteWrites += p.table.entryWrites - before;
  }

  /**
   * Forks `parent` into a new process `childPid`: every entry is copied, and every private
   * writable page is shared copy-on-write (read-only in both until one writes it).
   */
  fork(parent: OsProcess, childPid?: number): OsProcess {
    const child = this.createProcess(childPid);
    const maps: [number, number, number, boolean][] = [];
    parent.table.forEachMapping((vpn, frame, level, writable) => maps.push([vpn, frame, level, writable]));
    const before = child.table.entryWrites + parent.table.entryWrites;
    let protectedAny = false;
    for (const [vpn, frame, level, writable] of maps) {
      const refs = this.frameRefs.get(frame);
      const cow = refs !== undefined && (writable || parent.cow.has(vpn));
      if (cow && writable) {
        parent.table.protect(vpn, { writable: false });
        parent.cow.add(vpn);
        protectedAny = true;
      }
      if (cow) child.cow.add(vpn);
      child.table.map(vpn, frame, { level, writable: writable && !cow });
      if (refs !== undefined) this.frameRefs.set(frame, refs + 1);
    }
    this.pteWrites += child.table.entryWrites + parent.table.entryWrites - before;
    // The parent's TLB may still hold its pages writable: flush them (Linux dup_mmap -> flush_tlb_mm).
    if (protectedAny) this.hooks.onCr3Load?.(parent.pid, true);
    return child;
  }

  /** Exec: the process keeps its pid and root but loses every mapping; pages fault back in. */
  exec(p: OsProcess): void {
    this.tearDown(p);
    this.hooks.onCr3Load?.(p.pid, true);
  }

  /** Exit: every mapping and table of `pid` is freed. */
  exit(pid: number): void {
    const p = this.process(pid);
    this.tearDown(p);
    p.table.destroy();
    this.processes.delete(pid);
    if (this.current === p) this.current = null;
    this.hooks.onProcessExit?.(pid);
  }
}
