/**
 * An overcommitted host: VMs whose memory adds up to more than the host has. A Machine in
 * nested mode keeps each VM's guest-physical memory in a memslot of host frames, as KVM keeps it
 * in the host's virtual memory; here those frames are only *places* for pages, and the host's
 * RAM is `capacityPages` of them: a guest frame counts against it while its EPT/NPT entry maps
 * a private page, and each shared page counts once. On every EPT violation the host finds room
 * first (host swapping, the last resort) and reads a swapped page back.
 *
 * Four ways to get memory back, each in its own module:
 * - the balloon driver (balloon.ts) asks the guest, which gives free frames, then page cache,
 *   then pages out itself (guest-memory.ts);
 * - content-based page sharing (page-sharing.ts) merges identical pages read-only;
 * - host swapping (host-swap.ts) takes random pages without asking, with double paging;
 * - the idle-memory tax (idle-tax.ts) decides whom to take from.
 *
 * Simplifications: 4 KiB host pages only; guest page-table pages are never shared or swapped
 * (the guest kernel reads its own tables through the memslot, without the EPT); a workload's
 * writes store one byte each, so a written page differs from its twin in another VM.
 */
import { ConfigError, requireInt, requireNumber } from "../core/errors";
import { Random } from "../core/random";
import { Machine, type OvercommitHooks } from "../hypervisor/machine";
import type { VirtualMachine } from "../hypervisor/virtual-machine";
import { tlbTag } from "../mmu/tlb";
import { OP_WRITE, type MemoryTrace } from "../workloads/trace";
import { BalloonDriver } from "./balloon";
import { nsToCycles, overcommitCostModel, type OvercommitCostModel } from "./costs";
import { GuestMemory, type GuestPageIo } from "./guest-memory";
import { HostSwap } from "./host-swap";
import { ESX_DEFAULT_TAX_RATE, pickVictim, planReclaim } from "./idle-tax";
import { SharedPages, pageHash } from "./page-sharing";

/** How an overcommitted host takes memory back under pressure ({@link OvercommitHost.shrinkTo}). */
export type OvercommitTechnique = "balloon" | "swap" | "both";

/** The techniques, for validation and charts. */
export const OVERCOMMIT_TECHNIQUES: readonly OvercommitTechnique[] = ["balloon", "swap", "both"];

const NOT_MAPPED = 0;
const PRIVATE = 1;
const SHARED = 2;
const SWAPPED = 3;

/** Options of an {@link OvercommitHost}. */
export interface OvercommitHostOptions {
  /** Host RAM for guest pages, in 4 KiB pages. */
  capacityPages: number;
  /** Largest guest memory summed over all VMs, in pages (the memslots' room). Default 4 × capacity, at least 65,536 (256 MiB). */
  addressSpacePages?: number;
  /** Idle-memory tax rate τ for choosing whom to take from (0 ≤ τ < 1). Default 0.75, ESX's (O3). */
  taxRate?: number;
  /** Cost model (costs.ts); default the "ssd" preset. */
  costs?: Partial<OvercommitCostModel>;
  /** Swap device preset: "ssd" (default) or "hdd". */
  swapDevice?: "ssd" | "hdd";
  /** Seed of the host's random choices (swap victims, idle sampling). Default 1. */
  seed?: number;
}

/** One VM on the host, with its balloon, guest page cache and accounting. */
export class OvercommitVm {
  /** Per guest frame: NOT_MAPPED, PRIVATE, SHARED or SWAPPED. */
  readonly state: Uint8Array;
  /** Per guest frame: the shared host frame it maps when SHARED. */
  readonly sharedFrame: Int32Array;
  /** Private resident pages (host frames this VM holds alone). */
  resident = 0;
  /** Estimated active fraction (idle-tax sampling); 1 until first measured. */
  activeFraction = 1;
  /** The guest frames sampled in the current idle-measurement period. */
  sample: number[] = [];
  readonly guest: GuestMemory;
  readonly balloon: BalloonDriver;

