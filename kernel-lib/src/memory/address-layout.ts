/**
 * Address layouts and page-table-entry (PTE) formats.
 *
 * A layout says how a virtual address splits into table indices and a page offset, how big a
 * page and a PTE are, and where each bit of a PTE lives. The same description drives the
 * software page table (map/unmap/walk), the hardware walker in `mmu/` and the textbook
 * exercises, so a student's hand translation and the simulator agree by construction.
 *
 * Levels are numbered the x86 way: the root is level `levels`, the last table (the one whose
 * entries map 4 KiB pages on x86) is level 1. A leaf at level 2 maps a 2 MiB page, at level 3
 * a 1 GiB page (Intel SDM Vol. 3A §4.5).
 *
 * Virtual page numbers (VPNs) are kept as JavaScript numbers: a 57-bit address has a 45-bit
 * VPN, well inside the 2^53 a double holds exactly, so no BigInt is needed per access. Only
 * whole addresses above 2^53 need BigInt, and only at the edges (parsing, display).
 */
import { ConfigError, requireInt, requirePowerOfTwo } from "../core/errors";

/** Where the fields of a page-table entry live. Bit numbers count from 0 (least significant). */
export interface PteFormatSpec {
  /** Size of one entry in bytes: 1, 2, 4 or 8. */
  sizeBytes: number;
  /** The present/valid bit; an entry without it maps nothing. */
  presentBit: number;
  /** The writable bit, if the format has one. */
  writableBit?: number;
  /** The user/supervisor bit, if the format has one. */
  userBit?: number;
  /** The accessed bit, if the format has one (set by the walker in every entry a walk uses). */
  accessedBit?: number;
  /** The dirty bit, if the format has one (set by the walker in the leaf on a write). */
  dirtyBit?: number;
  /** The page-size bit that makes an upper-level entry a large-page leaf (PS on x86). */
  largePageBit?: number;
  /** Lowest bit of the frame-number field. */
  frameShift: number;
  /** Width of the frame-number field in bits. */
  frameBits: number;
}

/** Everything needed to build an {@link AddressLayout}. */
export interface AddressLayoutSpec {
  /** A name for tables and charts, e.g. "x86-64 4-level". */
  name: string;
  /** Page size in bytes (a power of two). */
  pageSizeBytes: number;
  /** Index bits per level, root first, e.g. [9, 9, 9, 9] for x86-64 4-level paging. */
  indexBits: number[];
  /** Virtual address width; must equal the index bits plus the offset bits. */
  virtualAddressBits: number;
  /** Physical address width; the frame field must be wide enough for it. */
  physicalAddressBits: number;
  /** The entry format, shared by every level. */
  pte: PteFormatSpec;
  /** Levels (1 = last) whose entries may be large-page leaves, e.g. [2, 3] for 2 MiB and 1 GiB. */
  largePageLevels?: number[];
}

/**
 * A validated address layout with the derived numbers the walker needs. Arrays indexed by
 * `depth` run root first (depth 0 is level `levels`).
 */
