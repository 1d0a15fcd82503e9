/**
 * The hypervisor's handlers: what happens when a guest event reaches it. A trapped guest
 * page-table write (shadow paging), a store to guest memory (backing it on an EPT violation,
 * dirty logging), the guest kernel's INVLPG / CR3 load / exit notifications, and the software
 * side of every failed translation (hidden faults, guest faults, EPT violations, isolation and
 * protection faults). The {@link Machine} owns one and forwards its VmMonitor calls to it.
 */
import { pageFaultErrorCode } from "../mmu/page-fault";
import { MMU_NESTED, MMU_SHADOW } from "../mmu/mmu";
import { tlbTag } from "../mmu/tlb";
import { WALK_OUT_OF_RANGE, WALK_PROTECTION } from "../mmu/walker";
import { ConfigError } from "../core/errors";
import type { Machine } from "./machine";
import type { OsKernelHooks } from "./os-kernel";
import { SHADOW_FILLED, SHADOW_GUEST_FAULT } from "./shadow";
import { SYNC_DEFERRED, SYNC_IGNORE, SYNC_TRAP_UNSYNC } from "./shadow-sync";
import type { VirtualMachine } from "./virtual-machine";

/** The handlers of one machine's hypervisor. */
export class MachineMonitor {
  /** What the last failed access ended as (an isolation or a protection fault). */
  lastFaultEvent: "isolation-fault" | "protection-fault" = "isolation-fault";

  constructor(private readonly m: Machine) {}

  /** What `vm`'s guest kernel tells the hypervisor: table pages coming and going, INVLPG, CR3 loads, exits. */
  kernelHooks(vm: VirtualMachine): OsKernelHooks {
    const shadowMode = this.m.mode === "shadow";
    const native = this.m.mode === "native";
    return {
      onTableAllocated: (frame, level, firstVpn, pid) => {
        if (native) return;
        vm.tablePage[frame] = 1;
        vm.tableInfo.set(frame, { pid, level, firstVpn });
      },
      onTableFreed: (frame) => {
        this.m.mmu.walker.flushWalkCache();
        if (native) return;
        vm.tablePage[frame] = 0;
        vm.tableInfo.delete(frame);
        vm.shadow?.sync?.forget(frame);
      },
      onInvlpg: (pid, vpn) => {
        if (shadowMode) {
          this.m.exit("invlpg");
          this.resyncShadow(vm, pid, "invlpg", vpn);
        }
        this.m.mmu.tlb.flushPage(vpn, tlbTag(vm.id, pid));
        this.m.mmu.walker.flushWalkCache();
      },
      onCr3Load: (pid, flush) => {
        if (shadowMode) {
          this.m.exit("cr3-load");
          this.resyncShadow(vm, pid, "cr3-load");
        }
        if (flush) {
          this.m.mmu.tlb.flushTag(tlbTag(vm.id, pid));
          this.m.mmu.walker.flushWalkCache();
        }
        if (this.m.running === vm) this.m.loadContext(vm);
      },
      onProcessExit: (pid) => {
        vm.shadow?.drop(pid);
        this.m.mmu.tlb.flushTag(tlbTag(vm.id, pid));
        this.m.mmu.walker.flushWalkCache();
      },
    };
  }

  /**
   * VmMonitor: a guest entry write; under shadow paging a write to a table page traps. Only
   * what changed is invalidated: the shadow entries the write made stale and the TLB entries
   * of that range (none when the guest filled an empty entry).
   */
  onGuestEntryWrite(vm: VirtualMachine, guestFrame: number, byteOffset: number, changed = true): void {
    if (this.m.mode !== "shadow" || vm.tablePage[guestFrame] !== 1 || !vm.shadow) return;
    const sync = vm.shadow.sync;
    if (sync) {
      // The kvm model (shadow-sync.ts): only shadowed tables trap; a last-level one goes unsync.
      const e = vm.shadow.entryAt(guestFrame, byteOffset);
      const c = e ? sync.onWrite(guestFrame, e.pid, e.level, e.vpn, changed) : SYNC_IGNORE;
      if (c === SYNC_IGNORE || c === SYNC_DEFERRED) return;
      this.m.exit("guest-pt-write");
      if (c === SYNC_TRAP_UNSYNC) return;
    } else this.m.exit("guest-pt-write");
    const r = vm.shadow.onGuestEntryWrite(guestFrame, byteOffset, changed);
    if (r) this.dropTranslations(vm, r);
  }

