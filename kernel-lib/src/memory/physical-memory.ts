/**
 * Physical memory as numbered frames of bytes.
 *
 * Page tables are stored here as real bytes, so a walk reads PTEs out of frames and a
 * hypervisor can write-protect the frames that hold a guest's tables. Memory is backed lazily:
 * a frame gets storage the first time something is written to it, and an untouched frame
 * reads as zeros. That lets a host model 16 GiB of memory while storing only the few thousand
 * frames that hold tables and data a lesson actually wrote.
 *
 * Entries are stored little-endian, as on x86. Reads go through typed-array views of one pool;
 * the views assume a little-endian host, which every browser and Node platform in use is.
 */
import { ConfigError, requireInt, requirePowerOfTwo } from "../core/errors";
import { wasmApi, type WasmMemory } from "../core/wasm-api";
import { CORE_BYTES } from "../mmu/wasm-layout";

/** Options for {@link PhysicalMemory}. */
export interface PhysicalMemoryOptions {
  /** Frame (page) size in bytes. */
  pageSizeBytes: number;
  /** Number of frames (the memory size is frameCount × pageSizeBytes). At most 2^26. */
  frameCount: number;
  /** A name used in error messages, e.g. "host" or "vm1 guest-physical". Default "memory". */
  name?: string;
  /**
   * Keep the frames in a WebAssembly.Memory, so that the Wasm access loop (mmu/wasm-loop.ts)
   * walks the tables in place. Where no Wasm memory can be had (no WebAssembly, or an
   * address-space limit such as the grading sandbox's), an ordinary buffer is used instead
   * and {@link PhysicalMemory.wasmMemory} is null. Default false.
   */
  wasm?: boolean;
}

/** Set once creating a Wasm memory has failed: V8 collects garbage before it gives up, so do not ask again. */
let wasmMemoryRefused = wasmApi === null;
const WASM_PAGE = 65536;

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** Physical memory: `frameCount` frames of `pageSizeBytes` bytes each, lazily backed. */
export class PhysicalMemory {
  /** Frame size in bytes. */
  readonly pageSizeBytes: number;
  /** Number of frames. */
  readonly frameCount: number;
  /** Memory size in bytes. */
  readonly sizeBytes: number;
  /** Name used in errors. */
  readonly name: string;
  /**
   * The Wasm memory holding {@link slotPlusOne} and the pool (after CORE_BYTES for the Wasm
   * loop's registers), or null for an ordinary buffer. Growing it replaces every view.
   */
  wasmMemory: WasmMemory | null = null;
  private readonly wasmGrowListeners: (() => void)[] = [];
  /** Byte offsets of {@link slotPlusOne} and of the pool in the Wasm memory (0 and 0 without one). */
  readonly slotBase: number = 0;
  readonly poolBase: number = 0;
  /** Per frame: 1 + its slot in the pool, or 0 when never written (reads as zeros). Hot path. */
  slotPlusOne: Int32Array;
  /** Byte view of the pool of backed frames. Replaced when the pool grows. */
  bytes: Uint8Array;
  /** 16-bit view of the pool. */
  u16: Uint16Array;
  /** 32-bit view of the pool (entries of 4 and 8 bytes are read through it). */
  u32: Uint32Array;
  /** Bumped whenever a frame gains or loses storage or the pool moves (walkers cache slot lookups). */
  layoutGeneration = 0;
  /**
   * Bumped on every change of content (an entry or byte written, a frame zeroed or loaded):
   * the walker's memos (mmu/walk-memo.ts) are valid only for the generation they were filled in.
   */
  contentGeneration = 0;
  /** High 32 bits of the last entry read by {@link readEntryLo} (0 for entries of 4 bytes or less). */
  entryHi = 0;
  private slotsUsed = 0;
  private readonly freeSlots: number[] = [];

