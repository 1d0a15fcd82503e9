/**
 * A preallocated buffer of walk steps. The walker records into typed arrays only when a
 * caller asked for steps, so the per-access path never allocates; {@link WalkStepBuffer.toSteps}
 * builds the objects a notebook draws.
 */
import { entryHex, type WalkDimension, type WalkStep } from "../memory/walk-step";

const DIMENSIONS: readonly WalkDimension[] = ["native", "guest", "host", "shadow"];

/** Dimension codes used by the walker's hot path. */
export const DIM_NATIVE = 0;
/** Guest dimension (nested walk). */
export const DIM_GUEST = 1;
/** Host dimension (nested walk, EPT/NPT). */
export const DIM_HOST = 2;
/** Shadow table. */
export const DIM_SHADOW = 3;

/** Fixed-capacity step recorder. */
export class WalkStepBuffer {
  /** Steps recorded so far. */
  count = 0;
  /** Maximum steps (a 5+5 nested walk needs 35). */
  readonly capacity: number;
  private readonly dim: Uint8Array;
  private readonly level: Uint8Array;
  private readonly forGuestLevel: Int8Array;
  private readonly tableFrame: Float64Array;
  private readonly index: Float64Array;
  private readonly entryLo: Uint32Array;
  private readonly entryHi: Uint32Array;
  private readonly leaf: Uint8Array;
  private readonly present: Uint8Array;

  constructor(capacity = 64) {
    this.capacity = capacity;
    this.dim = new Uint8Array(capacity);
    this.level = new Uint8Array(capacity);
    this.forGuestLevel = new Int8Array(capacity);
    this.tableFrame = new Float64Array(capacity);
    this.index = new Float64Array(capacity);
    this.entryLo = new Uint32Array(capacity);
    this.entryHi = new Uint32Array(capacity);
    this.leaf = new Uint8Array(capacity);
    this.present = new Uint8Array(capacity);
  }

  /** Forgets the recorded steps. */
  clear(): void {
    this.count = 0;
  }

  /** Records one entry read (ignored beyond capacity). */
  push(dim: number, level: number, tableFrame: number, index: number, lo: number, hi: number, present: boolean, leaf: boolean, forGuestLevel: number): void {
    const i = this.count;
    if (i >= this.capacity) return;
    this.dim[i] = dim;
    this.level[i] = level;
    this.tableFrame[i] = tableFrame;
    this.index[i] = index;
    this.entryLo[i] = lo;
    this.entryHi[i] = hi;
    this.present[i] = present ? 1 : 0;
    this.leaf[i] = leaf ? 1 : 0;
    this.forGuestLevel[i] = forGuestLevel;
    this.count = i + 1;
  }

  /** The recorded steps as objects. `pageSizeBytes` and `entryBytes` give the addresses. */
  toSteps(pageSizeBytes: number, entryBytes: number): WalkStep[] {
    const out: WalkStep[] = [];
    for (let i = 0; i < this.count; i++) {
      const lo = this.entryLo[i]!;
      const hi = this.entryHi[i]!;
      const step: WalkStep = {
        dimension: DIMENSIONS[this.dim[i]!]!,
        level: this.level[i]!,
        tableFrame: this.tableFrame[i]!,
        tableAddress: this.tableFrame[i]! * pageSizeBytes,
        index: this.index[i]!,
        entryAddress: this.tableFrame[i]! * pageSizeBytes + this.index[i]! * entryBytes,
        entryValue: hi * 4294967296 + lo,
        entryHex: entryHex(lo, hi),
        present: this.present[i] === 1,
        leaf: this.leaf[i] === 1,
      };
      if (this.dim[i] === DIM_HOST) step.forGuestLevel = this.forGuestLevel[i]!;
      out.push(step);
    }
    return out;
  }
}
