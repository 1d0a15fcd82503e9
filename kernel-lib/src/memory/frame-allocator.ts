/**
 * A frame allocator: hands out physical frames of one range, deterministically.
 *
 * Single frames come from a LIFO free list first (a freed frame is reused next, as a real
 * allocator's hot list would), then from a bump pointer. Large pages need runs of contiguous
 * frames aligned to their size; those come from the bump pointer, and the frames skipped to
 * reach the alignment go on the free list rather than being lost.
 */
import { ConfigError, requireInt } from "../core/errors";

/** Allocates frames in [firstFrame, firstFrame + frameCount). */
export class FrameAllocator {
  /** First frame of the range. */
  readonly firstFrame: number;
  /** Number of frames in the range. */
  readonly frameCount: number;
  /** Name used in the out-of-memory error, e.g. "vm1.memoryBytes". */
  readonly field: string;
  private next: number;
  private readonly freeList: number[] = [];
  private inUse = 0;

  constructor(firstFrame: number, frameCount: number, field = "memory") {
    this.firstFrame = requireInt(`${field}.firstFrame`, firstFrame, 0, 2 ** 52);
    this.frameCount = requireInt(`${field}.frameCount`, frameCount, 0, 2 ** 40);
    this.field = field;
    this.next = firstFrame;
  }

  /** Frames currently allocated. */
  get allocatedFrames(): number {
    return this.inUse;
  }

  /** Frames still available. */
  get freeFrames(): number {
    return this.frameCount - this.inUse;
  }

  /** True if `frame` lies in this allocator's range. */
  owns(frame: number): boolean {
    return frame >= this.firstFrame && frame < this.firstFrame + this.frameCount;
  }

  /** One frame. Throws a ConfigError naming the memory size when the range is exhausted. */
  allocate(): number {
    this.inUse++;
    if (this.freeList.length > 0) return this.freeList.pop()!;
    if (this.next < this.firstFrame + this.frameCount) return this.next++;
    this.inUse--;
    throw this.outOfMemory(1);
  }

  /** `count` contiguous frames whose first frame is a multiple of `alignFrames`. */
  allocateContiguous(count: number, alignFrames = 1): number {
    requireInt("count", count, 1, this.frameCount);
    requireInt("alignFrames", alignFrames, 1, 2 ** 30);
    const start = Math.ceil(this.next / alignFrames) * alignFrames;
    if (start + count > this.firstFrame + this.frameCount) throw this.outOfMemory(count);
    for (let f = this.next; f < start; f++) this.freeList.push(f);
    this.next = start + count;
    this.inUse += count;
    return start;
  }

  /** Returns one frame to the free list. */
  free(frame: number): void {
    if (!this.owns(frame)) throw new ConfigError("frame", frame, `a frame from ${this.firstFrame} to ${this.firstFrame + this.frameCount - 1}`);
    this.freeList.push(frame);
    this.inUse--;
  }

  /** Returns a contiguous run to the free list. */
  freeContiguous(firstFrame: number, count: number): void {
    for (let i = count - 1; i >= 0; i--) this.free(firstFrame + i);
  }

  private outOfMemory(count: number): ConfigError {
    return new ConfigError(
      this.field,
      `${this.frameCount} frames`,
      `enough frames for the workload (needed ${count} more with ${this.inUse} in use); give this memory more frames`,
    );
  }
}
