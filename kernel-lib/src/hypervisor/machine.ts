/**
 * The machine: host memory, the MMU, a hypervisor and its VMs, and the simulation loop.
 *
 * One machine runs in one memory-virtualization mode:
 * - `native`: no hypervisor; one OS on bare metal. The baseline.
 * - `shadow`: the hypervisor keeps shadow tables (GVA -> HPA) and the hardware walks those.
 *   TLB misses cost native-length walks; guest PTE writes, CR3 loads and hidden page faults
 *   cost VM exits (figures B3, B5, B6).
 * - `nested`: hardware-assisted paging (Intel EPT, AMD NPT/RVI), today's default. The guest
 *   manages its own tables with no exits; every TLB miss does a 2D walk (figures A1–A8, B1, B2).
 * Neither wins everywhere (B4): shadow wins when TLB misses dominate and tables rarely
 * change; nested wins when processes are created, switched and torn down often.
 *
 * The loop ({@link Machine.run}) is allocation-free per access: a TLB lookup, on a miss a walk
 * over typed arrays, and software only for the rare events (faults, exits, OS operations).
 * Cycles are computed from the counters afterwards with the cost model.
 */
import { ConfigError, requireInt } from "../core/errors";
import { MEMORY_COST_PRESETS, exitCycles, memoryCostModel, type MemoryCostModel, type MemoryCostOverrides, type MemoryExitCause } from "../costs/memory";
import { FrameAllocator } from "../memory/frame-allocator";
import { X86_64_4LEVEL, type AddressLayout } from "../memory/layout";
import { PageTable } from "../memory/page-table";
import { PhysicalMemory } from "../memory/physical-memory";
import type { WalkStep } from "../memory/walk-step";
import { MMU_NATIVE, MMU_NESTED, MMU_SHADOW, Mmu, type MmuMode } from "../mmu/mmu";
import { tlbTag, type TlbConfig } from "../mmu/tlb";
import { pageFaultErrorCode } from "../mmu/page-fault";
import { WALK_OUT_OF_RANGE, WALK_PROTECTION } from "../mmu/walker";
import { OP_EXEC, OP_EXIT, OP_FORK, OP_MAP, OP_READ, OP_SWITCH, OP_UNMAP, OP_WRITE, checkTracePages, type MemoryTrace } from "../workloads/trace";
import { DIRTY_LOG_METHODS, DirtyLog, type DirtyLogMethod } from "./dirty-log";
import { OsKernel, type OsKernelHooks } from "./os-kernel";
import { SHADOW_FILLED, SHADOW_GUEST_FAULT, ShadowPager } from "./shadow";
import { SYNC_DEFERRED, SYNC_IGNORE, SYNC_TRAP_UNSYNC, checkShadowPagingModel, type ShadowPagingModel } from "./shadow-sync";
import { GuestPhysicalMemory, VirtualMachine, type VmMonitor } from "./virtual-machine";
import { VmExitTally, type VmExitCause } from "./vm-exit";

/** The memory-virtualization modes. */
export type MemoryVirtualizationMode = MmuMode;

/** The allowed modes, for validation and CLIs. */
export const MEMORY_VIRTUALIZATION_MODES: readonly MemoryVirtualizationMode[] = ["native", "shadow", "nested"];

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

interface Counters {
  accesses: number;
  tlbHits: number;
  tlbMisses: number;
  walks: number;
  walkRefs: number;
  pageFaults: number;
  pteWrites: number;
  exits: Partial<Record<VmExitCause, number>>;
  exitTotal: number;
  exitCycles: number;
  isolationFaults: number;
  protectionFaults: number;
  cowFaults: number;
}

