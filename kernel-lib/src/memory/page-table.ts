/**
 * A radix page table stored in physical memory.
 *
 * Every table is a frame of the memory it lives in, and every entry is bytes in that frame
 * in the layout's PTE format. Mapping a page writes entries, exactly as an OS kernel would;
 * walking reads them back. Because the table is in memory, a guest's table lives in
 * guest-physical memory (the hypervisor sees each entry write), and a textbook memory dump
 * plus a root frame is enough to translate by hand or with {@link PageTable.translate}.
 *
 * This is the software side (OS and hypervisor code, and notebooks). The per-access hardware
 * walk is in `mmu/walker.ts`, which reads the same bytes without allocating.
 */
import { ConfigError, requireInt } from "../core/errors";
import type { AddressLayout } from "./layout";
import type { MapOptions, PageLookup, PageTableHooks, PageTableMemory, TableFrameSource, Translation } from "./page-table-types";
import { entryHex, type WalkDimension, type WalkStep } from "./walk-step";

export type { MapOptions, PageLookup, PageTableHooks, PageTableMemory, TableFrameSource, Translation } from "./page-table-types";

interface TableInfo {
  level: number;
  firstVpn: number;
  used: number;
}

/** A page table in memory. */
export class PageTable {
  /** The layout (levels, page size, PTE format). */
  readonly layout: AddressLayout;
  /** The memory holding the tables. */
  readonly memory: PageTableMemory;
  /** Frame of the root table (the CR3 / PDBR value, as a frame number). */
  readonly rootFrame: number;
  /** Dimension label for steps. */
  dimension: WalkDimension = "native";
  private readonly frames: TableFrameSource | null;
  private readonly hooks: PageTableHooks;
  private readonly tables = new Map<number, TableInfo>();
  /** Entry writes made by this table (map, unmap, protect, table links). */
  entryWrites = 0;

  /**
   * Wraps an existing table at `rootFrame` (e.g. a loaded memory image). Pass `frames` to be
   * able to map pages that need new tables.
   */
  constructor(memory: PageTableMemory, layout: AddressLayout, rootFrame: number, frames: TableFrameSource | null = null, hooks: PageTableHooks = {}) {
    this.layout = layout;
    this.memory = memory;
    if (memory.pageSizeBytes !== layout.pageSizeBytes) {
      throw new ConfigError("memory.pageSizeBytes", memory.pageSizeBytes, `${layout.pageSizeBytes}, the page size of layout "${layout.name}"`);
    }
    this.rootFrame = requireInt("rootFrame", rootFrame, 0, memory.frameCount - layout.rootTableFrames);
    this.frames = frames;
    this.hooks = hooks;
    this.tables.set(rootFrame, { level: layout.levels, firstVpn: 0, used: this.countUsed(rootFrame, layout.levels) });
  }

  /** Allocates a zeroed root table from `frames` and returns the new, empty page table. */
  static create(memory: PageTableMemory, layout: AddressLayout, frames: TableFrameSource, hooks: PageTableHooks = {}): PageTable {
    const root = layout.rootTableFrames === 1 ? frames.allocate() : frames.allocateContiguous(layout.rootTableFrames, 1);
    for (let i = 0; i < layout.rootTableFrames; i++) memory.zeroFrame(root + i);
    const table = new PageTable(memory, layout, root, frames, hooks);
    hooks.onTableAllocated?.(root, layout.levels, 0);
    return table;
  }

  /** Number of table frames (including the root's). */
  get tableFrameCount(): number {
    return this.tables.size - 1 + this.layout.rootTableFrames;
  }

  /** Table frames and what they cover (for diagrams and the shadow pager). */
  tableFrames(): { frame: number; level: number; firstVpn: number }[] {
    return [...this.tables].map(([frame, t]) => ({ frame, level: t.level, firstVpn: t.firstVpn }));
  }

  /** What a table frame of this page table covers, or undefined if it is not one of its tables. */
  tableInfo(frame: number): { level: number; firstVpn: number } | undefined {
    const t = this.tables.get(frame);
    return t && { level: t.level, firstVpn: t.firstVpn };
  }

  private countUsed(frame: number, level: number): number {
    const d = this.layout.levels - level;
    const entries = this.layout.indexMaskAtDepth[d]! + 1;
    const size = this.layout.pte.sizeBytes;
    let used = 0;
    for (let i = 0; i < entries; i++) {
      const off = i * size;
      const f = frame + Math.floor(off / this.layout.pageSizeBytes);
      if (f >= this.memory.frameCount) break;
      if (this.memory.readEntryLo(f, off % this.layout.pageSizeBytes, size) & this.layout.presentMask) used++;
    }
    return used;
  }