  constructor(
    readonly vm: VirtualMachine,
    /** Shares (weight) for reclamation. */
    readonly shares: number,
    io: GuestPageIo,
    host: OvercommitHost,
    costs: OvercommitCostModel,
  ) {
    this.state = new Uint8Array(vm.guestFrames);
    this.sharedFrame = new Int32Array(vm.guestFrames).fill(-1);
    this.guest = new GuestMemory(vm, io);
    this.balloon = new BalloonDriver(this.guest, { releaseGuestFrame: (g) => host.releaseGuestFrame(this, g) }, costs);
  }

  /** Guest frames the VM was given. */
  get guestFrames(): number {
    return this.vm.guestFrames;
  }
}

/** Counters of an overcommitted host (cumulative). */
export interface OvercommitCounters {
  hostSwapOuts: number;
  hostSwapIns: number;
  doublePagingReads: number;
  guestPagedOut: number;
  guestPagedIn: number;
  cacheDropped: number;
  ballooned: number;
  balloonExits: number;
  merges: number;
  cowBreaks: number;
  scanned: number;
  /** Cycles of the host's and guests' overcommit work: disk I/O, copies, hashing, balloon. */
  cycles: number;
}

/** A host with less memory than its VMs' total. */
export class OvercommitHost implements OvercommitHooks, GuestPageIo {
  /** The machine (nested paging, 4 KiB host pages). */
  readonly machine: Machine;
  /** Host RAM for guest pages (lowered by {@link shrinkTo}). */
  capacityPages: number;
  /** Idle-memory tax rate. */
  readonly taxRate: number;
  /** Cost model. */
  readonly costs: OvercommitCostModel;
  /** VMs, in creation order. */
  readonly vms: OvercommitVm[] = [];
  /** Shared pages (page-sharing.ts). */
  readonly sharing: SharedPages;
  /** The host's swap device. */
  readonly swap = new HostSwap();
  /** Peak of {@link usedPages} so far. */
  peakUsedPages = 0;
  private readonly byId = new Map<number, OvercommitVm>();
  private readonly addressSpacePages: number;
  private readonly rng: Random;
  private readonly pageSize: number;
  private ioCycles = 0;
  private scanCycles = 0;
  private copyCycles = 0;
  private scanCursor = 0;
  private guestIo = false;
  /**
   * The last few guest frames backed (keys vmId·2^32 + frame): never chosen for host swap, as
   * a hypervisor does not evict the page an access it is resolving has just faulted in (a guest
   * copy needs both its pages at once).
   */
  private readonly recent: number[] = [];

  constructor(options: OvercommitHostOptions) {
    if (options === null || typeof options !== "object") throw new ConfigError("options", options, "{ capacityPages, ... }");
    this.capacityPages = requireInt("capacityPages", options.capacityPages, 16, 2 ** 22);
    const space = requireInt("addressSpacePages", options.addressSpacePages ?? Math.max(this.capacityPages * 4, 65536), this.capacityPages, 2 ** 23);
    this.addressSpacePages = space;
    this.taxRate = requireNumber("taxRate", options.taxRate ?? ESX_DEFAULT_TAX_RATE, 0, 0.99);
    const device = options.swapDevice ?? "ssd";
    if (device !== "ssd" && device !== "hdd") throw new ConfigError("swapDevice", device, `"ssd" or "hdd"`);
    this.costs = overcommitCostModel(options.costs ?? {}, device);
    this.rng = new Random(options.seed ?? 1);
    const page = 4096;
    this.pageSize = page;
    // Host "memory" here is room for memslots + shared pages + the hypervisor's tables; RAM is capacityPages.
    // Memslots (space) + shared frames (space) + the hypervisor's table pool (1/8 of the total).
    const frames = Math.ceil(((space * 2 + 1024) * 8) / 7);
    this.machine = new Machine({ mode: "nested", hostMemoryBytes: frames * page });
    this.machine.overcommit = this;
    const sharedFirst = this.machine.reserveHostFrames(space);
    this.sharing = new SharedPages(sharedFirst, space);
  }