/** Host, hypervisor, VMs and MMU in one mode. */
export class Machine implements VmMonitor {
  /** Memory-virtualization mode. */
  readonly mode: MemoryVirtualizationMode;
  /** Layout of process (guest) page tables. */
  readonly guestLayout: AddressLayout;
  /** Layout of the host (EPT/NPT) table. */
  readonly hostLayout: AddressLayout;
  /** Host physical memory. */
  readonly hostMemory: PhysicalMemory;
  /** The MMU (TLB + walker). */
  readonly mmu: Mmu;
  /** The cost model. */
  readonly costs: MemoryCostModel;
  /** VM exits by cause, with cycles. */
  readonly exits = new VmExitTally();
  /** VMs created so far. */
  readonly vms: VirtualMachine[] = [];
  /** False in the no-isolation demo. */
  readonly isolation: boolean;
  /** Host page size backing guest memory. */
  readonly hostPageSizeBytes: number;
  /** The shadow-paging model (shadow mode; see {@link MachineConfig.shadowPaging}). */
  readonly shadowPaging: ShadowPagingModel;
  /** Accesses stopped by isolation. */
  isolationFaults = 0;
  /** Writes stopped because the page is read-only and not copy-on-write. */
  protectionFaults = 0;
  private lastFaultEvent: "isolation-fault" | "protection-fault" = "isolation-fault";
  /** Data accesses so far. */
  accesses = 0;
  /** The VM on the CPU. */
  running: VirtualMachine | null = null;
  private readonly modeCode: number;
  private readonly hostFrames: FrameAllocator;
  private readonly pool: FrameAllocator;
  private readonly hostPages: number;
  private readonly hostLeafLevelInHost: number;
  private readonly hostLeafLevelInGuest: number;
  private readonly sharedFirstFrame: number;

  constructor(config: MachineConfig) {
    if (config === null || typeof config !== "object") throw new ConfigError("config", config, "a MachineConfig object");
    if (!MEMORY_VIRTUALIZATION_MODES.includes(config.mode)) {
      throw new ConfigError("mode", config.mode, MEMORY_VIRTUALIZATION_MODES.map((m) => JSON.stringify(m)).join(", "));
    }
    this.mode = config.mode;
    this.modeCode = this.mode === "native" ? MMU_NATIVE : this.mode === "shadow" ? MMU_SHADOW : MMU_NESTED;
    this.guestLayout = config.guestLayout ?? X86_64_4LEVEL;
    this.hostLayout = config.hostLayout ?? X86_64_4LEVEL;
    const page = this.guestLayout.pageSizeBytes;
    if (this.hostLayout.pageSizeBytes !== page) {
      throw new ConfigError("hostLayout.pageSizeBytes", this.hostLayout.pageSizeBytes, `${page}, the guest layout's page size`);
    }
    const hostBytes = config.hostMemoryBytes ?? 16 * 2 ** 30;
    requireInt("hostMemoryBytes", hostBytes, page * 64, page * 2 ** 26);
    if (hostBytes % page !== 0) throw new ConfigError("hostMemoryBytes", hostBytes, `a multiple of the page size ${page}`);
    this.hostMemory = new PhysicalMemory({ pageSizeBytes: page, frameCount: hostBytes / page, name: "host" });
    this.hostPageSizeBytes = config.hostPageSizeBytes ?? page;
    this.hostLeafLevelInHost = this.hostLayout.levelForPageSize(this.hostPageSizeBytes, "hostPageSizeBytes");
    this.hostLeafLevelInGuest = this.guestLayout.levelForPageSize(this.hostPageSizeBytes, "hostPageSizeBytes");
    this.hostPages = this.hostPageSizeBytes / page;
    const poolBytes = config.hypervisorPoolBytes ?? Math.floor(hostBytes / 8 / page) * page;
    requireInt("hypervisorPoolBytes", poolBytes, page * 16, hostBytes - page * 16);
    const poolFrames = Math.floor(poolBytes / page);
    // Frame 0 stays unused so that a zero entry never points at a real table.
    this.pool = new FrameAllocator(1, poolFrames - 1, "hypervisorPoolBytes");
    this.hostFrames = new FrameAllocator(poolFrames, this.hostMemory.frameCount - poolFrames, "hostMemoryBytes");
    this.sharedFirstFrame = Math.ceil(poolFrames / this.hostPages) * this.hostPages;
    this.shadowPaging = checkShadowPagingModel(config.shadowPaging ?? "trap-all");
    this.isolation = config.isolation ?? true;
    if (typeof this.isolation !== "boolean") throw new ConfigError("isolation", config.isolation, "true or false");
    const costs = config.costs ?? {};
    // A full model (e.g. a preset object) is validated on top of its own preset when it names one.
    const named = (costs as Partial<MemoryCostModel>).name;
    const preset = typeof named === "string" && named in MEMORY_COST_PRESETS ? named : "default";
    this.costs = memoryCostModel(costs as MemoryCostOverrides, preset);
    this.mmu = new Mmu(this.hostMemory, this.guestLayout, { tlb: config.tlb ?? {}, walkCacheEntries: config.walkCacheEntries ?? 0, memo: config.memo ?? true });
    this.mmu.modeCode = this.modeCode;
    this.mmu.hostLayout = this.modeCode === MMU_NESTED ? this.hostLayout : null;
    if (this.modeCode === MMU_NESTED) this.mmu.walker.onHostDirty = (g) => this.onEptDirty(g);
  }