  /** Frame and byte offset of the entry for `vpn` in the table at `tableFrame`, `depth`. */
  private entryLocation(tableFrame: number, depth: number, vpn: number): { frame: number; offset: number; index: number } {
    const L = this.layout;
    const index = Math.floor(vpn / L.pagesPerEntryAtDepth[depth]!) % (L.indexMaskAtDepth[depth]! + 1);
    const byte = index * L.pte.sizeBytes;
    return { frame: tableFrame + Math.floor(byte / L.pageSizeBytes), offset: byte % L.pageSizeBytes, index };
  }

  private read(frame: number, offset: number): { lo: number; hi: number } {
    const lo = this.memory.readEntryLo(frame, offset, this.layout.pte.sizeBytes) >>> 0;
    return { lo, hi: this.memory.entryHi >>> 0 };
  }

  private write(frame: number, offset: number, lo: number, hi: number): void {
    this.entryWrites++;
    this.memory.writeEntry(frame, offset, this.layout.pte.sizeBytes, lo, hi);
  }

  /**
   * Maps the page containing `vpn` to `frame`. For a large page (`level` > 1) both must be
   * aligned to the page's size in base pages. Creates missing tables; replaces an existing
   * leaf at the same level. Throws a ConfigError for a misaligned or conflicting mapping.
   */
  map(vpn: number, frame: number, options: MapOptions = {}): void {
    const L = this.layout;
    L.checkVpn("vpn", vpn);
    L.checkFrame("frame", frame);
    const level = options.level ?? 1;
    if (level !== 1 && !L.largePageLevels.includes(level)) {
      throw new ConfigError("level", level, `1${L.largePageLevels.map((l) => `, ${l}`).join("")} (leaf levels of layout "${L.name}")`);
    }
    const pages = L.pagesAtLevel(level);
    if (vpn % pages !== 0) throw new ConfigError("vpn", vpn, `a multiple of ${pages} (a level-${level} page is ${pages} base pages)`);
    if (frame % pages !== 0) throw new ConfigError("frame", frame, `a multiple of ${pages} (a level-${level} page must be aligned to its size)`);
    if (!this.frames && this.needsTables(vpn, level)) throw new ConfigError("frames", null, "a frame allocator (this page table was opened without one and needs a new table)");
    let table = this.rootFrame;
    for (let d = 0; d < L.levels - level; d++) {
      const loc = this.entryLocation(table, d, vpn);
      const { lo, hi } = this.read(loc.frame, loc.offset);
      if (lo & L.presentMask) {
        if (lo & L.largePageMask && L.leafAllowedAtDepth[d]) {
          throw new ConfigError("vpn", vpn, `a page not already inside a level-${L.levels - d} large page (unmap it first)`);
        }
        table = L.decodeFrame(lo, hi);
        continue;
      }
      const child = this.frames!.allocate();
      this.memory.zeroFrame(child);
      const childLevel = L.levels - d - 1;
      const firstVpn = vpn - (vpn % L.pagesPerEntryAtDepth[d]!);
      this.tables.set(child, { level: childLevel, firstVpn, used: 0 });
      this.hooks.onTableAllocated?.(child, childLevel, firstVpn);
      const e = L.encodeEntry({ present: true, writable: true, user: true, frame: child });
      this.write(loc.frame, loc.offset, e.lo, e.hi);
      this.tables.get(table)!.used++;
      table = child;
    }
    const d = L.levels - level;
    const loc = this.entryLocation(table, d, vpn);
    const old = this.read(loc.frame, loc.offset);
    if (old.lo & L.presentMask && level > 1 && !(old.lo & L.largePageMask)) {
      throw new ConfigError("vpn", vpn, `a range with no smaller mappings inside it (a level-${level} table is already there)`);
    }
    const e = L.encodeEntry({
      present: true,
      writable: options.writable ?? true,
      user: options.user ?? true,
      accessed: options.dirty ?? false,
      dirty: options.dirty ?? false,
      largePage: level > 1,
      frame,
    });
    this.write(loc.frame, loc.offset, e.lo, e.hi);
    if (!(old.lo & L.presentMask)) this.tables.get(table)!.used++;
  }

  private needsTables(vpn: number, level: number): boolean {
    const L = this.layout;
    let table = this.rootFrame;
    for (let d = 0; d < L.levels - level; d++) {
      const loc = this.entryLocation(table, d, vpn);
      const { lo, hi } = this.read(loc.frame, loc.offset);
      if (!(lo & L.presentMask)) return true;
      table = L.decodeFrame(lo, hi);
    }
    return false;
  }

