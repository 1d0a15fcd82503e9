/**
 * Pre-copy live migration (Clark et al., "Live Migration of Virtual Machines", NSDI 2005, §3–4):
 * copy all of memory while the VM runs, then, round after round, the pages it dirtied during the
 * previous round (found by the hypervisor's dirty logging), until the dirty set is small enough;
 * then pause the VM and copy the rest ("stop-and-copy"). The pause is the **downtime**.
 *
 * Rounds are timed by the link: a round that sends P pages lasts P × page size ÷ bandwidth, and
 * the guest runs that long, dirtying pages of its writable working set. When the guest dirties
 * pages faster than the link sends them, rounds stop shrinking, and only a round limit or a
 * traffic cap ends the copying.
 *
 * The default stop rule is Xen's (tools/libxc/xc_domain_save.c, figure M3): stop after 29 live
 * rounds (30 passes with the final one), when fewer than 50 pages are left to send, or once
 * more than 3× the VM's memory has been sent. One difference: Xen tests the pages it sent in the
 * round just finished, this model the dirty set about to be sent, which is what sets the
 * downtime. Xen also starts at 100 Mbit/s and raises its rate with the dirtying rate up to
 * 500 Mbit/s (M4); here the link's bandwidth is fixed.
 */
import { ConfigError, requireInt, requireNumber } from "../core/errors";
import type { VmExitCause } from "../hypervisor/vm-exit";
import { DestinationMemory } from "./destination";
import { migrationLink, linkPagesPerSecond, linkTransferSeconds, type MigrationLink, type MigrationLinkOptions } from "./link";
import { SourceVm, type SourceVmOptions, type WriteWorkloadOptions } from "./source-vm";

/** What a stop rule sees at the end of each live round. */
export interface PreCopyRoundState {
  /** The round just finished (1 = the first full copy). */
  round: number;
  /** Pages dirtied during it: what the next round (or the stop-and-copy) must send. */
  dirtyPages: number;
  /** Pages the link carries per second. */
  pagesPerSecond: number;
  /** Pages sent so far, all rounds. */
  sentPages: number;
  /** The VM's memory in pages. */
  vmPages: number;
}

/** A stop rule: true = pause the VM now and send the dirty pages (stop-and-copy). */
export type PreCopyStopRule = (state: PreCopyRoundState) => boolean;

/** Xen's default limits (xc_domain_save.c; figure M3). */
export const XEN_MAX_ITERATIONS = 29;
/** Xen stops when fewer than this many pages are left (xc_domain_save.c; figure M3). */
export const XEN_STOP_PAGES = 50;
/** Xen never sends more than this many times the VM's memory (xc_domain_save.c; figure M3). */
export const XEN_MAX_FACTOR = 3;

/** Xen's stop rule with the given round limit (default 29). */
export function xenStopRule(maxRounds = XEN_MAX_ITERATIONS): PreCopyStopRule {
  requireInt("maxRounds", maxRounds, 1, 1000);
  return (s) => s.round >= maxRounds || s.dirtyPages < XEN_STOP_PAGES || s.sentPages + s.dirtyPages > XEN_MAX_FACTOR * s.vmPages;
}

/** Why the copying stopped. */
export type PreCopyStopReason = "few dirty pages" | "round limit" | "traffic cap" | "stop rule";

/** Options of {@link preCopyMigrate}. */
export interface PreCopyOptions {
  /** The guest and its writes. */
  workload?: WriteWorkloadOptions;
  /** The source host's paging mode and dirty-logging method. */
  source?: SourceVmOptions;
  /** The link (default 1 Gbit/s, 100 µs round trip). */
  link?: MigrationLinkOptions;
  /** Live rounds at most, with Xen's other two limits (default 29). Ignored when `stopWhen` is given. */
  maxRounds?: number;
  /** A stop rule of your own, called after every live round (a safety cap of 1000 rounds stays). */
  stopWhen?: PreCopyStopRule;
  /** Copy page contents and check the destination against the source (default true; false only counts). */
  copyContent?: boolean;
}

/** One live round. */
export interface PreCopyRound {
  /** 1 = the first, full copy. */
  round: number;
  /** Pages sent in this round. */
  pagesSent: number;
  /** When the round started (seconds since the migration began). */
  startSeconds: number;
  /** How long it lasted: its pages over the link. */
  seconds: number;
  /** Stores the guest did meanwhile. */
  writes: number;
  /** Pages those stores dirtied (the next round's pages). */
  dirtiedPages: number;
  /** VM exits of the guest meanwhile (dirty-logging faults, log-full exits). */
  exits: number;
}

