/**
 * Seeded memory traces of the server workloads in notebooks 02 and 03: a process that maps and
 * unmaps scratch pages (page-table churn), and a server that forks a short-lived worker.
 */
import { Random } from "../../core/random";
import { TraceBuilder, type MemoryTrace } from "../../workloads/trace";

/**
 * A process touching `workingSetPages` pages at random, with `updatesPer1000` page-table
 * updates per 1,000 accesses (an mmap + munmap pair of a scratch page counts as two updates,
 * as a memory allocator returning memory to the OS would do).
 */
export function churnTrace(seed: number, accesses: number, workingSetPages: number, updatesPer1000: number): MemoryTrace {
  const rng = new Random(seed);
  const b = new TraceBuilder(4096, accesses + 64);
  b.premapRange(0, 0x1000, workingSetPages);
  const pairsEvery = updatesPer1000 > 0 ? 2000 / updatesPer1000 : Infinity;
  let nextPair = pairsEvery;
  let scratch = 0;
  for (let i = 0; i < accesses; i++) {
    if (i >= nextPair) {
      const page = 0x80000 + (scratch++ % 64);
      b.map(page).write(page).unmap(page);
      nextPair += pairsEvery;
    }
    b.read(0x1000 + rng.int(workingSetPages));
  }
  return b.build(`churn ${updatesPer1000}/1000`, seed);
}

/** A fork-heavy server: a parent that forks a short-lived worker every `forkEvery` accesses. */
export function forkServerTrace(seed: number, accesses: number, workingSetPages: number, forkEvery: number): MemoryTrace {
  const rng = new Random(seed);
  const b = new TraceBuilder(4096, accesses + 256);
  b.premapRange(0, 0x1000, workingSetPages);
  let child = 1;
  for (let i = 0; i < accesses; i++) {
    if (i > 0 && i % forkEvery === 0) {
      // fork a worker, let it touch a few pages and a stack page, exit, back to the parent
      b.fork(child).switchTo(child);
      for (let k = 0; k < 8; k++) b.read(0x1000 + rng.int(workingSetPages));
      b.write(0x70000);
      b.exit(child).switchTo(0);
      child++;
    }
    b.read(0x1000 + rng.int(workingSetPages));
  }
  return b.build(`fork every ${forkEvery}`, seed);
}
