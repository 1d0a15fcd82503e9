/**
 * A virtual machine: guest-physical memory backed by host frames the hypervisor gave it, a
 * guest kernel whose page tables live in that memory, and one vCPU.
 *
 * Guest-physical frame g is backed by host frame `firstHostFrame + g` (a KVM "memslot"). With
 * isolation the hardware only reaches host frames through the VM's own host table (EPT/NPT) or
 * the shadow tables the hypervisor builds, so a guest cannot name another VM's frames. In the
 * no-isolation demo every VM's guest-physical address IS a host-physical address, and the
 * VMs trample each other: the chaos the lesson's story begins with.
 */
import type { PageTableMemory, PageTable } from "../memory/page-table";
import type { PhysicalMemory } from "../memory/physical-memory";
import type { DirtyLog } from "./dirty-log";
import type { OsKernel } from "./os-kernel";
import type { ShadowPager } from "./shadow";

/** What a VM asks of the hypervisor that runs it. */
export interface VmMonitor {
  /**
   * The guest wrote an entry into guest frame `guestFrame` (the hypervisor may trap it);
   * `changed` is false when the write stored the value the entry already held (default true).
   */
  onGuestEntryWrite(vm: VirtualMachine, guestFrame: number, byteOffset: number, changed?: boolean): void;
  /** The guest touched guest frame `guestFrame`; the hypervisor makes sure it is backed. */
  backGuestFrame(vm: VirtualMachine, guestFrame: number): void;
  /** The guest touched memory it was not given. */
  onIsolationFault(vm: VirtualMachine, guestFrame: number): void;
  /**
   * The host frame holding guest frame `guestFrame`'s contents now, for the guest kernel to read
   * (an overcommitted host may have shared or swapped it); -1 if the VM was not given it.
   */
  frameForRead?(vm: VirtualMachine, guestFrame: number): number;
}

/** Guest-physical memory as the guest kernel sees it; every access lands in a host frame. */
export class GuestPhysicalMemory implements PageTableMemory {
  /** Frame size in bytes. */
  readonly pageSizeBytes: number;
  /** Guest-physical frames the VM was given. */
  readonly frameCount: number;
  /** High half of the last entry read. */
  entryHi = 0;

  /**
   * `monitor` sees every write (and may trap it); null gives the hypervisor's own untrapped
   * view of the guest's memory (it writes guest A/D bits for the guest under shadow paging).
   */
  constructor(
    private readonly vm: VirtualMachine,
    private readonly host: PhysicalMemory,
    private readonly monitor: VmMonitor | null,
  ) {
    this.pageSizeBytes = host.pageSizeBytes;
    this.frameCount = vm.frameSpace;
  }

  /** Reads an entry of a guest frame (through the memslot; no trap). */
  readEntryLo(frame: number, byteOffset: number, sizeBytes: number): number {
    const h = this.vm.hostFrameOf(frame);
    if (h < 0) {
      this.entryHi = 0;
      return 0;
    }
    const lo = this.host.readEntryLo(h, byteOffset, sizeBytes);
    this.entryHi = this.host.entryHi;
    return lo;
  }

  /** Writes an entry of a guest frame; the hypervisor sees the write (shadow paging traps it). */
  writeEntry(frame: number, byteOffset: number, sizeBytes: number, lo: number, hi: number): void {
    const h = this.hostFrameFor(frame);
    if (h < 0) return;
    const oldLo = this.host.readEntryLo(h, byteOffset, sizeBytes);
    const changed = oldLo !== lo >>> 0 || this.host.entryHi !== hi >>> 0;
    this.host.writeEntry(h, byteOffset, sizeBytes, lo, hi);
    this.monitor?.onGuestEntryWrite(this.vm, frame, byteOffset, changed);
  }

  /** Zeroes a guest frame (the guest kernel clearing a fresh page). */
  zeroFrame(frame: number): void {
    const h = this.hostFrameFor(frame);
    if (h >= 0) this.host.zeroFrame(h);
  }

