/**
 * Host swapping: the hypervisor's last resort. It writes a guest page to its own swap device and
 * takes the host frame back, without asking the guest: it cannot know which pages the guest
 * values, so it picks at random (as ESX does, figure O5), and may evict a hot page. The next
 * touch is an EPT violation that reads the page back (a host swap-in).
 *
 * The double-paging problem (a classic of nested paging: the term is recalled from Goldberg &
 * Hassinger, 1974, figure O8, not checked): the host swaps a
 * page out; later the guest, short of memory, picks the same page to page out to *its* swap
 * disk. To write it, the guest must read it, so the host first reads it back in from its swap,
 * only for the guest to write it out again and free it. {@link HostSwap.doublePagingReads}
 * counts those reads.
 */

/** The host's swap device: page contents by VM and guest frame (null: a page of zeros). */
export class HostSwap {
  private readonly slots = new Map<number, Map<number, Uint8Array | null>>();
  /** Pages written to the swap device. */
  swapOuts = 0;
  /** Pages read back on a guest touch. */
  swapIns = 0;
  /** Swap-ins caused by the guest reading a page to page it out itself (double paging). */
  doublePagingReads = 0;
  /** Swapped pages dropped without a read (the guest gave the frame to its balloon). */
  dropped = 0;

  /** Stores a page. */
  put(vmId: number, guestFrame: number, bytes: Uint8Array | null): void {
    let m = this.slots.get(vmId);
    if (!m) this.slots.set(vmId, (m = new Map()));
    m.set(guestFrame, bytes);
    this.swapOuts++;
  }

  /** True if the page is on the swap device. */
  has(vmId: number, guestFrame: number): boolean {
    return this.slots.get(vmId)?.has(guestFrame) ?? false;
  }

  /** Reads a page back and frees its slot; `forGuestPageOut` marks a double-paging read. */
  take(vmId: number, guestFrame: number, forGuestPageOut = false): Uint8Array | null {
    const m = this.slots.get(vmId)!;
    const bytes = m.get(guestFrame) ?? null;
    m.delete(guestFrame);
    this.swapIns++;
    if (forGuestPageOut) this.doublePagingReads++;
    return bytes;
  }

  /** Forgets a page (its guest frame was ballooned: its contents are garbage to the guest). */
  drop(vmId: number, guestFrame: number): void {
    if (this.slots.get(vmId)?.delete(guestFrame)) this.dropped++;
  }

  /** Pages on the swap device now. */
  get pages(): number {
    let n = 0;
    for (const m of this.slots.values()) n += m.size;
    return n;
  }
}