export class AddressLayout {
  /** The name given in the spec. */
  readonly name: string;
  /** Page size in bytes. */
  readonly pageSizeBytes: number;
  /** log2 of the page size: the number of offset bits. */
  readonly offsetBits: number;
  /** Number of table levels. */
  readonly levels: number;
  /** Index bits per depth, root first. */
  readonly indexBits: readonly number[];
  /** Virtual address width in bits. */
  readonly virtualAddressBits: number;
  /** Physical address width in bits. */
  readonly physicalAddressBits: number;
  /** Bits in a virtual page number. */
  readonly vpnBits: number;
  /** Number of virtual pages (2^vpnBits). */
  readonly virtualPages: number;
  /** Number of physical frames the PTE format can name (2^(physicalAddressBits - offsetBits)). */
  readonly physicalFrames: number;
  /** The entry format. */
  readonly pte: Readonly<Required<PteFormatSpec>>;
  /** Levels that may hold large-page leaves (level 1 always holds leaves). */
  readonly largePageLevels: readonly number[];
  /** Per depth: how many VPN bits lie below this level's index (the index's shift in the VPN). */
  readonly vpnShiftAtDepth: Int32Array;
  /** Per depth: mask of this level's index. */
  readonly indexMaskAtDepth: Int32Array;
  /** Per depth: 1 if an entry at this depth may be a leaf. */
  readonly leafAllowedAtDepth: Uint8Array;
  /** Per depth: base pages covered by one entry (2^vpnShiftAtDepth). */
  readonly pagesPerEntryAtDepth: Float64Array;
  /** Bytes in the root table (may span several contiguous frames in a linear table). */
  readonly rootTableBytes: number;
  /** Frames the root table occupies. */
  readonly rootTableFrames: number;
  /** Masks and shifts that decode the frame field without BigInt (see decodeFrame). */
  readonly frameLowShift: number;
  /** Mask of the frame bits found in the low 32 bits of an entry (after shifting). */
  readonly frameLowMask: number;
  /** Mask of the frame bits found in the high 32 bits of an entry. */
  readonly frameHighMask: number;
  /** Multiplier placing the high frame bits above the low ones. */
  readonly frameHighScale: number;
  /** Present-bit mask within the low 32 bits. */
  readonly presentMask: number;
  /** Large-page-bit mask within the low 32 bits (0 if the format has none). */
  readonly largePageMask: number;
  /** Writable-bit mask (0 if the format has none). */
  readonly writableMask: number;
  /** User-bit mask (0 if the format has none). */
  readonly userMask: number;
  /** Accessed-bit mask (0 if the format has none): the walker sets it in every entry it uses. */
  readonly accessedMask: number;
  /** Dirty-bit mask (0 if the format has none): the walker sets it in the leaf on a write. */
  readonly dirtyMask: number;