/** The outcome of a pre-copy migration. */
export interface PreCopyResult {
  /** The live rounds. */
  rounds: PreCopyRound[];
  /** Why the live rounds ended. */
  stopReason: PreCopyStopReason;
  /** Pages sent with the VM paused. */
  stopAndCopyPages: number;
  /** The pause: the stop-and-copy's transfer plus one round trip to hand over (seconds). */
  downtimeSeconds: number;
  /** From the first page sent to the VM running on the destination (seconds). */
  totalSeconds: number;
  /** Pages sent, all rounds and the stop-and-copy. */
  pagesSent: number;
  /** Bytes sent (pages × page size). */
  bytesSent: number;
  /** The VM's memory in pages and bytes. */
  vmPages: number;
  vmBytes: number;
  /** The link used. */
  link: MigrationLink;
  /** Guest stores during the migration and the VM exits dirty logging cost them, by cause. */
  writes: number;
  exits: number;
  exitsByCause: Partial<Record<VmExitCause, number>>;
  /** Guest pages whose bytes differ between destination and source after the migration (empty = exact copy); null without copyContent. */
  differingPages: number[] | null;
}

/** Migrates a running VM by pre-copy; see the file comment. */
export function preCopyMigrate(options: PreCopyOptions = {}): PreCopyResult {
  if (options === null || typeof options !== "object") throw new ConfigError("options", options, "an object such as { workload: { writesPerSecond: 20000 } }");
  const l = migrationLink(options.link);
  if (options.stopWhen !== undefined && typeof options.stopWhen !== "function") throw new ConfigError("stopWhen", options.stopWhen, "a function (state) => boolean");
  if (options.stopWhen !== undefined && options.maxRounds !== undefined) throw new ConfigError("maxRounds", options.maxRounds, "left out when stopWhen is given (the rule decides)");
  const maxRounds = requireInt("maxRounds", options.maxRounds ?? XEN_MAX_ITERATIONS, 1, 1000);
  const copy = options.copyContent ?? true;
  if (typeof copy !== "boolean") throw new ConfigError("copyContent", copy, "true or false");
  const src = new SourceVm(options.workload, options.source);
  const dest = new DestinationMemory(src.pages);
  const page = src.pageSizeBytes;
  const rate = linkPagesPerSecond(l, page);
  const send = (frames: Iterable<number>) => {
    if (copy) for (const g of frames) dest.receive(g, src.frameContent(g));
  };

  src.startDirtyLog();
  const rounds: PreCopyRound[] = [];
  const exitsByCause: Partial<Record<VmExitCause, number>> = {};
  let toSend: number[] | null = null; // null: every page (the first round)
  let sent = 0, clock = 0, writes = 0, exits = 0;
  let stopReason: PreCopyStopReason = "round limit";
  for (let round = 1; ; round++) {
    const pages = toSend === null ? src.pages : toSend.length;
    // Contents are taken when the round starts; anything written later is in the next dirty set.
    send(toSend ?? range(src.pages));
    const seconds = linkTransferSeconds(l, pages * page);
    const r = src.run(seconds);
    for (const [cause, n] of Object.entries(r.exitsByCause)) exitsByCause[cause as VmExitCause] = (exitsByCause[cause as VmExitCause] ?? 0) + n!;
    toSend = src.collectDirty();
    rounds.push({ round, pagesSent: pages, startSeconds: clock, seconds, writes: r.writes, dirtiedPages: toSend.length, exits: r.exits });
    sent += pages;
    clock += seconds;
    writes += r.writes;
    exits += r.exits;
    const state: PreCopyRoundState = { round, dirtyPages: toSend.length, pagesPerSecond: rate, sentPages: sent, vmPages: src.pages };
    if (options.stopWhen) {
      const stop = options.stopWhen(state);
      if (typeof stop !== "boolean") throw new ConfigError("stopWhen(...)", stop, "true (stop and copy now) or false (another round)");
      if (stop || round >= 1000) {
        stopReason = stop ? "stop rule" : "round limit";
        break;
      }
    } else if (state.dirtyPages < XEN_STOP_PAGES) {
      stopReason = "few dirty pages";
      break;
    } else if (round >= maxRounds) {
      stopReason = "round limit";
      break;
    } else if (sent + state.dirtyPages > XEN_MAX_FACTOR * src.pages) {
      stopReason = "traffic cap";
      break;
    }
  }
  // Stop-and-copy: the guest is paused, so nothing is dirtied while the last pages go.
  send(toSend);
  const last = toSend.length;
  const downtimeSeconds = linkTransferSeconds(l, last * page) + l.rttSeconds;
  sent += last;
  return {
    rounds,
    stopReason,
    stopAndCopyPages: last,
    downtimeSeconds,
    totalSeconds: clock + downtimeSeconds,
    pagesSent: sent,
    bytesSent: sent * page,
    vmPages: src.pages,
    vmBytes: src.pages * page,
    link: l,
    writes,
    exits,
    exitsByCause,
    differingPages: copy ? dest.differences((g) => src.frameContent(g)) : null,
  };
}

function* range(n: number): Generator<number> {
  for (let i = 0; i < n; i++) yield i;
}

/** Seconds to send the whole VM once with the VM stopped (the non-live baseline). */
export function stopAndCopySeconds(vmPages: number, l: MigrationLink, pageSizeBytes = 4096): number {
  requireInt("vmPages", vmPages, 1, 2 ** 26);
  requireNumber("pageSizeBytes", pageSizeBytes, 1);
  return linkTransferSeconds(l, vmPages * pageSizeBytes) + l.rttSeconds;
}