  /**
   * Creates a VM with its guest kernel. In native mode this is the one OS on bare metal
   * (VM id 0; its frames are host frames).
   */
  createVm(options: CreateVmOptions = {}): VirtualMachine {
    const page = this.guestLayout.pageSizeBytes;
    const memoryBytes = options.memoryBytes ?? 2 ** 30;
    requireInt("memoryBytes", memoryBytes, this.hostPageSizeBytes, this.hostMemory.sizeBytes);
    if (memoryBytes % this.hostPageSizeBytes !== 0) {
      throw new ConfigError("memoryBytes", memoryBytes, `a multiple of the host page size ${this.hostPageSizeBytes}`);
    }
    const frames = memoryBytes / page;
    const native = this.mode === "native";
    if (native && this.vms.length > 0) throw new ConfigError("createVm", this.vms.length + 1, "one OS in native mode (there is no hypervisor to run more)");
    const id = native ? 0 : this.vms.length + 1;
    const name = options.name ?? (native ? "bare metal" : `vm${id}`);
    const identity = native || !this.isolation;
    let first = 0;
    if (native || this.isolation) first = this.hostFrames.allocateContiguous(frames, this.hostPages);
    else first = this.sharedFirstFrame;
    if (!native && !this.isolation && first + frames > this.hostMemory.frameCount) {
      throw new ConfigError("memoryBytes", memoryBytes, `at most ${(this.hostMemory.frameCount - first) * page} bytes`);
    }
    const vm = new VirtualMachine(id, name, frames, first, identity, this.hostPages, this.hostMemory.frameCount);
    const hooks = this.kernelHooks(vm);
    if (native) {
      vm.kernel = new OsKernel({
        memory: this.hostMemory,
        layout: this.guestLayout,
        frames: new FrameAllocator(first, frames, "memoryBytes"),
        pageSizeBytes: options.guestPageSizeBytes,
        hooks,
      });
    } else {
      const guestFrames = identity ? new FrameAllocator(first, frames, `${name}.memoryBytes`) : new FrameAllocator(0, frames, `${name}.memoryBytes`);
      vm.kernel = new OsKernel({
        memory: new GuestPhysicalMemory(vm, this.hostMemory, this),
        layout: this.guestLayout,
        frames: guestFrames,
        pageSizeBytes: options.guestPageSizeBytes,
        hooks,
      });
      if (this.mode === "shadow") vm.shadow = new ShadowPager(vm, this.hostMemory, this.guestLayout, this.pool, this.hostLeafLevelInGuest, this.shadowPaging);
      if (this.mode === "nested" && !identity) {
        vm.hostTable = PageTable.create(this.hostMemory, this.hostLayout, this.pool);
        vm.hostTable.dimension = "host";
      }
    }
    this.vms.push(vm);
    return vm;
  }

  private kernelHooks(vm: VirtualMachine): OsKernelHooks {
    const shadowMode = this.mode === "shadow";
    const native = this.mode === "native";
    return {
      onTableAllocated: (frame, level, firstVpn, pid) => {
        if (native) return;
        vm.tablePage[frame] = 1;
        vm.tableInfo.set(frame, { pid, level, firstVpn });
      },
      onTableFreed: (frame) => {
        this.mmu.walker.flushWalkCache();
        if (native) return;
        vm.tablePage[frame] = 0;
        vm.tableInfo.delete(frame);
        vm.shadow?.sync?.forget(frame);
      },
      onInvlpg: (pid, vpn) => {
        if (shadowMode) {
          this.exit("invlpg");
          this.resyncShadow(vm, pid, "invlpg", vpn);
        }
        this.mmu.tlb.flushPage(vpn, tlbTag(vm.id, pid));
        this.mmu.walker.flushWalkCache();
      },
      onCr3Load: (pid, flush) => {
        if (shadowMode) {
          this.exit("cr3-load");
          this.resyncShadow(vm, pid, "cr3-load");
        }
        if (flush) {
          this.mmu.tlb.flushTag(tlbTag(vm.id, pid));
          this.mmu.walker.flushWalkCache();
        }
        if (this.running === vm) this.loadContext(vm);
      },
      onProcessExit: (pid) => {
        vm.shadow?.drop(pid);
        this.mmu.tlb.flushTag(tlbTag(vm.id, pid));
        this.mmu.walker.flushWalkCache();
      },
    };
  }

