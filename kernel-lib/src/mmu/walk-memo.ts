/**
 * A memo of completed page walks: (page number, table roots) -> (frame, page size, entry
 * reads), valid for one content generation of physical memory.
 *
 * It is the simulator's shortcut, not a modeled cache: whoever answers a walk from it still
 * counts the walk's references, so every result and count is what the walk would give. Any
 * write to memory bumps the generation (PhysicalMemory.contentGeneration), which retires every
 * entry at once, so a changed table can never answer from the memo.
 *
 * Direct-mapped by page number. The arrays are allocated on the first store, so a machine
 * that only does traced accesses (notebook demos) does not pay for them.
 */
export class WalkMemo {
  /** Result of the last successful {@link probe}: the frame. */
  frame = 0;
  /** Result of the last successful {@link probe}: the page size as a shift in base pages. */
  leafShift = 0;
  /** Result of the last successful {@link probe}: entry reads of the walk. */
  refs = 0;
  /** Result of the last successful {@link probe}: the walk's PERM_* bits (writable, dirty). */
  perm = 0;
  private readonly size: number;
  private mask = 0;
  private key = new Float64Array(1).fill(-1);
  private generation = new Float64Array(1);
  private root = new Float64Array(1);
  private hostRoot = new Float64Array(1);
  private frames = new Float64Array(1);
  private refCounts = new Uint8Array(1);
  private shifts = new Uint8Array(1);
  private perms = new Uint8Array(1);

  /** `size`: entries, a power of two. */
  constructor(size: number) {
    this.size = size;
  }

  private slotOf(key: number): number {
    // Page numbers may exceed 2^31 (5-level layouts): the low bits of a double integer are exact.
    return key < 2147483648 ? key & this.mask : (key - Math.floor(key / this.size) * this.size) & this.mask;
  }

  /** True (result in frame, leafShift, refs) if this walk was stored in generation `generation`. */
  probe(key: number, root: number, hostRoot: number, generation: number): boolean {
    const i = this.slotOf(key);
    if (this.key[i] !== key || this.generation[i] !== generation || this.root[i] !== root || this.hostRoot[i] !== hostRoot) return false;
    this.frame = this.frames[i]!;
    this.leafShift = this.shifts[i]!;
    this.refs = this.refCounts[i]!;
    this.perm = this.perms[i]!;
    return true;
  }

  /** Remembers a successful walk (refs must fit in a byte: a 2D walk reads at most 35 entries here). */
  store(key: number, root: number, hostRoot: number, generation: number, frame: number, leafShift: number, refs: number, perm: number): void {
    if (this.mask === 0) this.allocate();
    const i = this.slotOf(key);
    this.key[i] = key;
    this.generation[i] = generation;
    this.root[i] = root;
    this.hostRoot[i] = hostRoot;
    this.frames[i] = frame;
    this.shifts[i] = leafShift;
    this.refCounts[i] = refs;
    this.perms[i] = perm;
  }

  /** Forgets everything (e.g. when the memo is asked about another layout). */
  clear(): void {
    this.key.fill(-1);
  }

  private allocate(): void {
    const n = this.size;
    this.mask = n - 1;
    this.key = new Float64Array(n).fill(-1);
    this.generation = new Float64Array(n);
    this.root = new Float64Array(n);
    this.hostRoot = new Float64Array(n);
    this.frames = new Float64Array(n);
    this.refCounts = new Uint8Array(n);
    this.shifts = new Uint8Array(n);
    this.perms = new Uint8Array(n);
  }
}
