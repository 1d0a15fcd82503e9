/**
 * The balloon driver (Waldspurger §3.2, figure O4; Linux virtio-balloon): a small driver inside
 * the guest that the hypervisor asks to "inflate" by N pages. It allocates N guest frames
 * through the guest's own allocator, so the guest chooses what to give up: free frames first,
 * then its page cache, and only then does it page its own anonymous pages out to its swap disk
 * (overcommit/guest-memory.ts). The driver pins the frames and reports them to the hypervisor,
 * which drops their backing host frames. Deflating frees them back to the guest. The guest
 * never uses a ballooned frame until it is deflated: its allocator holds it.
 */
import { requireInt } from "../core/errors";
import type { OvercommitCostModel } from "./costs";
import type { GuestMemory } from "./guest-memory";

/** What the driver tells the hypervisor. */
export interface BalloonHost {
  /** The guest gave up guest frame `guestFrame`: release its host backing. */
  releaseGuestFrame(guestFrame: number): void;
}

/** One VM's balloon. */
export class BalloonDriver {
  /** Guest frames held by the balloon, in the order taken. */
  private readonly held: number[] = [];
  private readonly heldSet = new Set<number>();
  /** Pages inflated so far (all time). */
  inflated = 0;
  /** Pages deflated so far. */
  deflated = 0;
  /** Messages to the hypervisor (one VM exit each; `balloonPagesPerExit` pages per message). */
  exits = 0;
  /** Guest and exit cycles spent on the balloon. */
  cycles = 0;

  constructor(
    private readonly guest: GuestMemory,
    private readonly host: BalloonHost,
    private readonly costs: OvercommitCostModel,
  ) {}

  /** Pages in the balloon now. */
  get size(): number {
    return this.held.length;
  }

  /** True if the balloon holds guest frame `guestFrame`. */
  holds(guestFrame: number): boolean {
    return this.heldSet.has(guestFrame);
  }

  /** The frames held, ascending. */
  frames(): number[] {
    return [...this.held].sort((a, b) => a - b);
  }

  /**
   * Inflates by up to `pages` pages; returns the pages taken (fewer if the guest cannot free
   * more without running out of the frames its kernel needs). With `pageOut` false the guest
   * gives only free frames and page cache, never paging its programs' pages out.
   */
  inflate(pages: number, pageOut = true): number {
    requireInt("pages", pages, 0, 2 ** 31);
    let taken = 0;
    for (; taken < pages; taken++) {
      const g = this.guest.allocateFrame(pageOut);
      if (g < 0) break;
      this.held.push(g);
      this.heldSet.add(g);
      this.host.releaseGuestFrame(g);
    }
    this.account(taken);
    this.inflated += taken;
    return taken;
  }

  /** Deflates by up to `pages` pages (the most recently taken first); returns the pages given back. */
  deflate(pages: number): number {
    requireInt("pages", pages, 0, 2 ** 31);
    let n = 0;
    for (; n < pages && this.held.length > 0; n++) {
      const g = this.held.pop()!;
      this.heldSet.delete(g);
      this.guest.freeFrame(g);
    }
    this.account(n);
    this.deflated += n;
    return n;
  }

  /** Inflates or deflates to hold exactly `pages` pages (as far as the guest can); returns the new size. */
  setTarget(pages: number): number {
    requireInt("pages", pages, 0, 2 ** 31);
    if (pages > this.size) this.inflate(pages - this.size);
    else if (pages < this.size) this.deflate(this.size - pages);
    return this.size;
  }

  private account(pages: number): void {
    if (pages === 0) return;
    const messages = Math.ceil(pages / this.costs.balloonPagesPerExit);
    this.exits += messages;
    this.cycles += pages * this.costs.balloonPageCycles + messages * this.costs.exitRoundTripCycles;
  }
}