  /** Counts one VM exit of `cause` with its modeled cycles. */
  exit(cause: MemoryExitCause): void {
    this.exits.record(cause, exitCycles(this.costs, cause));
  }

  /**
   * VmMonitor: a guest entry write; under shadow paging a write to a table page traps. Only
   * what changed is invalidated: the shadow entries the write made stale and the TLB entries
   * of that range (none when the guest filled an empty entry).
   */
  onGuestEntryWrite(vm: VirtualMachine, guestFrame: number, byteOffset: number, changed = true): void {
    if (this.mode !== "shadow" || vm.tablePage[guestFrame] !== 1 || !vm.shadow) return;
    const sync = vm.shadow.sync;
    if (sync) {
      // The kvm model (shadow-sync.ts): only shadowed tables trap; a last-level one goes unsync.
      const e = vm.shadow.entryAt(guestFrame, byteOffset);
      const c = e ? sync.onWrite(guestFrame, e.pid, e.level, e.vpn, changed) : SYNC_IGNORE;
      if (c === SYNC_IGNORE || c === SYNC_DEFERRED) return;
      this.exit("guest-pt-write");
      if (c === SYNC_TRAP_UNSYNC) return;
    } else this.exit("guest-pt-write");
    const r = vm.shadow.onGuestEntryWrite(guestFrame, byteOffset, changed);
    if (r) this.dropTranslations(vm, r);
  }

  /** Drops the TLB entries (and page-walk-cache entries) of a range whose shadow entries were dropped. */
  private dropTranslations(vm: VirtualMachine, r: { pid: number; vpn: number; pages: number }): void {
    this.mmu.tlb.flushRange(r.vpn, r.pages, tlbTag(vm.id, r.pid));
    this.mmu.walker.flushWalkCache();
  }

  /**
   * The kvm shadow model's resync (shadow-sync.ts) of `pid`'s unsync tables at a CR3 load, or
   * of one page at an INVLPG: each changed entry's shadow PTE is dropped, charged to `cause`.
   */
  private resyncShadow(vm: VirtualMachine, pid: number, cause: "cr3-load" | "invlpg", vpn = -1): void {
    const shadow = vm.shadow;
    if (!shadow?.sync) return;
    const vpns = vpn < 0 ? shadow.sync.takeAll(pid) : shadow.sync.takeOne(pid, vpn) ? [vpn] : [];
    for (const v of vpns) {
      const r = shadow.zap(pid, v, 1);
      if (r) this.dropTranslations(vm, r);
    }
    if (vpns.length > 0) this.exits.addCycles(cause, vpns.length * this.costs.shadowResyncEntryCycles);
  }

  /**
   * VmMonitor: the guest stores to guest frame `guestFrame` (its kernel writing a PTE, zeroing
   * or copying a page). Nested mode: make sure the host table maps it (an EPT violation if not)
   * and, while dirty logging, the store is logged as a CPU store would be.
   */
  backGuestFrame(vm: VirtualMachine, guestFrame: number): void {
    if (vm.hostTable === null) {
      vm.dirtyLog?.mark(guestFrame);
      return;
    }
    const chunk = Math.floor(guestFrame / this.hostPages);
    const gStart = chunk * this.hostPages;
    if (vm.hostMapped[chunk] !== 1) {
      // Mapped accessed and dirty: nothing reads EPT A/D outside dirty logging, which clears them
      // (Machine.startDirtyLog), so a first write needs no extra walk to set them.
      vm.hostTable.map(gStart, vm.firstHostFrame + gStart, { level: this.hostLeafLevelInHost, dirty: true });
      vm.hostMapped[chunk] = 1;
      this.exit("ept-violation");
      vm.dirtyLog?.mark(guestFrame); // KVM marks a page dirty when it maps it for a write fault
      return;
    }
    const log = vm.dirtyLog;
    if (!log) return;
    const e = vm.hostTable.lookup(gStart);
    if (log.method === "pml") {
      if (!e.dirty) {
        vm.hostTable.protect(gStart, { dirty: true });
        if (log.logPml(guestFrame)) this.exit("pml-full");
      }
    } else if (!e.writable) this.onEptWriteProtected(vm, guestFrame);
  }

