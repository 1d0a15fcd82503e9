/**
 * A time-ordered queue of events: a binary min-heap keyed by (time, insertion number).
 *
 * The insertion number is the tie-breaker that makes the simulation deterministic: two events
 * at the same instant always fire in the order they were scheduled, whatever the heap's shape
 * (SimPy's core does the same with an event id). Without it, equal times would fire in an
 * order that depends on the heap's internal layout, and the same seed could give different
 * results after an unrelated change.
 */
export interface IoScheduledEvent {
  /** When the event fires, in simulated ns. */
  readonly timeNs: number;
  /** Insertion number: breaks ties between events at the same time (earlier insertion first). */
  readonly seq: number;
  /** What happens when it fires. */
  readonly action: () => void;
}

/** Binary min-heap of events ordered by time, then insertion number. */
export class IoEventQueue {
  private readonly heap: IoScheduledEvent[] = [];
  private nextSeq = 0;

  /** Number of events waiting. */
  get size(): number {
    return this.heap.length;
  }

  /** Adds an event at `timeNs`; returns it (its `seq` says its place among equal times). */
  push(timeNs: number, action: () => void): IoScheduledEvent {
    const event: IoScheduledEvent = { timeNs, seq: this.nextSeq++, action };
    const heap = this.heap;
    let i = heap.length;
    heap.push(event);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(event, heap[parent]!)) break;
      heap[i] = heap[parent]!;
      i = parent;
    }
    heap[i] = event;
    return event;
  }

  /** The earliest event without removing it, or undefined when empty. */
  peek(): IoScheduledEvent | undefined {
    return this.heap[0];
  }

  /** Removes and returns the earliest event, or undefined when empty. */
  pop(): IoScheduledEvent | undefined {
    const heap = this.heap;
    const top = heap[0];
    const last = heap.pop();
    if (top === undefined || last === undefined || heap.length === 0) return top;
    // Sift the last element down from the root.
    const n = heap.length;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= n) break;
      const right = left + 1;
      const child = right < n && before(heap[right]!, heap[left]!) ? right : left;
      if (!before(heap[child]!, last)) break;
      heap[i] = heap[child]!;
      i = child;
    }
    heap[i] = last;
    return top;
  }
}

function before(a: IoScheduledEvent, b: IoScheduledEvent): boolean {
  return a.timeNs < b.timeNs || (a.timeNs === b.timeNs && a.seq < b.seq);
}