  constructor(spec: AddressLayoutSpec) {
    if (spec === null || typeof spec !== "object") throw new ConfigError("layout", spec, "an AddressLayoutSpec object");
    this.name = typeof spec.name === "string" && spec.name ? spec.name : "custom";
    this.pageSizeBytes = requirePowerOfTwo("layout.pageSizeBytes", spec.pageSizeBytes, 2, 2 ** 30);
    this.offsetBits = Math.log2(this.pageSizeBytes);
    if (!Array.isArray(spec.indexBits) || spec.indexBits.length < 1 || spec.indexBits.length > 6) {
      throw new ConfigError("layout.indexBits", spec.indexBits, "an array of 1 to 6 per-level index widths, root first");
    }
    spec.indexBits.forEach((b, i) => requireInt(`layout.indexBits[${i}]`, b, 1, 20));
    this.indexBits = spec.indexBits.slice();
    this.levels = this.indexBits.length;
    this.vpnBits = this.indexBits.reduce((a, b) => a + b, 0);
    const vaBits = requireInt("layout.virtualAddressBits", spec.virtualAddressBits, 2, 64);
    if (this.vpnBits + this.offsetBits !== vaBits) {
      throw new ConfigError(
        "layout.virtualAddressBits",
        vaBits,
        `the index bits (${this.indexBits.join("+")} = ${this.vpnBits}) plus the offset bits (${this.offsetBits}) = ${this.vpnBits + this.offsetBits}`,
      );
    }
    if (this.vpnBits > 52) throw new ConfigError("layout.indexBits", spec.indexBits, "at most 52 VPN bits in total (VPNs are exact doubles)");
    this.virtualAddressBits = vaBits;
    this.virtualPages = 2 ** this.vpnBits;
    const pte = spec.pte;
    if (pte === null || typeof pte !== "object") throw new ConfigError("layout.pte", pte, "a PteFormatSpec object");
    const sizeBytes = requireInt("layout.pte.sizeBytes", pte.sizeBytes, 1, 8);
    if (![1, 2, 4, 8].includes(sizeBytes)) throw new ConfigError("layout.pte.sizeBytes", sizeBytes, "1, 2, 4 or 8");
    const entryBits = sizeBytes * 8;
    const flagLimit = Math.min(entryBits, 32) - 1;
    const flag = (name: keyof PteFormatSpec, required: boolean): number => {
      const v = pte[name];
      if (v === undefined && !required) return -1;
      return requireInt(`layout.pte.${name}`, v, 0, flagLimit);
    };
    const presentBit = flag("presentBit", true);
    const writableBit = flag("writableBit", false);
    const userBit = flag("userBit", false);
    const accessedBit = flag("accessedBit", false);
    const dirtyBit = flag("dirtyBit", false);
    const largePageBit = flag("largePageBit", false);
    const frameShift = requireInt("layout.pte.frameShift", pte.frameShift, 0, entryBits - 1);
    const frameBits = requireInt("layout.pte.frameBits", pte.frameBits, 1, Math.min(52, entryBits - frameShift));
    const flags = { presentBit, writableBit, userBit, accessedBit, dirtyBit, largePageBit };
    const seen = new Set<number>();
    for (const [name, bit] of Object.entries(flags)) {
      if (bit < 0) continue;
      if (bit >= frameShift && bit < frameShift + frameBits) {
        throw new ConfigError(`layout.pte.${name}`, bit, `a bit outside the frame field (bits ${frameShift}..${frameShift + frameBits - 1})`);
      }
      if (seen.has(bit)) throw new ConfigError(`layout.pte.${name}`, bit, "a bit no other flag uses");
      seen.add(bit);
    }
    if (frameShift < 32 && frameShift + frameBits > 32 && sizeBytes < 8) {
      throw new ConfigError("layout.pte.frameBits", frameBits, `at most ${32 - frameShift} for a ${sizeBytes}-byte entry`);
    }
    this.pte = { sizeBytes, presentBit, writableBit, userBit, accessedBit, dirtyBit, largePageBit, frameShift, frameBits };
    this.physicalAddressBits = requireInt("layout.physicalAddressBits", spec.physicalAddressBits, this.offsetBits + 1, 64);
    const frameNumberBits = this.physicalAddressBits - this.offsetBits;
    if (frameNumberBits > frameBits) {
      throw new ConfigError(
        "layout.physicalAddressBits",
        this.physicalAddressBits,
        `at most ${frameBits + this.offsetBits} (frame field of ${frameBits} bits + ${this.offsetBits} offset bits)`,
      );
    }
    this.physicalFrames = 2 ** frameNumberBits;

    // Tables below the root must fill exactly one page: that is what makes the walk's
    // "next table = frame number × page size" arithmetic work.
    for (let d = 1; d < this.levels; d++) {
      const bytes = 2 ** this.indexBits[d]! * sizeBytes;
      if (bytes !== this.pageSizeBytes) {
        throw new ConfigError(
          `layout.indexBits[${d}]`,
          this.indexBits[d],
          `${Math.log2(this.pageSizeBytes / sizeBytes)} (a non-root table of 2^bits entries × ${sizeBytes} bytes must fill one ${this.pageSizeBytes}-byte page)`,
        );
      }
    }
    this.rootTableBytes = 2 ** this.indexBits[0]! * sizeBytes;
    this.rootTableFrames = Math.max(1, Math.ceil(this.rootTableBytes / this.pageSizeBytes));

    const large = spec.largePageLevels ?? [];
    if (!Array.isArray(large)) throw new ConfigError("layout.largePageLevels", large, "an array of level numbers");
    for (const [i, l] of large.entries()) {
      requireInt(`layout.largePageLevels[${i}]`, l, 2, Math.max(2, this.levels - 1));
      if (largePageBit < 0) throw new ConfigError("layout.pte.largePageBit", undefined, "a bit number when largePageLevels is set");
    }
    this.largePageLevels = [...new Set(large)].sort((a, b) => a - b);

    this.vpnShiftAtDepth = new Int32Array(this.levels);
    this.indexMaskAtDepth = new Int32Array(this.levels);
    this.leafAllowedAtDepth = new Uint8Array(this.levels);
    this.pagesPerEntryAtDepth = new Float64Array(this.levels);
    let shift = 0;
    for (let d = this.levels - 1; d >= 0; d--) {
      this.vpnShiftAtDepth[d] = shift;
      this.indexMaskAtDepth[d] = 2 ** this.indexBits[d]! - 1;
      this.pagesPerEntryAtDepth[d] = 2 ** shift;
      const level = this.levels - d;
      this.leafAllowedAtDepth[d] = level === 1 || this.largePageLevels.includes(level) ? 1 : 0;
      if (level > 1 && this.leafAllowedAtDepth[d] && shift > 30) {
        throw new ConfigError("layout.largePageLevels", large, "levels whose pages span at most 2^30 base pages");
      }
      shift += this.indexBits[d]!;
    }

    // Frame decode: frame = ((lo >>> frameLowShift) & frameLowMask) + (hi & frameHighMask) * frameHighScale.
    if (frameShift >= 32) {
      this.frameLowShift = 0;
      this.frameLowMask = 0;
      this.frameHighMask = mask32(frameBits) << (frameShift - 32);
      this.frameHighScale = 2 ** -(frameShift - 32);
    } else {
      const lowBits = Math.min(frameBits, 32 - frameShift);
      this.frameLowShift = frameShift;
      this.frameLowMask = mask32(lowBits);
      this.frameHighMask = mask32(frameBits - lowBits);
      this.frameHighScale = 2 ** lowBits;
    }
    this.presentMask = 1 << presentBit >>> 0;
    this.largePageMask = largePageBit >= 0 ? (1 << largePageBit) >>> 0 : 0;
    this.writableMask = writableBit >= 0 ? (1 << writableBit) >>> 0 : 0;
    this.userMask = userBit >= 0 ? (1 << userBit) >>> 0 : 0;
    this.accessedMask = accessedBit >= 0 ? (1 << accessedBit) >>> 0 : 0;
    this.dirtyMask = dirtyBit >= 0 ? (1 << dirtyBit) >>> 0 : 0;
  }