  /** Path of (table frame, entry location) from the root to the leaf for `vpn`. */
  private path(vpn: number): { table: number; frame: number; offset: number; lo: number; hi: number; depth: number }[] {
    const L = this.layout;
    const out = [];
    let table = this.rootFrame;
    for (let d = 0; d < L.levels; d++) {
      const loc = this.entryLocation(table, d, vpn);
      const { lo, hi } = this.read(loc.frame, loc.offset);
      out.push({ table, frame: loc.frame, offset: loc.offset, lo, hi, depth: d });
      if (!(lo & L.presentMask)) break;
      if (d === L.levels - 1 || (lo & L.largePageMask && L.leafAllowedAtDepth[d])) break;
      table = L.decodeFrame(lo, hi);
      if (table >= this.memory.frameCount) break;
    }
    return out;
  }

  /**
   * Removes the mapping of the page containing `vpn`. Tables left empty are freed and their
   * parent entries cleared, as an OS does on munmap/exit. Returns the level of the removed
   * leaf, or 0 if nothing was mapped.
   */
  unmap(vpn: number): number {
    const L = this.layout;
    L.checkVpn("vpn", vpn);
    const p = this.path(vpn);
    const last = p[p.length - 1]!;
    if (!(last.lo & L.presentMask)) return 0;
    const leafLevel = L.levels - last.depth;
    this.write(last.frame, last.offset, 0, 0);
    // Walk back up, freeing tables that became empty (never the root).
    for (let i = p.length - 1; i >= 0; i--) {
      const t = p[i]!.table;
      const info = this.tables.get(t);
      if (!info) break;
      info.used--;
      if (info.used > 0 || t === this.rootFrame || i === 0) break;
      const parent = p[i - 1]!;
      this.write(parent.frame, parent.offset, 0, 0);
      this.releaseTable(t);
    }
    return leafLevel;
  }

  private releaseTable(frame: number): void {
    this.tables.delete(frame);
    this.hooks.onTableFreed?.(frame);
    this.frames?.free(frame);
  }

  /**
   * Clears the entry at `level` that covers `vpn` (a leaf or a pointer to a lower table),
   * freeing the whole subtree below it. The shadow pager uses this to drop stale shadow
   * entries. Returns true if an entry was cleared.
   */
  clearEntry(vpn: number, level: number): boolean {
    const L = this.layout;
    const p = this.path(vpn);
    const target = L.levels - level;
    const step = p[target];
    if (!step || !(step.lo & L.presentMask)) return false;
    if (level > 1 && !(step.lo & L.largePageMask && L.leafAllowedAtDepth[target])) {
      this.freeSubtree(L.decodeFrame(step.lo, step.hi));
    }
    this.write(step.frame, step.offset, 0, 0);
    const owner = this.tables.get(step.table);
    if (owner) owner.used--;
    return true;
  }

  private freeSubtree(frame: number): void {
    const info = this.tables.get(frame);
    if (!info) return;
    const L = this.layout;
    if (info.level > 1) {
      const d = L.levels - info.level;
      const entries = L.indexMaskAtDepth[d]! + 1;
      for (let i = 0; i < entries && info.used > 0; i++) {
        const { lo, hi } = this.read(frame, i * L.pte.sizeBytes);
        if (!(lo & L.presentMask)) continue;
        if (!(lo & L.largePageMask && L.leafAllowedAtDepth[d])) this.freeSubtree(L.decodeFrame(lo, hi));
      }
    }
    this.releaseTable(frame);
  }

  /**
   * Changes the writable/user bits of the leaf mapping `vpn` (and, for a hypervisor re-arming
   * dirty tracking, its accessed/dirty bits). Returns false if not mapped.
   */
  protect(vpn: number, flags: { writable?: boolean; user?: boolean; accessed?: boolean; dirty?: boolean }): boolean {
    const L = this.layout;
    L.checkVpn("vpn", vpn);
    const p = this.path(vpn);
    const last = p[p.length - 1]!;
    if (!(last.lo & L.presentMask)) return false;
    const f = L.decodeEntry(last.lo, last.hi);
    const e = L.encodeEntry({ ...f, writable: flags.writable ?? f.writable, user: flags.user ?? f.user, accessed: flags.accessed ?? f.accessed, dirty: flags.dirty ?? f.dirty });
    this.write(last.frame, last.offset, e.lo, e.hi);
    return true;
  }

  /** The table frames a walk of `vpn` reads, root first (as far as the walk goes). */
  pathTables(vpn: number): number[] {
    return this.path(vpn).map((s) => s.table);
  }

  /** Looks up `vpn` without recording steps. */
  lookup(vpn: number): PageLookup {
    const L = this.layout;
    const p = this.path(vpn);
    const last = p[p.length - 1]!;
    const level = L.levels - last.depth;
    if (!(last.lo & L.presentMask)) return { present: false, frame: -1, level, writable: false, user: false, accessed: false, dirty: false };
    const base = L.decodeFrame(last.lo, last.hi);
    const within = vpn % L.pagesPerEntryAtDepth[last.depth]!;
    return {
      present: true,
      frame: base + within,
      level,
      writable: L.writableMask === 0 || (last.lo & L.writableMask) !== 0,
      user: L.userMask === 0 || (last.lo & L.userMask) !== 0,
      accessed: (last.lo & L.accessedMask) !== 0,
      dirty: (last.lo & L.dirtyMask) === L.dirtyMask,
    };
  }