  /**
   * Boots a VM of `memoryPages` guest pages. `image` pages (null = a zero page) are read into its
   * page cache, as a guest reads its kernel and libraries from the disk image it boots from;
   * `filePages` pages of files only this VM read fill its cache further (a guest's free memory
   * fills with cache), up to what its memory holds.
   */
  addVm(options: { name?: string; memoryPages: number; shares?: number; image?: readonly (Uint8Array | null)[]; filePages?: number }): OvercommitVm {
    const pages = requireInt("memoryPages", options.memoryPages, 64, 2 ** 22);
    const shares = requireNumber("shares", options.shares ?? 1000, 1e-9);
    const given = this.vms.reduce((n, v) => n + v.guestFrames, 0);
    if (given + pages > this.addressSpacePages) {
      throw new ConfigError("memoryPages", pages, `at most ${this.addressSpacePages - given} (the host's addressSpacePages, ${this.addressSpacePages}, is the most guest memory all its VMs together may be given; raise it)`);
    }
    const vm = this.machine.createVm({ name: options.name, memoryBytes: pages * this.pageSize });
    const ov = new OvercommitVm(vm, shares, this, this, this.costs);
    this.vms.push(ov);
    this.byId.set(vm.id, ov);
    vm.kernel.createProcess(0);
    vm.kernel.switchTo(0);
    // Files first, the image last: the image (kernel, libraries) is the most recently used cache, dropped last.
    const files = requireInt("filePages", options.filePages ?? 0, 0, pages);
    const image = options.image ?? [];
    if (files > 0) ov.guest.loadPageCache(Array.from({ length: Math.max(0, Math.min(files, pages - image.length - 2 * ov.guest.reserveFrames)) }, (_, i) => filePage(vm.id, i, this.pageSize)));
    if (image.length > 0) ov.guest.loadPageCache(image);
    return ov;
  }

  /** The VM by name. */
  vm(name: string): OvercommitVm {
    const ov = this.vms.find((v) => v.vm.name === name);
    if (!ov) throw new ConfigError("vm", name, `a VM of this host: ${this.vms.map((v) => v.vm.name).join(", ")}`);
    return ov;
  }

  /** Host pages in use: every VM's private resident pages plus the shared frames. Never above capacity. */
  get usedPages(): number {
    let n = this.sharing.frames;
    for (const v of this.vms) n += v.resident;
    return n;
  }

  /** Guest pages backed by host memory (private or through a shared frame). */
  get mappedGuestPages(): number {
    let n = this.sharing.mappings;
    for (const v of this.vms) n += v.resident;
    return n;
  }

  /** The counters so far. */
  counters(): OvercommitCounters {
    let guestPagedOut = 0, guestPagedIn = 0, cacheDropped = 0, ballooned = 0, balloonExits = 0, balloonCycles = 0;
    for (const v of this.vms) {
      guestPagedOut += v.guest.pagedOut;
      guestPagedIn += v.guest.pagedIn;
      cacheDropped += v.guest.cacheDropped;
      ballooned += v.balloon.inflated - v.balloon.deflated;
      balloonExits += v.balloon.exits;
      balloonCycles += v.balloon.cycles;
    }
    const c = this.costs;
    const guestIo = guestPagedOut * nsToCycles(c, c.swapWriteNs) + guestPagedIn * nsToCycles(c, c.swapReadNs);
    return {
      hostSwapOuts: this.swap.swapOuts,
      hostSwapIns: this.swap.swapIns,
      doublePagingReads: this.swap.doublePagingReads,
      guestPagedOut,
      guestPagedIn,
      cacheDropped,
      ballooned,
      balloonExits,
      merges: this.sharing.merges,
      cowBreaks: this.sharing.cowBreaks,
      scanned: this.sharing.scanned,
      cycles: this.ioCycles + this.scanCycles + this.copyCycles + balloonCycles + guestIo,
    };
  }

