/**
 * A single server with a queue: one CPU (a vCPU, a host back-end thread) or one device (a link).
 *
 * Jobs wait in FIFO order within three priority classes. A job's duration is computed when it
 * STARTS, not when it is queued, because that is when a driver or back end looks at its ring
 * and decides how much to take (batching grows with the backlog found at that moment).
 */
import type { IoSimulation } from "./simulation";

/** Priority classes: continuations of work just done, then interrupts, then normal work. */
export const IO_PRIORITY_URGENT = 0;
/** Interrupt handlers run before queued normal work (as on a real CPU). */
export const IO_PRIORITY_INTERRUPT = 1;
/** Normal work: submitting requests, back-end batches, transmitting. */
export const IO_PRIORITY_NORMAL = 2;

interface Job {
  start: () => number;
  finish: () => void;
}

/** A server that runs one job at a time and records how long it was busy. */
export class IoServer {
  private readonly queues: Job[][] = [[], [], []];
  private readonly heads = [0, 0, 0];
  private busy = false;
  /** Total ns spent running jobs. */
  busyNs = 0;
  /** Jobs run. */
  jobsRun = 0;

  constructor(
    private readonly sim: IoSimulation,
    /** What this server models, e.g. "vCPU of VM 0" or "physical link". */
    readonly name: string,
  ) {}

  /** True while a job runs. */
  get isBusy(): boolean {
    return this.busy;
  }

  /** Jobs waiting (not counting the one running). */
  get waiting(): number {
    let n = 0;
    for (let p = 0; p < 3; p++) n += this.queues[p]!.length - this.heads[p]!;
    return n;
  }

  /**
   * Queues a job. `start` runs when the server picks it up and returns its duration in ns;
   * `finish` runs when that time has passed.
   */
  submit(priority: number, start: () => number, finish: () => void): void {
    this.queues[priority]!.push({ start, finish });
    if (!this.busy) this.next();
  }

  private next(): void {
    for (let p = 0; p < 3; p++) {
      const queue = this.queues[p]!;
      const head = this.heads[p]!;
      if (head < queue.length) {
        const job = queue[head]!;
        // Compact occasionally so long runs do not keep every finished job alive.
        if (head > 1024 && head * 2 > queue.length) {
          queue.splice(0, head + 1);
          this.heads[p] = 0;
        } else {
          this.heads[p] = head + 1;
        }
        this.busy = true;
        this.jobsRun++;
        const durationNs = job.start();
        this.busyNs += durationNs;
        this.sim.schedule(durationNs, () => {
          this.busy = false;
          job.finish();
          if (!this.busy) this.next();
        });
        return;
      }
    }
  }
}