  /** Copies a guest frame into another (the guest kernel breaking copy-on-write). */
  copyFrame(from: number, to: number): void {
    // The destination first: backing it may make an overcommitted host move pages, the source included.
    const dst = this.hostFrameFor(to);
    const src = this.monitor?.frameForRead ? this.monitor.frameForRead(this.vm, from) : this.vm.hostFrameOf(from);
    if (src >= 0 && dst >= 0) this.host.copyFrame(src, dst);
  }

  /** The host frame behind a guest frame the guest is about to write (backed first), or -1 after an isolation fault. */
  private hostFrameFor(frame: number): number {
    const h = this.vm.hostFrameOf(frame);
    if (h < 0) {
      this.monitor?.onIsolationFault(this.vm, frame);
      return -1;
    }
    this.monitor?.backGuestFrame(this.vm, frame);
    return h;
  }
}

/** A virtual machine (or, in native mode, the bare-metal OS: VM id 0, frames = host frames). */
export class VirtualMachine {
  /** The guest kernel. Set by the machine that creates the VM. */
  kernel!: OsKernel;
  /** Shadow tables (shadow mode only). */
  shadow: ShadowPager | null = null;
  /** Host (EPT/NPT) table mapping guest-physical to host-physical (nested mode, with isolation). */
  hostTable: PageTable | null = null;
  /** The dirty log while the hypervisor tracks this VM's writes (Machine.startDirtyLog), else null. */
  dirtyLog: DirtyLog | null = null;
  /** Per guest frame: 1 if it holds a guest page-table page (write-protected under shadow paging). */
  readonly tablePage: Uint8Array;
  /** Guest page-table pages: owner pid, level and first VPN covered (the hypervisor's reverse map). */
  readonly tableInfo = new Map<number, { pid: number; level: number; firstVpn: number }>();
  /** Guest frame numbers the guest can use: its memory, or all of host memory without isolation. */
  readonly frameSpace: number;
  /** Per host-page-sized chunk of guest memory: 1 if the host table maps it (nested mode). */
  readonly hostMapped: Uint8Array;

  constructor(
    /** VM id (the TLB's VM tag; 0 is the bare-metal OS in native mode). */
    readonly id: number,
    /** A name for rows and stories, e.g. "Alex". */
    readonly name: string,
    /** Guest-physical frames. */
    readonly guestFrames: number,
    /** Host frame backing guest frame 0 (0 with no isolation or on bare metal). */
    readonly firstHostFrame: number,
    /** True if guest-physical = host-physical (bare metal, or the no-isolation demo). */
    readonly identity: boolean,
    /** Host frames that back this VM (guest frames are 0..this-1 with isolation). */
    readonly hostFramesPerChunk: number,
    /** Number of host frames (for the identity range check). */
    private readonly hostFrameCount: number,
  ) {
    this.frameSpace = identity ? hostFrameCount : guestFrames;
    this.tablePage = new Uint8Array(this.frameSpace);
    this.hostMapped = new Uint8Array(Math.ceil(guestFrames / hostFramesPerChunk));
  }

  /** Guest memory size in bytes, given the page size. */
  memoryBytes(pageSizeBytes: number): number {
    return this.guestFrames * pageSizeBytes;
  }

  /**
   * The vCPU's CR3 as the guest sees it: the guest-physical frame of the running process's
   * root table (-1 when no process runs). Under shadow paging the real CR3 holds the shadow
   * root instead; under nested paging the hardware walks from this one.
   */
  get guestCr3(): number {
    const p = this.kernel?.current;
    return p ? p.table.rootFrame : -1;
  }

  /** Pid of the process running on the vCPU (-1 when none). */
  get runningPid(): number {
    return this.kernel?.current?.pid ?? -1;
  }

  /** Host frame backing guest frame `guestFrame`, or -1 if the VM was not given it. */
  hostFrameOf(guestFrame: number): number {
    if (this.identity) return guestFrame >= 0 && guestFrame < this.hostFrameCount ? guestFrame : -1;
    return guestFrame >= 0 && guestFrame < this.guestFrames ? this.firstHostFrame + guestFrame : -1;
  }

  /** True if host frame `hostFrame` is one this VM was given. */
  ownsHostFrame(hostFrame: number): boolean {
    if (this.identity) return true;
    return hostFrame >= this.firstHostFrame && hostFrame < this.firstHostFrame + this.guestFrames;
  }
}