  constructor(options: PhysicalMemoryOptions) {
    if (!LITTLE_ENDIAN) throw new ConfigError("platform", "big-endian", "a little-endian platform");
    this.pageSizeBytes = requirePowerOfTwo("memory.pageSizeBytes", options.pageSizeBytes, 2, 2 ** 30);
    this.frameCount = requireInt("memory.frameCount", options.frameCount, 1, 2 ** 26);
    this.sizeBytes = this.frameCount * this.pageSizeBytes;
    this.name = options.name ?? "memory";
    const initialSlots = Math.max(1, Math.min(this.frameCount, Math.ceil(65536 / this.pageSizeBytes)));
    const poolBytes = initialSlots * this.pageSizeBytes + 8;
    if (options.wasm === true && !wasmMemoryRefused) {
      // [CORE_BYTES for the Wasm loop | frame map, 4 bytes a frame | pool], all 8-byte aligned.
      const slotBase = CORE_BYTES;
      const poolBase = slotBase + Math.ceil((this.frameCount * 4) / 8) * 8;
      try {
        this.wasmMemory = new wasmApi!.Memory({ initial: Math.ceil((poolBase + poolBytes) / WASM_PAGE) });
        this.slotBase = slotBase;
        this.poolBase = poolBase;
      } catch {
        wasmMemoryRefused = true;
      }
    }
    if (this.wasmMemory === null) {
      this.slotPlusOne = new Int32Array(this.frameCount);
      this.bytes = new Uint8Array(poolBytes);
      this.u16 = new Uint16Array(this.bytes.buffer, 0, this.bytes.length >>> 1);
      this.u32 = new Uint32Array(this.bytes.buffer, 0, this.bytes.length >>> 2);
    } else {
      this.slotPlusOne = this.bytes = this.u16 = this.u32 = null as never; // set by viewWasm
      this.viewWasm();
    }
  }

  /**
   * @internal Calls `listener` after every growth of the Wasm memory, which replaces its buffer
   * (wasm-loop.ts: the TLB arrays it placed there must be made again at once, not at the next
   * run, since the code that grew the memory may go on to use the TLB).
   */
  onWasmGrow(listener: () => void): void {
    this.wasmGrowListeners.push(listener);
  }

  /** (Re)makes the views over the Wasm memory: after creating it and after every grow. */
  private viewWasm(): void {
    const buffer = this.wasmMemory!.buffer;
    const poolBytes = (buffer.byteLength - this.poolBase) & ~7;
    this.slotPlusOne = new Int32Array(buffer, this.slotBase, this.frameCount);
    this.bytes = new Uint8Array(buffer, this.poolBase, poolBytes);
    this.u16 = new Uint16Array(buffer, this.poolBase, poolBytes >>> 1);
    this.u32 = new Uint32Array(buffer, this.poolBase, poolBytes >>> 2);
  }

  /** Number of frames that have storage (were written at least once and not discarded). */
  get backedFrames(): number {
    return this.slotsUsed - this.freeSlots.length;
  }

  /** Bytes of storage in use for backed frames. */
  get backedBytes(): number {
    return this.backedFrames * this.pageSizeBytes;
  }

  /** Throws a ConfigError unless `frame` is a frame number of this memory. */
  checkFrame(field: string, frame: number): number {
    return requireInt(field, frame, 0, this.frameCount - 1);
  }

  /** Throws a ConfigError unless `address` is a byte address of this memory. */
  checkAddress(field: string, address: number): number {
    if (typeof address !== "number" || !Number.isInteger(address) || address < 0 || address >= this.sizeBytes) {
      throw new ConfigError(field, address, `a physical address from 0 to ${this.sizeBytes - 1} (${this.name}: ${this.frameCount} frames of ${this.pageSizeBytes} bytes)`);
    }
    return address;
  }

  /** True if the frame has storage. */
  isBacked(frame: number): boolean {
    return this.slotPlusOne[frame]! !== 0;
  }

  /**
   * Byte offset of the frame's storage in the pool, giving it storage if it has none.
   * Giving storage may grow the pool, which replaces {@link bytes}, {@link u16} and
   * {@link u32}: call this first and read the views afterwards. `this.bytes[this.backingOf(f)]
   * = v` evaluates `this.bytes` before the call and stores into the discarded pool (the write
   * is lost); use {@link storeByte}.
   */
  private backingOf(frame: number): number {
    let slot = this.slotPlusOne[frame]! - 1;
    if (slot < 0) {
      slot = this.freeSlots.length > 0 ? this.freeSlots.pop()! : this.slotsUsed++;
      const base = slot * this.pageSizeBytes;
      if (base + this.pageSizeBytes + 8 > this.bytes.length) this.grow(base + this.pageSizeBytes + 8);
      else this.bytes.fill(0, base, base + this.pageSizeBytes);
      this.slotPlusOne[frame] = slot + 1;
      this.layoutGeneration++;
    }
    return slot * this.pageSizeBytes;
  }

