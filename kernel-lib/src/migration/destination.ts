/**
 * The destination host's copy of the migrating VM's memory: what has arrived, page by page.
 * Only pages holding data are stored (a page never written reads as zeros on both hosts), but
 * every page sent counts in full on the link.
 */
export class DestinationMemory {
  private readonly frames = new Map<number, Uint8Array>();
  /** Pages received so far (a page sent twice counts twice). */
  pagesReceived = 0;

  constructor(
    /** Guest-physical pages of the VM. */
    readonly pages: number,
  ) {}

  /** Page `g` arrives with `content` (null: all zeros). */
  receive(g: number, content: Uint8Array | null): void {
    this.pagesReceived++;
    if (content === null) this.frames.delete(g);
    else this.frames.set(g, content);
  }

  /** The bytes of page `g` (null: all zeros). */
  content(g: number): Uint8Array | null {
    return this.frames.get(g) ?? null;
  }

  /**
   * Guest pages whose bytes differ from `source` (a function giving the source's bytes of a page,
   * null for zeros), ascending. Empty when the copy is exact.
   */
  differences(source: (g: number) => Uint8Array | null): number[] {
    const out: number[] = [];
    for (let g = 0; g < this.pages; g++) {
      const a = source(g), b = this.frames.get(g) ?? null;
      if (a === null && b === null) continue;
      if (a === null || b === null ? !isZero(a ?? b!) : !equal(a, b)) out.push(g);
    }
    return out;
  }
}

function isZero(a: Uint8Array): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== 0) return false;
  return true;
}

function equal(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
