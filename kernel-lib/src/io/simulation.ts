/**
 * The discrete-event simulation clock: schedule actions at future times and run them in order.
 *
 * Deliberately tiny (see DESIGN.md): a clock, a heap and `run`. Processes are plain callbacks
 * rather than generators, which keeps the hot loop allocation-light and the code readable for
 * students who have not met coroutines.
 */
import { ConfigError } from "../core/errors";
import { IoEventQueue } from "./event-queue";

/** A simulated clock in ns with an event queue. */
export class IoSimulation {
  private readonly queue = new IoEventQueue();
  private clockNs = 0;
  /** Events fired so far. */
  eventsFired = 0;

  /** Current simulated time in ns. */
  get nowNs(): number {
    return this.clockNs;
  }

  /** Events still waiting. */
  get pendingEvents(): number {
    return this.queue.size;
  }

  /** Runs `action` after `delayNs` (0 = later in this same instant, after what is already queued for it). */
  schedule(delayNs: number, action: () => void): void {
    if (!(delayNs >= 0) || !Number.isFinite(delayNs)) {
      throw new ConfigError("delayNs", delayNs, "a finite number of ns, at least 0");
    }
    this.queue.push(this.clockNs + delayNs, action);
  }

  /**
   * Fires events in (time, insertion) order until none remain or the next one lies beyond
   * `untilNs`. Returns the time reached (the last event's time, or `untilNs` if stopped there).
   */
  run(untilNs = Infinity): number {
    const queue = this.queue;
    for (;;) {
      const next = queue.peek();
      if (next === undefined) break;
      if (next.timeNs > untilNs) {
        this.clockNs = untilNs;
        break;
      }
      queue.pop();
      this.clockNs = next.timeNs;
      this.eventsFired++;
      next.action();
    }
    return this.clockNs;
  }
}