  private grow(minBytes: number): void {
    let size = this.bytes.length;
    while (size < minBytes) size *= 2;
    size = (size + 7) & ~7;
    if (this.wasmMemory !== null) {
      try {
        this.wasmMemory.grow(Math.ceil((this.poolBase + size - this.wasmMemory.buffer.byteLength) / WASM_PAGE));
        this.viewWasm();
        for (const listener of this.wasmGrowListeners) listener();
        return;
      } catch {
        // Past what a Wasm memory may hold (4 GiB): carry on in an ordinary buffer, without the Wasm loop.
        this.slotPlusOne = this.slotPlusOne.slice();
        this.wasmMemory = null;
      }
    }
    const bytes = new Uint8Array(size);
    bytes.set(this.bytes);
    this.bytes = bytes;
    this.u16 = new Uint16Array(bytes.buffer, 0, size >>> 1);
    this.u32 = new Uint32Array(bytes.buffer, 0, size >>> 2);
  }

  /**
   * Reads the low 32 bits of a `sizeBytes`-wide little-endian entry at `byteOffset` in
   * `frame`; the high 32 bits go to {@link entryHi}. Unchecked: callers pass a valid frame
   * and an aligned offset. This is the walker's hot path, so it allocates nothing.
   */
  readEntryLo(frame: number, byteOffset: number, sizeBytes: number): number {
    const slot = this.slotPlusOne[frame]! - 1;
    if (slot < 0) {
      this.entryHi = 0;
      return 0;
    }
    const at = slot * this.pageSizeBytes + byteOffset;
    if (sizeBytes === 8) {
      this.entryHi = this.u32[(at >>> 2) + 1]!;
      return this.u32[at >>> 2]!;
    }
    this.entryHi = 0;
    if (sizeBytes === 4) return this.u32[at >>> 2]!;
    if (sizeBytes === 1) return this.bytes[at]!;
    return this.u16[at >>> 1]!;
  }

  /** Writes an entry given as low/high 32-bit halves (little-endian). */
  writeEntry(frame: number, byteOffset: number, sizeBytes: number, lo: number, hi: number): void {
    const at = this.backingOf(frame) + byteOffset;
    this.contentGeneration++;
    if (sizeBytes === 8) {
      this.u32[at >>> 2] = lo;
      this.u32[(at >>> 2) + 1] = hi;
    } else if (sizeBytes === 4) this.u32[at >>> 2] = lo;
    else if (sizeBytes === 1) this.bytes[at] = lo;
    else this.u16[at >>> 1] = lo;
  }

  /**
   * Overwrites the low 32 bits of an entry the walker just read (a backed frame), without
   * starting a new content generation: the hardware setting an accessed or dirty bit. Unchecked.
   */
  setEntryLo(frame: number, byteOffset: number, sizeBytes: number, lo: number): void {
    const at = (this.slotPlusOne[frame]! - 1) * this.pageSizeBytes + byteOffset;
    if (sizeBytes >= 4) this.u32[at >>> 2] = lo;
    else if (sizeBytes === 1) this.bytes[at] = lo;
    else this.u16[at >>> 1] = lo;
  }

  /** Copies frame `from` into frame `to` (a copy-on-write break). */
  copyFrame(from: number, to: number): void {
    this.checkFrame("from", from);
    this.checkFrame("to", to);
    const src = this.slotPlusOne[from]! - 1;
    if (src < 0) {
      this.zeroFrame(to);
      return;
    }
    const dst = this.backingOf(to); // may grow the pool: read the source offset after it
    const base = (this.slotPlusOne[from]! - 1) * this.pageSizeBytes;
    this.bytes.copyWithin(dst, base, base + this.pageSizeBytes);
    this.contentGeneration++;
  }

