/**
 * Content-based page sharing, as a KSM-style scanner (Waldspurger §4, figures O1–O2; Linux KSM,
 * figure O8): a background scan, `pagesPerTick` pages at a time, hashes each
 * private resident guest page. A hash that matches a shared page, or a page seen earlier (a
 * "hint"), is followed by a full byte compare (a hash only says "maybe"); equal pages are
 * merged: every VM's EPT/NPT entry points at one host frame, read-only, and the copies are
 * freed. A later write to it takes the ordinary write-protect EPT violation, and the hypervisor
 * gives the writer its own copy (copy-on-write, `breakSharing` in overcommit-host.ts), so no VM
 * ever sees another's write.
 *
 * Simplifications: pages are scanned in order (ESX scans at random, KSM in order of address);
 * guest page-table pages are not shared; a hint whose page changed since it was hashed fails the
 * compare and is replaced.
 */
import { ConfigError } from "../core/errors";
import { FrameAllocator } from "../memory/frame-allocator";

/** FNV-1a over a page's bytes, folded to 32 bits. The zero page has hash {@link ZERO_PAGE_HASH}. */
export function pageHash(bytes: Uint8Array | null): number {
  if (bytes === null) return ZERO_PAGE_HASH;
  let h = 0x811c9dc5;
  let zero = true;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (b !== 0) zero = false;
    h = Math.imul(h ^ b, 0x01000193);
  }
  return zero ? ZERO_PAGE_HASH : h >>> 0;
}

/** The hash every all-zero page gets (an unwritten, lazily backed frame reads as zeros). */
export const ZERO_PAGE_HASH = 0;

/** Shared frames: the scanner's pool of host frames, with reference counts and the hash index. */
export class SharedPages {
  /** Reference count per shared host frame. */
  private readonly refs = new Map<number, number>();
  /** Hash → shared host frame (KSM's stable tree). */
  readonly stable = new Map<number, number>();
  /** Shared frame → its hash. */
  private readonly hashOf = new Map<number, number>();
  /** Hash → a page seen once, not yet shared (KSM's unstable tree; ESX's hint frames). */
  readonly hints = new Map<number, { vm: number; guestFrame: number }>();
  private readonly pool: FrameAllocator;
  /** Merges done (a guest page mapped to a shared frame). */
  merges = 0;
  /** Copy-on-write breaks (a write to a shared page). */
  cowBreaks = 0;
  /** Pages hashed by the scanner. */
  scanned = 0;
  /** Full compares made (after a hash match). */
  compares = 0;
  /** Full compares that failed (a hint that had changed, or a hash collision). */
  compareMisses = 0;

  constructor(firstFrame: number, frameCount: number) {
    this.pool = new FrameAllocator(firstFrame, frameCount, "sharedPages");
  }

  /** Shared host frames in use (each holds one copy of a page several VMs map). */
  get frames(): number {
    return this.refs.size;
  }

  /** Guest pages mapped to shared frames. */
  get mappings(): number {
    let n = 0;
    for (const r of this.refs.values()) n += r;
    return n;
  }

  /** A new shared frame for a page with hash `hash`, with no mappings yet. */
  create(hash: number): number {
    if (this.pool.freeFrames === 0) throw new ConfigError("sharedPages", this.pool.frameCount, "more frames for shared pages (raise the host's sharedPoolPages)");
    const f = this.pool.allocate();
    this.refs.set(f, 0);
    this.stable.set(hash, f);
    this.hashOf.set(f, hash);
    return f;
  }

  /** One more guest page maps `frame`. */
  addRef(frame: number): void {
    this.refs.set(frame, this.refs.get(frame)! + 1);
    this.merges++;
  }

  /** One guest page stopped mapping `frame`; returns true if the frame was freed (no mappings left). */
  release(frame: number): boolean {
    const r = this.refs.get(frame)! - 1;
    if (r > 0) {
      this.refs.set(frame, r);
      return false;
    }
    this.refs.delete(frame);
    const h = this.hashOf.get(frame)!;
    this.hashOf.delete(frame);
    if (this.stable.get(h) === frame) this.stable.delete(h);
    this.pool.free(frame);
    return true;
  }

  /** References of a shared frame (0 if it is not one). */
  refCount(frame: number): number {
    return this.refs.get(frame) ?? 0;
  }
}