  /**
   * Sets the accessed bit of every entry on the path to `vpn`'s leaf and, with `dirty`, the
   * leaf's dirty bit: what the hardware walker does (SDM Vol. 3A §4.8), and what a
   * shadow-paging hypervisor does for the guest when it walks the guest's table in software
   * (KVM: FNAME(update_accessed_dirty_bits), arch/x86/kvm/mmu/paging_tmpl.h). The writes go
   * through `via` (a view of the same memory that does not trap) and are not counted as the
   * kernel's entry writes. Returns false if `vpn` is not mapped.
   */
  markAccessed(vpn: number, dirty: boolean, via: PageTableMemory = this.memory): boolean {
    const L = this.layout;
    const p = this.path(vpn);
    const last = p[p.length - 1]!;
    if (!(last.lo & L.presentMask)) return false;
    for (const step of p) {
      const want = (step.lo | L.accessedMask | (step === last && dirty ? L.dirtyMask : 0)) >>> 0;
      if (want !== step.lo >>> 0) via.writeEntry(step.frame, step.offset, L.pte.sizeBytes, want, step.hi);
    }
    return true;
  }

  /** Walks `vpn` and returns every entry read, root first. */
  walkSteps(vpn: number): WalkStep[] {
    const L = this.layout;
    L.checkVpn("vpn", vpn);
    return this.path(vpn).map((s) => {
      const level = L.levels - s.depth;
      const present = (s.lo & L.presentMask) !== 0;
      return {
        dimension: this.dimension,
        level,
        tableFrame: s.table,
        tableAddress: s.table * L.pageSizeBytes,
        index: Math.floor(vpn / L.pagesPerEntryAtDepth[s.depth]!) % (L.indexMaskAtDepth[s.depth]! + 1),
        entryAddress: s.frame * L.pageSizeBytes + s.offset,
        entryValue: s.hi * 4294967296 + s.lo,
        entryHex: entryHex(s.lo, s.hi),
        present,
        leaf: present && (level === 1 || ((s.lo & L.largePageMask) !== 0 && L.leafAllowedAtDepth[s.depth] === 1)),
      };
    });
  }

  /**
   * Translates a virtual address (number, bigint or hex string), returning the physical
   * address or the level that faulted, and the steps. A fault is a result, not an exception.
   */
  translate(address: number | bigint | string): Translation {
    const { vpn, offset } = this.layout.splitVirtualAddress(address);
    const steps = this.walkSteps(vpn);
    const r = this.lookup(vpn);
    if (!r.present) {
      return { ok: false, physicalAddress: -1, vpn, offset, frame: -1, level: r.level, fault: `entry not present at level ${r.level}`, steps };
    }
    return { ok: true, physicalAddress: r.frame * this.layout.pageSizeBytes + offset, vpn, offset, frame: r.frame, level: r.level, fault: "", steps };
  }

  /** Calls `fn` for every leaf mapping (VPN of the page start, frame, level, writable). */
  forEachMapping(fn: (vpn: number, frame: number, level: number, writable: boolean) => void): void {
    const L = this.layout;
    const visit = (table: number, d: number, firstVpn: number) => {
      const entries = L.indexMaskAtDepth[d]! + 1;
      const size = L.pte.sizeBytes;
      for (let i = 0; i < entries; i++) {
        const byte = i * size;
        const f = table + Math.floor(byte / L.pageSizeBytes);
        const { lo, hi } = this.read(f, byte % L.pageSizeBytes);
        if (!(lo & L.presentMask)) continue;
        const vpn = firstVpn + i * L.pagesPerEntryAtDepth[d]!;
        const frame = L.decodeFrame(lo, hi);
        if (d === L.levels - 1 || (lo & L.largePageMask && L.leafAllowedAtDepth[d])) {
          fn(vpn, frame, L.levels - d, L.writableMask === 0 || (lo & L.writableMask) !== 0);
        } else if (frame < this.memory.frameCount) visit(frame, d + 1, vpn);
      }
    };
    visit(this.rootFrame, 0, 0);
  }

  /** Frees every table, the root included (process exit). No entry writes are made. */
  destroy(): void {
    for (const frame of [...this.tables.keys()]) {
      if (frame === this.rootFrame) continue;
      this.releaseTable(frame);
    }
    this.tables.clear();
    this.hooks.onTableFreed?.(this.rootFrame);
    if (this.frames) for (let i = 0; i < this.layout.rootTableFrames; i++) this.frames.free(this.rootFrame + i);
  }
}