  private of(vm: VirtualMachine): OvercommitVm {
    const ov = this.byId.get(vm.id);
    if (!ov) throw new ConfigError("vm", vm?.name, "a VM added with OvercommitHost.addVm");
    return ov;
  }

  private note(): void {
    const used = this.usedPages;
    if (used > this.peakUsedPages) this.peakUsedPages = used;
  }

  // ---- hooks the hypervisor calls (hypervisor/monitor.ts) ----

  /** OvercommitHooks: an EPT violation; finds room, reads a swapped page back, returns the memslot frame. */
  onBack(vm: VirtualMachine, g: number): number {
    const ov = this.of(vm);
    this.makeRoom(1);
    const h = vm.firstHostFrame + g;
    if (ov.state[g] === SWAPPED) {
      const bytes = this.swap.take(vm.id, g, this.guestIo);
      if (bytes) this.machine.hostMemory.loadFrame(h, bytes);
      this.ioCycles += nsToCycles(this.costs, this.costs.swapReadNs);
    }
    ov.state[g] = PRIVATE;
    ov.resident++;
    this.touch(vm, g);
    this.note();
    return h;
  }

  private touch(vm: VirtualMachine, g: number): void {
    this.recent.push(vm.id * 2 ** 32 + g);
    if (this.recent.length > 4) this.recent.shift();
  }

  /** OvercommitHooks: the host frame with guest frame `g`'s contents (a swapped page is read back first). */
  frameForRead(vm: VirtualMachine, g: number): number {
    const ov = this.of(vm);
    if (ov.state[g] === SWAPPED) this.machine.backGuestFrame(vm, g);
    return ov.state[g] === SHARED ? ov.sharedFrame[g]! : vm.firstHostFrame + g;
  }

  /** OvercommitHooks: is the guest frame mapped to a shared page? */
  isShared(vm: VirtualMachine, g: number): boolean {
    const ov = this.byId.get(vm.id);
    return ov !== undefined && ov.state[g] === SHARED;
  }

  /** OvercommitHooks: copy-on-write of a shared page on a write: the VM gets its own writable copy. */
  breakSharing(vm: VirtualMachine, g: number): void {
    const ov = this.of(vm);
    this.makeRoom(1);
    const shared = ov.sharedFrame[g]!;
    const h = vm.firstHostFrame + g;
    this.machine.hostMemory.copyFrame(shared, h);
    vm.hostTable!.map(g, h, { writable: true, dirty: true });
    ov.state[g] = PRIVATE;
    ov.sharedFrame[g] = -1;
    ov.resident++;
    this.touch(vm, g);
    this.sharing.release(shared);
    this.sharing.cowBreaks++;
    this.copyCycles += nsToCycles(this.costs, this.costs.pageCopyNs);
    this.flushVm(vm);
    this.note();
  }

  // ---- the guest's disk I/O (guest-memory.ts) ----

  /** GuestPageIo: the guest reads a frame to write it to its disk (a swapped page is read back first: double paging). */
  guestReadPage(vm: VirtualMachine, g: number): Uint8Array | null {
    const ov = this.of(vm);
    if (ov.state[g] === SWAPPED) {
      this.guestIo = true;
      try {
        this.machine.backGuestFrame(vm, g);
      } finally {
        this.guestIo = false;
      }
    }
    const st = ov.state[g];
    if (st === NOT_MAPPED) return null;
    const h = st === SHARED ? ov.sharedFrame[g]! : vm.firstHostFrame + g;
    return this.machine.hostMemory.isBacked(h) ? this.machine.hostMemory.frameBytes(h) : null;
  }

  /** GuestPageIo: the guest fills a frame (page-cache read, page-in). */
  guestWritePage(vm: VirtualMachine, g: number, bytes: Uint8Array | null): void {
    this.machine.backGuestFrame(vm, g);
    const h = vm.firstHostFrame + g;
    if (bytes) this.machine.hostMemory.loadFrame(h, bytes);
    else this.machine.hostMemory.zeroFrame(h);
  }