  /** Depth (0 = root) of a level number (1 = last table). */
  depthOfLevel(level: number): number {
    requireInt("level", level, 1, this.levels);
    return this.levels - level;
  }

  /** Base pages covered by a leaf at `level` (1 for level 1, 512 for an x86 2 MiB leaf). */
  pagesAtLevel(level: number): number {
    return this.pagesPerEntryAtDepth[this.depthOfLevel(level)]!;
  }

  /** Bytes covered by a leaf at `level` (4096, 2 MiB, 1 GiB on x86-64). */
  pageBytesAtLevel(level: number): number {
    return this.pagesAtLevel(level) * this.pageSizeBytes;
  }

  /** The leaf level whose pages are `pageSizeBytes` big; throws if this layout has no such leaf. */
  levelForPageSize(pageSizeBytes: number, field = "pageSizeBytes"): number {
    for (let level = 1; level <= this.levels; level++) {
      if (level > 1 && !this.largePageLevels.includes(level)) continue;
      if (this.pageBytesAtLevel(level) === pageSizeBytes) return level;
    }
    const allowed = [1, ...this.largePageLevels].map((l) => this.pageBytesAtLevel(l));
    throw new ConfigError(field, pageSizeBytes, `a page size of layout "${this.name}": ${allowed.join(", ")}`);
  }

  /** Table index of `vpn` at `level`. */
  indexAt(vpn: number, level: number): number {
    const d = this.depthOfLevel(level);
    return Math.floor(vpn / this.pagesPerEntryAtDepth[d]!) % (this.indexMaskAtDepth[d]! + 1);
  }

  /** Decodes the frame field of an entry given as low and high 32-bit halves. */
  decodeFrame(lo: number, hi: number): number {
    return ((lo >>> this.frameLowShift) & this.frameLowMask) + ((hi & this.frameHighMask) >>> 0) * this.frameHighScale;
  }

  /** Checks a virtual page number; throws a ConfigError naming `field` if out of range. */
  checkVpn(field: string, vpn: number): number {
    if (typeof vpn !== "number" || !Number.isInteger(vpn) || vpn < 0 || vpn >= this.virtualPages) {
      throw new ConfigError(field, vpn, `a virtual page number from 0 to 2^${this.vpnBits} - 1 (layout "${this.name}")`);
    }
    return vpn;
  }

  /** Checks a frame number; throws a ConfigError naming `field` if the PTE cannot hold it. */
  checkFrame(field: string, frame: number): number {
    if (typeof frame !== "number" || !Number.isInteger(frame) || frame < 0 || frame >= this.physicalFrames) {
      throw new ConfigError(field, frame, `a frame number from 0 to 2^${this.physicalAddressBits - this.offsetBits} - 1 (layout "${this.name}")`);
    }
    return frame;
  }