  /** Makes a frame read as zeros again and releases its storage. */
  zeroFrame(frame: number): void {
    const slot = this.slotPlusOne[frame]! - 1;
    if (slot >= 0) {
      this.slotPlusOne[frame] = 0;
      this.freeSlots.push(slot);
      this.layoutGeneration++;
      this.contentGeneration++;
    }
  }

  /** Reads one byte at a physical address. */
  readByte(address: number): number {
    this.checkAddress("physicalAddress", address);
    const frame = Math.floor(address / this.pageSizeBytes);
    const slot = this.slotPlusOne[frame]! - 1;
    return slot < 0 ? 0 : this.bytes[slot * this.pageSizeBytes + (address % this.pageSizeBytes)]!;
  }

  /** Writes one byte at a physical address. */
  writeByte(address: number, value: number): void {
    this.checkAddress("physicalAddress", address);
    requireInt("value", value, 0, 255);
    this.storeByte(Math.floor(address / this.pageSizeBytes), address % this.pageSizeBytes, value);
  }

  /** Stores one byte at `offset` of `frame`, giving the frame storage first (unchecked). */
  private storeByte(frame: number, offset: number, value: number): void {
    const at = this.backingOf(frame); // may replace this.bytes: read the view only after this
    this.bytes[at + offset] = value;
    this.contentGeneration++;
  }

  /** Reads `length` bytes starting at a physical address (may cross frames). */
  readBytes(address: number, length: number): Uint8Array {
    const out = new Uint8Array(length);
    for (let i = 0; i < length; i++) out[i] = this.readByte(address + i);
    return out;
  }

  /** Writes bytes starting at a physical address (may cross frames). */
  writeBytes(address: number, data: ArrayLike<number>): void {
    for (let i = 0; i < data.length; i++) this.writeByte(address + i, data[i]!);
  }

  /** A copy of one frame's bytes. */
  frameBytes(frame: number): Uint8Array {
    this.checkFrame("frame", frame);
    const slot = this.slotPlusOne[frame]! - 1;
    if (slot < 0) return new Uint8Array(this.pageSizeBytes);
    return this.bytes.slice(slot * this.pageSizeBytes, (slot + 1) * this.pageSizeBytes);
  }

  /** Fills one frame with `data` (exactly one page of bytes). */
  loadFrame(frame: number, data: ArrayLike<number>): void {
    this.checkFrame("frame", frame);
    if (data.length !== this.pageSizeBytes) {
      throw new ConfigError(`image[${frame}].length`, data.length, `exactly ${this.pageSizeBytes} bytes (one page)`);
    }
    const base = this.backingOf(frame);
    this.contentGeneration++;
    if (data instanceof Uint8Array) {
      this.bytes.set(data, base); // every element of a Uint8Array is a byte: nothing to check
      return;
    }
    for (let i = 0; i < data.length; i++) {
      const v = data[i]!;
      if (!Number.isInteger(v) || v < 0 || v > 255) throw new ConfigError(`image[${frame}][${i}]`, v, "a byte from 0 to 255");
      this.bytes[base + i] = v;
    }
  }

  /**
   * Loads a memory image: either one byte array of the whole memory (a multiple of the page
   * size) or an array of per-frame byte arrays starting at frame 0 (a textbook memory dump).
   */
  loadImage(image: ArrayLike<number> | ArrayLike<ArrayLike<number>>): void {
    if (image.length > 0 && typeof image[0] !== "number") {
      const frames = image as ArrayLike<ArrayLike<number>>;
      if (frames.length > this.frameCount) throw new ConfigError("image.length", frames.length, `at most ${this.frameCount} frames`);
      for (let f = 0; f < frames.length; f++) this.loadFrame(f, frames[f]!);
      return;
    }
    const bytes = image as ArrayLike<number>;
    if (bytes.length % this.pageSizeBytes !== 0 || bytes.length > this.sizeBytes) {
      throw new ConfigError("image.length", bytes.length, `a multiple of ${this.pageSizeBytes} bytes up to ${this.sizeBytes}`);
    }
    for (let f = 0; f < bytes.length / this.pageSizeBytes; f++) {
      const page = Array.prototype.slice.call(bytes, f * this.pageSizeBytes, (f + 1) * this.pageSizeBytes) as number[];
      if (page.some((b) => b !== 0)) this.loadFrame(f, page);
    }
  }
}
