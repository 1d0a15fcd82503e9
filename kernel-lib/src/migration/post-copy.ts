/**
 * Post-copy live migration (Hines & Gopalan, "Post-Copy Based Live Virtual Machine Migration
 * Using Adaptive Pre-Paging and Dynamic Self-Ballooning", VEE 2009): send the CPU state first and
 * resume the VM on the destination at once, then bring its memory over. Two things move pages:
 * - **active push**: the source sends every page once, in order, over the link;
 * - **demand paging**: the first touch of a page that has not arrived is a **remote page fault**:
 *   the guest stalls for a network round trip plus the page's transfer (it jumps the push queue).
 * With `pivot: true` the push restarts just after each faulting page (Hines & Gopalan's
 * "bubbling" around the fault: neighbours are likely next).
 *
 * Every page crosses the link exactly once, so total time and bytes are those of one full copy
 * (plus the faults' round trips); the price is paid by the guest, which runs slower until its
 * working set has arrived. The downtime is one round trip (the hand-over; CPU state is a few KiB,
 * not counted).
 *
 * The guest is modelled by its accesses alone (reads and writes alike fault when the page is
 * missing): `accessesPerSecond` accesses, each to a uniformly random page of a working set of
 * `workingSetPages` pages scattered over memory (seeded). No Machine is needed: a page is either
 * here or not, and which one is all a post-copy fault depends on.
 */
import { ConfigError, requireInt, requireNumber } from "../core/errors";
import { Random } from "../core/random";
import { migrationLink, linkTransferSeconds, type MigrationLink, type MigrationLinkOptions } from "./link";

/** Options of {@link postCopyMigrate}. */
export interface PostCopyOptions {
  /** Guest memory in MiB (1 to 16384). Default 256. */
  vmMemoryMiB?: number;
  /** Pages the guest touches (1 to the VM's pages). Default 2048. */
  workingSetPages?: number;
  /** Guest memory accesses per second, each to a random page of the working set (1 to 10^8). Default 10^6. */
  accessesPerSecond?: number;
  /** The link (default 1 Gbit/s, 100 µs round trip). */
  link?: MigrationLinkOptions;
  /** Push from just after each faulting page (true) or in plain page order (false, default). */
  pivot?: boolean;
  /**
   * The working set lies in runs of this many consecutive pages (1 to 512, default 1: pages
   * scattered one by one). Real programs touch neighbouring pages (arrays, heaps, stacks), which
   * is what pushing around a fault exploits.
   */
  workingSetRunPages?: number;
  /** Seed of the working set's placement and of the access stream. Default 1. */
  seed?: number;
}

/** The outcome of a post-copy migration. */
export interface PostCopyResult {
  /** The pause: one round trip to hand over (seconds). */
  downtimeSeconds: number;
  /** Until the last page has arrived (seconds after the hand-over, plus the downtime). */
  totalSeconds: number;
  /** Pages sent: each page once. */
  pagesSent: number;
  /** Bytes sent. */
  bytesSent: number;
  /** The VM's pages. */
  vmPages: number;
  /** First touches that found the page missing: each one a round trip. */
  remoteFaults: number;
  /** Distinct pages the guest touched during the migration. */
  pagesTouched: number;
  /** Seconds the guest stood still waiting for faulted pages. */
  stallSeconds: number;
  /** The guest's accesses done during the migration ÷ what it would have done without it (1 = no slowdown). */
  progress: number;
  /** Seconds until every page of the working set was on the destination. */
  workingSetArrivedSeconds: number;
  /** The link used. */
  link: MigrationLink;
}