  /** A write hit an EPT entry write-protected for dirty logging: log the page, make it writable (one exit). */
  private onEptWriteProtected(vm: VirtualMachine, guestFrame: number): void {
    this.exit("ept-violation");
    const log = vm.dirtyLog;
    if (log) {
      log.writeProtectFaults++;
      log.mark(guestFrame);
    }
    vm.hostTable!.protect(guestFrame - (guestFrame % this.hostPages), { writable: true });
  }

  /** The CPU set an EPT dirty bit of the running VM: Page-Modification Logging records the page. */
  private onEptDirty(guestFrame: number): void {
    const log = this.running?.dirtyLog;
    if (log && log.method === "pml" && log.logPml(guestFrame)) this.exit("pml-full");
  }

  /**
   * Starts logging which pages of `vm` are written (the service live migration builds on):
   * by write-protecting every page (shadow or nested), or with Intel PML (nested only).
   * Pages written from now on are returned by {@link collectDirtyLog}.
   */
  startDirtyLog(vm: VirtualMachine, method: DirtyLogMethod = "write-protect"): void {
    if (!this.vms.includes(vm)) throw new ConfigError("vm", vm?.name, `a VM of this machine: ${this.vms.map((v) => v.name).join(", ")}`);
    if (!DIRTY_LOG_METHODS.includes(method)) throw new ConfigError("method", method, DIRTY_LOG_METHODS.map((m) => JSON.stringify(m)).join(", "));
    if (this.mode === "native" || vm.identity) throw new ConfigError("mode", this.mode, "shadow or nested with isolation (dirty logging is the hypervisor's)");
    if (method === "pml" && this.mode !== "nested") throw new ConfigError("method", method, `"write-protect" under shadow paging (PML needs EPT A/D bits)`);
    vm.dirtyLog = new DirtyLog(method, this.hostPages);
    this.armDirtyLog(vm);
  }

  /** The guest frames of `vm` written since logging started or since the last call, ascending; re-arms the log. */
  collectDirtyLog(vm: VirtualMachine): number[] {
    const log = vm.dirtyLog;
    if (!log) throw new ConfigError("vm", vm?.name, "a VM with dirty logging started (Machine.startDirtyLog)");
    const dirty = log.collect();
    this.armDirtyLog(vm);
    return dirty;
  }

  /** Stops dirty logging of `vm` (pages stay as they are; nothing is logged any more). */
  stopDirtyLog(vm: VirtualMachine): void {
    vm.dirtyLog = null;
  }

  /** Write-protects every page (or clears every EPT dirty bit for PML), then flushes the VM's TLB entries. */
  private armDirtyLog(vm: VirtualMachine): void {
    const method = vm.dirtyLog!.method;
    if (vm.hostTable) {
      const t = vm.hostTable;
      const leaves: number[] = [];
      t.forEachMapping((g) => leaves.push(g));
      for (const g of leaves) t.protect(g, method === "pml" ? { dirty: false } : { writable: false });
    } else vm.shadow?.writeProtectAll();
    this.mmu.tlb.flushVm(vm.id);
    this.mmu.walker.flushWalkCache();
  }

  /** VmMonitor: the guest touched memory it was not given. */
  onIsolationFault(_vm: VirtualMachine, _guestFrame: number): void {
    this.isolationFaults++;
  }

  /** Puts `vm` on the CPU (loads its CR3, EPT pointer and TLB tag). */
  enter(vm: VirtualMachine): void {
    if (!this.vms.includes(vm)) throw new ConfigError("vm", vm?.name, `a VM of this machine: ${this.vms.map((v) => v.name).join(", ")}`);
    this.running = vm;
    this.loadContext(vm);
  }