  /**
   * Splits a virtual address into VPN and offset. Accepts a number (exact below 2^53), a
   * bigint, or a hex string like "0x1ff000"; addresses above 2^53 need a bigint or a string.
   */
  splitVirtualAddress(address: number | bigint | string, field = "virtualAddress"): { vpn: number; offset: number } {
    let big: bigint;
    if (typeof address === "bigint") big = address;
    else if (typeof address === "number") {
      if (!Number.isSafeInteger(address) || address < 0) {
        throw new ConfigError(field, address, "a non-negative integer below 2^53 (use a bigint or a hex string above that)");
      }
      big = BigInt(address);
    } else if (typeof address === "string" && /^(0x[0-9a-f]+|[0-9]+)$/i.test(address.trim())) big = BigInt(address.trim());
    else throw new ConfigError(field, address, "a number, a bigint or a hex string such as \"0x7fff0000\"");
    if (big < 0n || big >= 1n << BigInt(this.virtualAddressBits)) {
      const bits = BigInt(this.virtualAddressBits);
      // x86-64 kernels live in the "canonical" upper half: bits 63..n-1 all ones.
      const upperHalf = big < 1n << 64n && big >> (bits - 1n) === (1n << (65n - bits)) - 1n;
      const hint = upperHalf ? `; this is an upper-half canonical address (sign-extended from bit ${this.virtualAddressBits - 1}): the simulated address space counts from 0, so keep its low ${this.virtualAddressBits} bits (address & (2^${this.virtualAddressBits} - 1))` : "";
      throw new ConfigError(field, address, `an address from 0 to 2^${this.virtualAddressBits} - 1 (layout "${this.name}")${hint}`);
    }
    return { vpn: Number(big >> BigInt(this.offsetBits)), offset: Number(big & BigInt(this.pageSizeBytes - 1)) };
  }

  /** Joins a page number and offset into an address (a bigint, exact at any width). */
  joinAddress(pageNumber: number, offset: number): bigint {
    return (BigInt(pageNumber) << BigInt(this.offsetBits)) | BigInt(offset);
  }

  /** Encodes an entry as low/high 32-bit halves (software path, not per access). */
  encodeEntry(entry: PteFields): { lo: number; hi: number } {
    const p = this.pte;
    let lo = 0;
    let hi = 0;
    const set = (bit: number, on: boolean | undefined) => {
      if (bit >= 0 && on) lo = (lo | (1 << bit)) >>> 0;
    };
    set(p.presentBit, entry.present);
    set(p.writableBit, entry.writable);
    set(p.userBit, entry.user);
    set(p.accessedBit, entry.accessed);
    set(p.dirtyBit, entry.dirty);
    set(p.largePageBit, entry.largePage);
    // Place the frame bits without BigInt: split at bit 32 of the entry.
    const frame = entry.frame;
    if (p.frameShift >= 32) {
      hi = (hi | ((frame << (p.frameShift - 32)) >>> 0)) >>> 0;
    } else {
      const lowBits = Math.min(p.frameBits, 32 - p.frameShift);
      const low = frame % 2 ** lowBits;
      const high = Math.floor(frame / 2 ** lowBits);
      lo = (lo | ((low * 2 ** p.frameShift) >>> 0)) >>> 0;
      hi = (hi | high) >>> 0;
    }
    return { lo, hi };
  }

  /** Decodes an entry given as low/high halves into named fields. */
  decodeEntry(lo: number, hi = 0): PteFields {
    const p = this.pte;
    const bit = (b: number) => b >= 0 && ((lo >>> b) & 1) === 1;
    return {
      present: bit(p.presentBit),
      writable: bit(p.writableBit),
      user: bit(p.userBit),
      accessed: bit(p.accessedBit),
      dirty: bit(p.dirtyBit),
      largePage: bit(p.largePageBit),
      frame: this.decodeFrame(lo, hi),
    };
  }
}

/** The fields of one page-table entry. */
export interface PteFields {
  /** Present/valid bit. */
  present: boolean;
  /** Frame number (of the next table, or of the page for a leaf), in base-page units. */
  frame: number;
  /** Writable bit (false if the format lacks it). */
  writable?: boolean;
  /** User bit. */
  user?: boolean;
  /** Accessed bit. */
  accessed?: boolean;
  /** Dirty bit. */
  dirty?: boolean;
  /** Page-size bit: this upper-level entry is a large-page leaf. */
  largePage?: boolean;
}

function mask32(bits: number): number {
  return bits >= 32 ? 0xffffffff : bits <= 0 ? 0 : 2 ** bits - 1;
}