  /** GuestPageIo: INVLPG of one page. */
  flushPage(vm: VirtualMachine, pid: number, vpn: number): void {
    this.machine.mmu.tlb.flushPage(vpn, tlbTag(vm.id, pid));
  }

  // ---- reclamation ----

  /** The balloon gave up guest frame `g`: drop its host backing, whatever it was. */
  releaseGuestFrame(ov: OvercommitVm, g: number): void {
    const st = ov.state[g];
    if (st === NOT_MAPPED) return;
    if (st === SWAPPED) this.swap.drop(ov.vm.id, g);
    else {
      if (st === SHARED) this.sharing.release(ov.sharedFrame[g]!);
      else {
        this.machine.hostMemory.zeroFrame(ov.vm.firstHostFrame + g);
        ov.resident--;
      }
      this.unmapEpt(ov, g);
    }
    ov.state[g] = NOT_MAPPED;
    ov.sharedFrame[g] = -1;
  }

  private unmapEpt(ov: OvercommitVm, g: number): void {
    ov.vm.hostTable!.unmap(g);
    ov.vm.hostMapped[g] = 0;
    this.flushVm(ov.vm);
  }

  private flushVm(vm: VirtualMachine): void {
    this.machine.mmu.tlb.flushVm(vm.id);
    this.machine.mmu.walker.flushWalkCache();
  }

  /** Host-swaps pages until `pages` more fit; the victim VM is chosen by the idle-tax policy, the page at random. */
  makeRoom(pages: number): void {
    while (this.usedPages + pages > this.capacityPages) {
      const v = this.pickVictim();
      if (v < 0 || !this.swapOutRandom(this.vms[v]!)) {
        throw new ConfigError("capacityPages", this.capacityPages, `enough host memory: ${this.usedPages} pages are in use and none can be swapped out (give the host more memory)`);
      }
    }
  }

  /** Index of the VM that loses the next page (lowest adjusted shares per page). */
  pickVictim(): number {
    return pickVictim(this.vms.map((v) => ({ shares: v.shares, pages: v.resident, activeFraction: v.activeFraction })), this.taxRate);
  }

  /** Swaps out one random private, non-table page of `ov`; false if it has none. */
  swapOutRandom(ov: OvercommitVm): boolean {
    const n = ov.guestFrames;
    const start = this.rng.int(n);
    for (let i = 0; i < n; i++) {
      const g = (start + i) % n;
      if (ov.state[g] === PRIVATE && ov.vm.tablePage[g] !== 1 && !this.recent.includes(ov.vm.id * 2 ** 32 + g)) {
        this.swapOut(ov, g);
        return true;
      }
    }
    return false;
  }

  /** Writes guest frame `g` of `ov` to the host's swap device and frees its host frame. */
  swapOut(ov: OvercommitVm, g: number): void {
    if (ov.state[g] !== PRIVATE || ov.vm.tablePage[g] === 1) throw new ConfigError("guestFrame", g, "a private resident data page of the VM");
    const hm = this.machine.hostMemory;
    const h = ov.vm.firstHostFrame + g;
    this.swap.put(ov.vm.id, g, hm.isBacked(h) ? hm.frameBytes(h) : null);
    hm.zeroFrame(h);
    this.unmapEpt(ov, g);
    ov.state[g] = SWAPPED;
    ov.resident--;
    this.ioCycles += nsToCycles(this.costs, this.costs.swapWriteNs);
  }

  /** Host-swaps `pages` pages out, victims chosen by the idle-tax policy; returns the pages swapped. */
  hostSwapOut(pages: number): number {
    requireInt("pages", pages, 0, 2 ** 31);
    let n = 0;
    for (; n < pages; n++) {
      const v = this.pickVictim();
      if (v < 0 || !this.swapOutRandom(this.vms[v]!)) break;
    }
    return n;
  }