  private loadContext(vm: VirtualMachine): void {
    const mmu = this.mmu;
    const p = vm.kernel.current;
    const pid = p ? p.pid : 0;
    mmu.setContext(vm.id, pid);
    mmu.hostIdentity = vm.identity;
    mmu.eptRoot = vm.hostTable ? vm.hostTable.rootFrame : 0;
    if (!p) {
      mmu.cr3 = 0;
      return;
    }
    if (this.modeCode === MMU_SHADOW) mmu.cr3 = vm.shadow!.tableFor(pid).rootFrame;
    else mmu.cr3 = p.table.rootFrame;
  }

  /**
   * Resolves a failed translation in software (fault handlers, exits); returns the host frame,
   * or -1 for an isolation fault or a protection fault (a write the guest kernel refused:
   * {@link lastFaultEvent} says which).
   */
  private resolveFault(vm: VirtualMachine, vpn: number, write: boolean): number {
    const mmu = this.mmu;
    const w = mmu.walker;
    const k = vm.kernel;
    for (let attempt = 0; attempt < 8; attempt++) {
      const p = k.current;
      if (!p) throw new ConfigError("trace", "an access", "a running process (switch to one after the current one exits)");
      if (this.modeCode === MMU_NESTED && w.faultInHost) {
        const g = w.faultGuestFrame;
        if (vm.identity || vm.hostFrameOf(g) < 0) {
          if (!vm.identity) this.exit("ept-violation");
          return this.isolationFault();
        }
        if (w.fault === WALK_PROTECTION) this.onEptWriteProtected(vm, g);
        else this.backGuestFrame(vm, g);
      } else if (w.fault === WALK_OUT_OF_RANGE) {
        return this.isolationFault();
      } else if (this.modeCode === MMU_SHADOW) {
        const r = vm.shadow!.fill(p.pid, vpn, write);
        if (r === SHADOW_FILLED) this.exit("hidden-page-fault");
        else if (r === SHADOW_GUEST_FAULT) {
          this.exit("guest-page-fault");
          if (!k.handlePageFault(p, vpn, vm.shadow!.lastErrorCode)) return this.protectionFault();
        } else {
          this.exit("hidden-page-fault");
          return this.isolationFault();
        }
      } else if (!k.handlePageFault(p, vpn, pageFaultErrorCode({ present: w.fault === WALK_PROTECTION, write }))) {
        return this.protectionFault();
      }
      const f = write ? mmu.translateWrite(vpn) : mmu.translate(vpn);
      if (f >= 0) return f;
    }
    throw new Error(`internal: the fault at page ${vpn} was not resolved after 8 attempts`);
  }

  private isolationFault(): number {
    this.isolationFaults++;
    this.lastFaultEvent = "isolation-fault";
    return -1;
  }

  private protectionFault(): number {
    this.protectionFaults++;
    this.lastFaultEvent = "protection-fault";
    return -1;
  }

  private event(vm: VirtualMachine, op: number, arg: number): void {
    const k = vm.kernel;
    const cur = k.current;
    if (op === OP_SWITCH) {
      k.switchTo(arg);
      return;
    }
    if (!cur) throw new ConfigError("trace", op, "operations only while a process runs");
    if (op === OP_MAP) k.mapPage(cur, arg);
    else if (op === OP_UNMAP) k.unmapPage(cur, arg);
    else if (op === OP_FORK) k.fork(cur, arg);
    else if (op === OP_EXEC) k.exec(cur);
    else if (op === OP_EXIT) {
      k.exit(arg);
      if (k.current === null) {
        const next = Math.min(...k.processes.keys());
        if (Number.isFinite(next)) k.switchTo(next);
      }
    }
  }

  private counters(): Counters {
    let pageFaults = 0;
    let pteWrites = 0;
    let cowFaults = 0;
    for (const vm of this.vms) {
      pageFaults += vm.kernel.pageFaults;
      pteWrites += vm.kernel.pteWrites;
      cowFaults += vm.kernel.cowFaults;
    }
    return {
      accesses: this.accesses,
      tlbHits: this.mmu.tlb.hits,
      tlbMisses: this.mmu.tlb.misses,
      walks: this.mmu.walker.walks,
      walkRefs: this.mmu.walker.totalRefs,
      pageFaults,
      pteWrites,
      exits: this.exits.byCause(),
      exitTotal: this.exits.total,
      exitCycles: this.exits.totalCycles,
      isolationFaults: this.isolationFaults,
      protectionFaults: this.protectionFaults,
      cowFaults,
    };
  }