/** Migrates a running VM by post-copy; see the file comment. */
export function postCopyMigrate(options: PostCopyOptions = {}): PostCopyResult {
  if (options === null || typeof options !== "object") throw new ConfigError("options", options, "an object such as { accessesPerSecond: 1e6 }");
  const l = migrationLink(options.link);
  const vmPages = requireInt("vmMemoryMiB", options.vmMemoryMiB ?? 256, 1, 16384) * 256;
  const ws = requireInt("workingSetPages", options.workingSetPages ?? Math.min(2048, vmPages), 1, vmPages);
  const rate = requireNumber("accessesPerSecond", options.accessesPerSecond ?? 1e6, 1, 1e8);
  const pivot = options.pivot ?? false;
  if (typeof pivot !== "boolean") throw new ConfigError("pivot", pivot, "true or false");
  const rng = new Random(requireInt("seed", options.seed ?? 1, 0, 2 ** 32 - 1));
  const pageTime = linkTransferSeconds(l, 4096);

  const run = requireInt("workingSetRunPages", options.workingSetRunPages ?? 1, 1, 512);
  if (run > ws) throw new ConfigError("workingSetRunPages", run, `at most workingSetPages (${ws})`);
  // The working set: runs of `run` pages at random run-aligned places (a partial Fisher–Yates
  // shuffle of the slots), cut to ws pages.
  const slots = Math.floor(vmPages / run);
  const order = new Int32Array(slots);
  for (let i = 0; i < slots; i++) order[i] = i;
  const runs = Math.ceil(ws / run);
  for (let i = 0; i < runs; i++) {
    const j = i + rng.int(slots - i);
    const t = order[i]!; order[i] = order[j]!; order[j] = t;
  }
  const wsPages = new Int32Array(ws);
  for (let i = 0; i < ws; i++) wsPages[i] = order[Math.floor(i / run)]! * run + (i % run);

  const present = new Uint8Array(vmPages);
  let arrived = 0, wsArrived = 0, cursor = 0;
  const inWs = new Uint8Array(vmPages);
  for (const p of wsPages) inWs[p] = 1;
  const touched = new Uint8Array(vmPages);
  let pagesTouched = 0;
  const arrive = (p: number) => {
    present[p] = 1;
    arrived++;
    if (inWs[p]) wsArrived++;
  };
  // The push: one page per pageTime on the link, when the link is not carrying a faulted page.
  let nextPush = pageTime; // time the page now on the wire arrives
  const pushUntil = (t: number) => {
    while (arrived < vmPages && nextPush <= t) {
      while (present[cursor]) cursor = (cursor + 1) % vmPages;
      arrive(cursor);
      nextPush += pageTime;
    }
  };

  let t = 0, accesses = 0, faults = 0, stall = 0, wsDone = -1;
  const dt = 1 / rate;
  while (arrived < vmPages) {
    if (wsArrived === ws) {
      // Nothing left to fault on: the push finishes on its own.
      if (wsDone < 0) wsDone = t;
      const remaining = vmPages - arrived;
      const end = nextPush + (remaining - 1) * pageTime;
      accesses += Math.floor((end - t) * rate);
      t = end;
      pushUntil(end);
      break;
    }
    t += dt;
    pushUntil(t);
    const p = wsPages[rng.int(ws)]!;
    if (!touched[p]) { touched[p] = 1; pagesTouched++; }
    if (!present[p]) {
      // Remote fault: the request crosses, the page comes back ahead of the push queue.
      faults++;
      const wait = l.rttSeconds + pageTime;
      stall += wait;
      nextPush += pageTime;
      t += wait;
      arrive(p);
      if (pivot) cursor = (p + 1) % vmPages;
      pushUntil(t);
    }
    accesses++;
  }
  if (wsDone < 0) wsDone = t;
  const downtime = l.rttSeconds;
  return {
    downtimeSeconds: downtime,
    totalSeconds: t + downtime,
    pagesSent: vmPages,
    bytesSent: vmPages * 4096,
    vmPages,
    remoteFaults: faults,
    pagesTouched,
    stallSeconds: stall,
    progress: t > 0 ? Math.min(1, accesses / (rate * t)) : 1,
    workingSetArrivedSeconds: wsDone,
    link: l,
  };
}