  /**
   * Takes `pages` host pages back through the VMs' balloons: the idle-tax policy splits the
   * request among the VMs (planReclaim) and each balloon inflates by its part in one request.
   * A ballooned frame that was never backed frees no host page, so the host asks again for what
   * is still missing. With `pageOut` false the guests give only free frames and page cache.
   * Returns the host pages freed.
   */
  balloonReclaim(pages: number, pageOut = true): number {
    requireInt("pages", pages, 0, 2 ** 31);
    const start = this.usedPages;
    const exhausted = new Set<number>();
    while (start - this.usedPages < pages) {
      const clients = this.vms.map((v, i) => ({ shares: v.shares, pages: exhausted.has(i) ? 0 : v.resident, activeFraction: v.activeFraction }));
      const plan = planReclaim(clients, pages - (start - this.usedPages), this.taxRate);
      if (plan.every((n) => n === 0)) break;
      plan.forEach((n, i) => {
        if (n > 0 && this.vms[i]!.balloon.inflate(n, pageOut) < n) exhausted.add(i);
      });
    }
    return start - this.usedPages;
  }

  /**
   * Memory pressure: the host now has only `pages` pages for its VMs and takes back what is over
   * by `technique`: "balloon" (the guests give pages, paging out themselves if they must; host
   * swap only for what they cannot give), "swap" (host swapping alone), or "both" (balloons give
   * free and page-cache pages, host swapping takes the rest). Returns the pages reclaimed by each.
   */
  shrinkTo(pages: number, technique: OvercommitTechnique): { balloon: number; swap: number } {
    requireInt("pages", pages, 16, 2 ** 22);
    if (!OVERCOMMIT_TECHNIQUES.includes(technique)) throw new ConfigError("technique", technique, OVERCOMMIT_TECHNIQUES.map((t) => JSON.stringify(t)).join(", "));
    this.capacityPages = pages;
    const over = () => Math.max(0, this.usedPages - this.capacityPages);
    let balloon = 0;
    if (technique !== "swap") balloon = this.balloonReclaim(over(), technique === "balloon");
    const swap = this.hostSwapOut(over());
    if (over() > 0) throw new ConfigError("pages", pages, `at least ${this.usedPages} (nothing more can be reclaimed)`);
    return { balloon, swap };
  }

  // ---- page sharing ----

  /** Scans up to `pages` private resident pages for sharing; returns the guest pages newly mapped to shared frames. */
  scan(pages: number): number {
    requireInt("pages", pages, 0, 2 ** 31);
    const total = this.vms.reduce((s, v) => s + v.guestFrames, 0);
    let merges = 0;
    let scanned = 0;
    for (let step = 0; step < total && scanned < pages; step++) {
      let idx = this.scanCursor++ % total;
      let vi = 0;
      while (idx >= this.vms[vi]!.guestFrames) idx -= this.vms[vi++]!.guestFrames;
      const ov = this.vms[vi]!;
      if (ov.state[idx] !== PRIVATE || ov.vm.tablePage[idx] === 1) continue;
      scanned++;
      merges += this.scanOne(vi, idx);
    }
    return merges;
  }

  private bytesOf(ov: OvercommitVm, g: number): Uint8Array | null {
    const hm = this.machine.hostMemory;
    const h = ov.state[g] === SHARED ? ov.sharedFrame[g]! : ov.vm.firstHostFrame + g;
    return hm.isBacked(h) ? hm.frameBytes(h) : null;
  }