  private diff(a: Counters, b: Counters, seconds: number): MemoryRunStats {
    const c = this.costs;
    const byCause: Partial<Record<VmExitCause, number>> = {};
    for (const [cause, n] of Object.entries(b.exits) as [VmExitCause, number][]) {
      const d = n - (a.exits[cause] ?? 0);
      if (d > 0) byCause[cause] = d;
    }
    const s = {
      accesses: b.accesses - a.accesses,
      tlbHits: b.tlbHits - a.tlbHits,
      tlbMisses: b.tlbMisses - a.tlbMisses,
      walks: b.walks - a.walks,
      walkRefs: b.walkRefs - a.walkRefs,
      pageFaults: b.pageFaults - a.pageFaults,
      pteWrites: b.pteWrites - a.pteWrites,
      exitCycles: b.exitCycles - a.exitCycles,
      isolationFaults: b.isolationFaults - a.isolationFaults,
      protectionFaults: b.protectionFaults - a.protectionFaults,
      cowFaults: b.cowFaults - a.cowFaults,
    };
    const lookups = s.tlbHits + s.tlbMisses;
    const cycles =
      s.accesses * c.accessCycles +
      lookups * c.tlbHitCycles +
      s.walkRefs * c.walkRefCycles +
      s.pteWrites * c.pteWriteCycles +
      s.pageFaults * c.pageFaultCycles +
      s.exitCycles;
    return {
      mode: this.mode,
      accesses: s.accesses,
      tlbHits: s.tlbHits,
      tlbMisses: s.tlbMisses,
      tlbHitRate: lookups === 0 ? 0 : s.tlbHits / lookups,
      walks: s.walks,
      walkRefs: s.walkRefs,
      pageFaults: s.pageFaults,
      pteWrites: s.pteWrites,
      vmExits: b.exitTotal - a.exitTotal,
      vmExitsByCause: byCause,
      isolationFaults: s.isolationFaults,
      protectionFaults: s.protectionFaults,
      cowFaults: s.cowFaults,
      cycles,
      exitCycles: s.exitCycles,
      seconds,
    };
  }

  /** Everything counted since the machine was built, as run statistics (seconds = 0). */
  totals(): MemoryRunStats {
    const zero: Counters = { accesses: 0, tlbHits: 0, tlbMisses: 0, walks: 0, walkRefs: 0, pageFaults: 0, pteWrites: 0, exits: {}, exitTotal: 0, exitCycles: 0, isolationFaults: 0, protectionFaults: 0, cowFaults: 0 };
    return this.diff(zero, this.counters(), 0);
  }

  /** Maps the trace's premap pages in `vm` (creating processes) and puts process 0 on the CPU. */
  prepare(trace: MemoryTrace, vm: VirtualMachine): void {
    const k = vm.kernel;
    for (const region of trace.premap) {
      const p = k.processes.get(region.process) ?? k.createProcess(region.process);
      const vpns = region.vpns;
      for (let i = 0; i < vpns.length; i++) k.mapPage(p, this.guestLayout.checkVpn(`trace.premap[${region.process}]`, vpns[i]!));
    }
    if (!k.current) k.switchTo(k.processes.has(0) ? 0 : (k.processes.size > 0 ? Math.min(...k.processes.keys()) : 0));
  }

  /**
   * Runs `trace` on `vm`'s vCPU and returns what this run counted. By default the trace's
   * premap pages are mapped first (outside the counted loop). `seconds` times the loop alone.
   */
  run(trace: MemoryTrace, vm: VirtualMachine = this.vms[0] ?? this.createVm(), options: MachineRunOptions = {}): MemoryRunStats {
    if (trace.pageSizeBytes !== this.guestLayout.pageSizeBytes) {
      throw new ConfigError("trace.pageSizeBytes", trace.pageSizeBytes, `${this.guestLayout.pageSizeBytes}, the page size of layout "${this.guestLayout.name}"`);
    }
    checkTracePages(trace, this.guestLayout.virtualPages);
    const out = options.hostFramesOut ?? null;
    if (out && out.length < trace.length) throw new ConfigError("hostFramesOut.length", out.length, `at least the trace length ${trace.length}`);
    if (options.premap ?? true) this.prepare(trace, vm);
    else if (!vm.kernel.current) vm.kernel.switchTo(0);
    this.enter(vm);
    const before = this.counters();
    const mmu = this.mmu;
    const ops = trace.ops;
    const arg = trace.arg;
    const n = trace.length;
    let accesses = 0;
    const t0 = performance.now();
    for (let i = 0; i < n; i++) {
      const op = ops[i]!;
      if (op <= OP_WRITE) {
        accesses++;
        const vpn = arg[i]!;
        let f = op === OP_READ ? mmu.translate(vpn) : mmu.translateWrite(vpn);
        if (f < 0) f = this.resolveFault(vm, vpn, op === OP_WRITE);
        if (out !== null) out[i] = f;
      } else {
        this.event(vm, op, arg[i]!);
        if (out !== null) out[i] = -1;
      }
    }
    const seconds = (performance.now() - t0) / 1000;
    this.accesses += accesses;
    return this.diff(before, this.counters(), seconds);
  }