  /** Drops the TLB entries (and page-walk-cache entries) of a range whose shadow entries were dropped. */
  private dropTranslations(vm: VirtualMachine, r: { pid: number; vpn: number; pages: number }): void {
    this.m.mmu.tlb.flushRange(r.vpn, r.pages, tlbTag(vm.id, r.pid));
    this.m.mmu.walker.flushWalkCache();
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
    if (vpns.length > 0) this.m.exits.addCycles(cause, vpns.length * this.m.costs.shadowResyncEntryCycles);
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
    const chunk = Math.floor(guestFrame / this.m.hostPages);
    const gStart = chunk * this.m.hostPages;
    if (vm.hostMapped[chunk] !== 1) {
      const oc = this.m.overcommit;
      if (oc) {
        // An overcommitted host first finds room (host swap) and reads a swapped page back (overcommit/).
        vm.hostTable.map(gStart, oc.onBack(vm, gStart), { level: this.m.hostLeafLevelInHost, dirty: true });
        vm.hostMapped[chunk] = 1;
        this.m.exit("ept-violation");
        vm.dirtyLog?.mark(guestFrame);
        return;
      }
      // Mapped accessed and dirty: nothing reads EPT A/D outside dirty logging, which clears them
      // (Machine.startDirtyLog), so a first write needs no extra walk to set them.
      vm.hostTable.map(gStart, vm.firstHostFrame + gStart, { level: this.m.hostLeafLevelInHost, dirty: true });
      vm.hostMapped[chunk] = 1;
      this.m.exit("ept-violation");
      vm.dirtyLog?.mark(guestFrame); // KVM marks a page dirty when it maps it for a write fault
      return;
    }
    // A guest-kernel store to a page shared read-only by the page-sharing scanner breaks the sharing first (and logs it).
    if (this.m.overcommit?.isShared(vm, gStart)) {
      this.onEptWriteProtected(vm, guestFrame);
      return;
    }
    const log = vm.dirtyLog;
    if (!log) return;
    const e = vm.hostTable.lookup(gStart);
    if (log.method === "pml") {
      if (!e.dirty) {
        vm.hostTable.protect(gStart, { dirty: true });
        if (log.logPml(guestFrame)) this.m.exit("pml-full");
      }
    } else if (!e.writable) this.onEptWriteProtected(vm, guestFrame);
  }

  /** A write hit an EPT entry write-protected for dirty logging: log the page, make it writable (one exit). */
  onEptWriteProtected(vm: VirtualMachine, guestFrame: number): void {
    this.m.exit("ept-violation");
    const oc = this.m.overcommit;
    if (oc?.isShared(vm, guestFrame)) {
      // Copy-on-write of a merged page (overcommit/page-sharing.ts): the VM gets its own copy, writable.
      oc.breakSharing(vm, guestFrame);
      vm.dirtyLog?.mark(guestFrame);
      return;
    }
    const log = vm.dirtyLog;
    if (log) {
      log.writeProtectFaults++;
      log.mark(guestFrame);
    }
    vm.hostTable!.protect(guestFrame - (guestFrame % this.m.hostPages), { writable: true });
  }

  /** The CPU set an EPT dirty bit of the running VM: Page-Modification Logging records the page. */
  onEptDirty(guestFrame: number): void {
    const log = this.m.running?.dirtyLog;
    if (log && log.method === "pml" && log.logPml(guestFrame)) this.m.exit("pml-full");
  }

  /** Write-protects every page (or clears every EPT dirty bit for PML), then flushes the VM's TLB entries. */
  armDirtyLog(vm: VirtualMachine): void {
    const method = vm.dirtyLog!.method;
    if (vm.hostTable) {
      const t = vm.hostTable;
      const leaves: number[] = [];
      t.forEachMapping((g) => leaves.push(g));
      for (const g of leaves) t.protect(g, method === "pml" ? { dirty: false } : { writable: false });
    } else vm.shadow?.writeProtectAll();
    this.m.mmu.tlb.flushVm(vm.id);
    this.m.mmu.walker.flushWalkCache();
  }

  /**
   * Resolves a failed translation in software (fault handlers, exits); returns the host frame,
   * or -1 for an isolation fault or a protection fault (a write the guest kernel refused:
   * {@link lastFaultEvent} says which).
   */
  resolveFault(vm: VirtualMachine, vpn: number, write: boolean): number {
    const mmu = this.m.mmu;
    const w = mmu.walker;
    const k = vm.kernel;
    for (let attempt = 0; attempt < 8; attempt++) {
      const p = k.current;
      if (!p) throw new ConfigError("trace", "an access", "a running process (switch to one after the current one exits)");
      if (this.m.modeCode === MMU_NESTED && w.faultInHost) {
        const g = w.faultGuestFrame;
        if (vm.identity || vm.hostFrameOf(g) < 0) {
          if (!vm.identity) this.m.exit("ept-violation");
          return this.isolationFault();
        }
        if (w.fault === WALK_PROTECTION) this.onEptWriteProtected(vm, g);
        else this.backGuestFrame(vm, g);
      } else if (w.fault === WALK_OUT_OF_RANGE) {
        return this.isolationFault();
      } else if (this.m.modeCode === MMU_SHADOW) {
        const r = vm.shadow!.fill(p.pid, vpn, write);
        if (r === SHADOW_FILLED) this.m.exit("hidden-page-fault");
        else if (r === SHADOW_GUEST_FAULT) {
          this.m.exit("guest-page-fault");
          if (!k.handlePageFault(p, vpn, vm.shadow!.lastErrorCode)) return this.protectionFault();
        } else {
          this.m.exit("hidden-page-fault");
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
    this.m.isolationFaults++;
    this.lastFaultEvent = "isolation-fault";
    return -1;
  }

  private protectionFault(): number {
    this.m.protectionFaults++;
    this.lastFaultEvent = "protection-fault";
    return -1;
  }
}