  /** Hashes one page and merges it if it matches; returns the guest pages newly shared (0, 1, or 2 for a hint's pair). */
  private scanOne(vi: number, g: number): number {
    const ov = this.vms[vi]!;
    const s = this.sharing;
    const c = this.costs;
    const bytes = this.bytesOf(ov, g);
    const hash = pageHash(bytes);
    s.scanned++;
    this.scanCycles += nsToCycles(c, c.pageHashNs);
    const stable = s.stable.get(hash);
    if (stable !== undefined) {
      s.compares++;
      this.scanCycles += nsToCycles(c, c.pageHashNs);
      const hm = this.machine.hostMemory;
      if (sameBytes(bytes, hm.isBacked(stable) ? hm.frameBytes(stable) : null)) {
        this.mapShared(ov, g, stable);
        return 1;
      }
      s.compareMisses++;
      return 0;
    }
    const hint = s.hints.get(hash);
    if (hint && !(hint.vm === vi && hint.guestFrame === g)) {
      const other = this.vms[hint.vm]!;
      if (other.state[hint.guestFrame] === PRIVATE) {
        s.compares++;
        this.scanCycles += nsToCycles(c, c.pageHashNs);
        if (sameBytes(bytes, this.bytesOf(other, hint.guestFrame))) {
          s.hints.delete(hash);
          const f = s.create(hash);
          if (bytes) this.machine.hostMemory.loadFrame(f, bytes);
          this.copyCycles += nsToCycles(c, c.pageCopyNs);
          this.mapShared(other, hint.guestFrame, f);
          this.mapShared(ov, g, f);
          return 2;
        }
        s.compareMisses++;
      }
    }
    s.hints.set(hash, { vm: vi, guestFrame: g });
    return 0;
  }

  /** Maps private page `g` of `ov` read-only to shared frame `f` and frees its own frame. */
  private mapShared(ov: OvercommitVm, g: number, f: number): void {
    this.machine.hostMemory.zeroFrame(ov.vm.firstHostFrame + g);
    ov.vm.hostTable!.map(g, f, { writable: false });
    ov.state[g] = SHARED;
    ov.sharedFrame[g] = f;
    ov.resident--;
    this.sharing.addRef(f);
    this.flushVm(ov.vm);
  }

  // ---- idle sampling (idle-tax.ts) ----

  /** Starts an idle-memory sample of each VM: `samples` random resident pages get their EPT accessed bit cleared. */
  startIdleSample(samples = 100): void {
    requireInt("samples", samples, 1, 2 ** 20);
    for (const ov of this.vms) {
      ov.sample = [];
      const n = ov.guestFrames;
      for (let t = 0; t < samples * 4 && ov.sample.length < samples; t++) {
        const g = this.rng.int(n);
        if (ov.state[g] === PRIVATE && ov.vm.tablePage[g] !== 1) {
          ov.vm.hostTable!.protect(g, { accessed: false });
          ov.sample.push(g);
        }
      }
      this.flushVm(ov.vm);
    }
  }

  /** Ends the sample: each VM's active fraction is the share of sampled pages touched since. */
  endIdleSample(): void {
    for (const ov of this.vms) {
      if (ov.sample.length === 0) continue;
      let touched = 0;
      for (const g of ov.sample) {
        if (ov.state[g] !== PRIVATE) continue;
        if (ov.vm.hostTable!.lookup(g).accessed) touched++;
      }
      ov.activeFraction = touched / ov.sample.length;
      ov.sample = [];
    }
  }

  // ---- running workloads ----

  /**
   * Maps a workload's pages in `ov` (its premap list) and lets the guest's clock know about them.
   * Each page gets a few bytes unique to the VM, as a program's data would.
   */
  prepare(ov: OvercommitVm, trace: MemoryTrace): void {
    this.machine.prepare(trace, ov.vm);
    for (const r of trace.premap) {
      ov.guest.trackAnon(r.process, r.vpns);
      const p = ov.vm.kernel.processes.get(r.process)!;
      for (let i = 0; i < r.vpns.length; i++) {
        const t = p.table.lookup(r.vpns[i]!);
        if (!t.present) continue;
        const bytes = new Uint8Array(this.pageSize);
        bytes[0] = ov.vm.id;
        bytes[1] = i & 255;
        bytes[2] = (i >>> 8) & 255;
        this.guestWritePage(ov.vm, t.frame, bytes);
      }
    }
    ov.vm.kernel.switchTo(0);
  }