  /**
   * One access by process `pid` of `vm` to virtual address `address`, with its walk steps:
   * for notebooks and demos. With `write` the byte `value` is stored at the host-physical
   * address reached. Faults are handled as in a run; an isolation fault is returned, not thrown.
   */
  access(vm: VirtualMachine, pid: number, address: number | bigint | string, options: { write?: boolean; value?: number; bypassTlb?: boolean } = {}): MachineAccessResult {
    const { vpn, offset } = this.guestLayout.splitVirtualAddress(address, "address");
    this.enter(vm);
    const k = vm.kernel;
    if (!k.current || k.current.pid !== pid) {
      if (!k.processes.has(pid)) {
        const pids = [...k.processes.keys()];
        throw new ConfigError("pid", pid, pids.length ? `a process of VM "${vm.name}": ${pids.join(", ")}` : `a process of VM "${vm.name}", which has none yet (create one with vm.kernel.createProcess(pid) or run a trace first)`);
      }
      k.switchTo(pid);
    }
    const before = this.counters();
    const write = options.write ?? false;
    const traced = this.mmu.translateTraced(vpn, { bypassTlb: options.bypassTlb ?? false, write });
    let f = traced.hostFrame;
    k.lastFault = null;
    if (f < 0) f = this.resolveFault(vm, vpn, write);
    this.accesses++;
    const after = this.counters();
    const stats = this.diff(before, after, 0);
    const errorCode = k.lastFault ? (k.lastFault as { errorCode: number }).errorCode : -1;
    const base = { tlbHit: traced.tlbHit, walkRefs: traced.walkRefs, steps: traced.steps, pageFaults: stats.pageFaults, pageFaultErrorCode: errorCode, vmExits: stats.vmExitsByCause };
    if (f < 0) return { ok: false, event: this.lastFaultEvent, hostFrame: -1, hostPhysicalAddress: -1, value: -1, ...base };
    const hpa = f * this.hostMemory.pageSizeBytes + offset;
    let value: number;
    if (options.write) {
      value = requireInt("value", options.value ?? 0, 0, 255);
      this.hostMemory.writeByte(hpa, value);
    } else value = this.hostMemory.readByte(hpa);
    return { ok: true, event: "ok", hostFrame: f, hostPhysicalAddress: hpa, value, ...base };
  }

  /** Writes a string (as bytes) at `address` in process `pid` of `vm`; returns the isolation faults hit. */
  writeString(vm: VirtualMachine, pid: number, address: number, text: string): number {
    let faults = 0;
    for (let i = 0; i < text.length; i++) {
      const r = this.access(vm, pid, address + i, { write: true, value: text.charCodeAt(i) & 0xff });
      if (!r.ok) faults++;
    }
    return faults;
  }

  /** Reads `length` bytes at `address` in process `pid` of `vm` as a string (isolation faults read as "?"). */
  readString(vm: VirtualMachine, pid: number, address: number, length: number): string {
    let s = "";
    for (let i = 0; i < length; i++) {
      const r = this.access(vm, pid, address + i);
      s += r.ok ? String.fromCharCode(r.value) : "?";
    }
    return s;
  }

  /** Host frames used by the hypervisor's own tables (EPT/NPT and shadow). */
  hypervisorTableFrames(): number {
    let n = 0;
    for (const vm of this.vms) {
      if (vm.hostTable) n += vm.hostTable.tableFrameCount;
      if (vm.shadow) n += vm.shadow.tableFrames;
    }
    return n;
  }
}