  /**
   * Runs traces on their VMs, interleaved in slices of `sliceAccesses` (a scheduler). Between
   * slices (a tick) the sharing scanner scans `scanPagesPerTick` pages (default 0: off) and
   * `onTick` runs (a policy). Each write stores one byte unique to its VM. Returns the machine's
   * and the host's counts for the run.
   */
  run(work: { vm: OvercommitVm; trace: MemoryTrace }[], options: { sliceAccesses?: number; scanPagesPerTick?: number; onTick?: (host: OvercommitHost) => void } = {}): OvercommitRunResult {
    if (!Array.isArray(work)) throw new ConfigError("work", work, "an array of { vm, trace }");
    const slice = requireInt("sliceAccesses", options.sliceAccesses ?? 1000, 1, 2 ** 30);
    const scanRate = requireInt("scanPagesPerTick", options.scanPagesPerTick ?? 0, 0, 2 ** 30);
    const m = this.machine;
    const before = m.counters();
    const oc0 = this.counters();
    const pos = work.map(() => 0);
    let active = true;
    while (active) {
      active = false;
      for (let w = 0; w < work.length; w++) {
        const { vm: ov, trace } = work[w]!;
        const vm = ov.vm;
        if (pos[w]! >= trace.length) continue;
        active = true;
        m.enter(vm);
        const end = Math.min(trace.length, pos[w]! + slice);
        for (let i = pos[w]!; i < end; i++) {
          const op = trace.ops[i]!;
          if (op > OP_WRITE) continue;
          const f = m.accessPage(vm, trace.arg[i]!, op === OP_WRITE);
          if (op === OP_WRITE && f >= 0) m.hostMemory.writeByte(f * this.pageSize + 8 + (i % 4000), (vm.id * 37 + i) & 255);
        }
        pos[w] = end;
        if (scanRate > 0) this.scan(scanRate);
        options.onTick?.(this);
      }
    }
    const stats = m.runStatsSince(before);
    const oc = this.counters();
    const d = (k: keyof OvercommitCounters) => oc[k] - oc0[k];
    const accesses = stats.accesses;
    const cycles = stats.cycles + d("cycles");
    return {
      accesses,
      machineCycles: stats.cycles,
      overcommitCycles: d("cycles"),
      cycles,
      cyclesPerAccess: accesses === 0 ? 0 : cycles / accesses,
      vmExits: stats.vmExits + d("balloonExits"),
      eptViolations: stats.vmExitsByCause["ept-violation"] ?? 0,
      guestPageFaults: stats.pageFaults,
      hostSwapIns: d("hostSwapIns"),
      hostSwapOuts: d("hostSwapOuts"),
      guestPagedIn: d("guestPagedIn"),
      guestPagedOut: d("guestPagedOut"),
      doublePagingReads: d("doublePagingReads"),
      cowBreaks: d("cowBreaks"),
      usedPages: this.usedPages,
      peakUsedPages: this.peakUsedPages,
    };
  }
}

/** What one {@link OvercommitHost.run} counted. */
export interface OvercommitRunResult {
  accesses: number;
  /** Cycles of the accesses themselves (TLB, walks, guest faults, exits; costs/memory.ts). */
  machineCycles: number;
  /** Cycles of overcommit work in the run: disk I/O of both swaps, copies, hashing, balloon. */
  overcommitCycles: number;
  cycles: number;
  cyclesPerAccess: number;
  vmExits: number;
  eptViolations: number;
  guestPageFaults: number;
  hostSwapIns: number;
  hostSwapOuts: number;
  guestPagedIn: number;
  guestPagedOut: number;
  doublePagingReads: number;
  cowBreaks: number;
  usedPages: number;
  peakUsedPages: number;
}

/** A page of a file only this VM read: its bytes name the VM and the page, so no other VM has it. */
function filePage(vmId: number, index: number, pageSize: number): Uint8Array {
  const b = new Uint8Array(pageSize);
  b[0] = 0xf1;
  b[1] = vmId & 255;
  b[2] = index & 255;
  b[3] = (index >>> 8) & 255;
  return b;
}

function sameBytes(a: Uint8Array | null, b: Uint8Array | null): boolean {
  if (a === null || b === null) {
    const x = a ?? b;
    if (x === null) return true;
    for (let i = 0; i < x.length; i++) if (x[i] !== 0) return false;
    return true;
  }
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
