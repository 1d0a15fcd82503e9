/**
 * Notebook 07, live migration: one pre-copy migration round by round, downtime and traffic as
 * the guest writes faster, pre-copy against post-copy, and the notices computed from them.
 * Every number comes from migration/ (pre-copy on a real Machine with dirty logging).
 */
import type { Figure } from "../../charts/figure";
import { lineChart } from "../../charts/builders";
import { logAxisTicks } from "../../charts/log-ticks";
import { ConfigError, requireInt } from "../../core/errors";
import { formatNumber as f } from "../../core/format";
import { memoize } from "../../experiments/result-cache";
import { postCopyMigrate, type PostCopyResult } from "../../migration/post-copy";
import { preCopyMigrate, stopAndCopySeconds, type PreCopyResult } from "../../migration/pre-copy";
import { linkPagesPerSecond, migrationLink } from "../../migration/link";
import { liveMigrationRun, preCopyRoundsFigure, type LiveMigrationParams } from "../../playgrounds";

/** The lesson's guest: 256 MiB, rewriting a 16 MiB writable working set, on a 1 Gbit/s link. */
export const LESSON_GUEST = Object.freeze({ vmMemoryMiB: 256, writableWorkingSetPages: 4096 });

/** One pre-copy migration of the lesson's guest at `writesPerSecond` (contents copied and compared). */
export const migrationDemo: (options?: { writesPerSecond?: number; seed?: number }) => PreCopyResult = memoize(
  "lesson07 migrationDemo",
  (o = {}) => [o.writesPerSecond ?? 20_000, o.seed ?? 1],
  (o = {}) => preCopyMigrate({ workload: { ...LESSON_GUEST, writesPerSecond: o.writesPerSecond ?? 20_000, seed: o.seed ?? 1 } }),
);

/** One row per live round and one for the stop-and-copy. */
export function roundRows(r: PreCopyResult): { round: string; pagesSent: number; milliseconds: number; writes: number; dirtiedPages: number; vmExits: number }[] {
  return [
    ...r.rounds.map((x) => ({ round: String(x.round), pagesSent: x.pagesSent, milliseconds: Number((x.seconds * 1000).toFixed(2)), writes: x.writes, dirtiedPages: x.dirtiedPages, vmExits: x.exits })),
    { round: "stop-and-copy", pagesSent: r.stopAndCopyPages, milliseconds: Number((r.downtimeSeconds * 1000).toFixed(2)), writes: 0, dirtiedPages: 0, vmExits: 0 },
  ];
}

/** The rounds chart of one migration (the playground's figure, with the lesson's title). */
export function roundsFigure(r: PreCopyResult): Figure {
  return preCopyRoundsFigure(r, `Pre-copy of a ${f(r.vmBytes / 2 ** 20)} MiB VM: pages sent per round (downtime ${f(r.downtimeSeconds * 1000)} ms)`);
}

/** "What to notice" under the rounds chart. */
export function roundsNotice(r: PreCopyResult): string {
  if (r.rounds.length < 2) return `**What to notice:** a single round: the VM was paused after its first full copy, with ${f(r.stopAndCopyPages)} pages still dirty.`;
  const [first, second] = [r.rounds[0]!, r.rounds[1]!];
  const last = r.rounds[r.rounds.length - 1]!;
  const exact = r.differingPages === null ? "" : r.differingPages.length === 0
    ? ` The destination's memory was compared with the source's page by page afterwards: **identical**.`
    : ` The destination differs from the source in ${f(r.differingPages.length)} pages: a bug.`;
  return (
    `**What to notice:** round 1 sends all ${f(first.pagesSent)} pages and takes ${f(first.seconds * 1000)} ms; meanwhile the guest dirtied ` +
    `${f(first.dirtiedPages)} pages, so round 2 sends only those (${f(second.seconds * 1000)} ms), and so on: each round is shorter, so fewer ` +
    `pages are dirtied during it. After ${r.rounds.length} rounds ${f(last.dirtiedPages)} pages were left (stopped: ${r.stopReason}); the VM ` +
    `was paused for **${f(r.downtimeSeconds * 1000)} ms** to send them. Total ${f(r.totalSeconds)} s, ${f(r.bytesSent / 2 ** 20)} MiB sent for a ` +
    `${f(r.vmBytes / 2 ** 20)} MiB VM. Dirty logging cost the guest ${f(r.exits)} VM exits (one per first write to a page per round).` + exact
  );
}

/** The lesson's guest migrated at `writesPerSecond`, counting only (cached: the sweep and the pre/post table share runs). */
const countingRun: (writesPerSecond: number) => PreCopyResult = memoize(
  "lesson07 countingRun",
  (w: number) => w,
  (w: number) => preCopyMigrate({ workload: { ...LESSON_GUEST, writesPerSecond: w }, copyContent: false }),
);

/** The write rates of the downtime sweep (page writes per second). */
export const SWEEP_WRITE_RATES: readonly number[] = Object.freeze([1000, 3000, 10_000, 30_000, 100_000]);

/** One row of the downtime sweep. */
export type DowntimeRow = {
  writesPerSecond: number;
  rounds: number;
  downtimeMs: number;
  totalSeconds: number;
  mibSent: number;
  stopReason: string;
};

/** Downtime, total time and traffic of the lesson's guest at each write rate (counting only; cached). */
export const downtimeSweep: (options?: { rates?: readonly number[] }) => DowntimeRow[] = memoize(
  "lesson07 downtimeSweep",
  (o = {}) => o.rates ?? SWEEP_WRITE_RATES,
  (o = {}) => {
    const rates = o.rates ?? SWEEP_WRITE_RATES;
    if (!Array.isArray(rates) || rates.length === 0) throw new ConfigError("rates", rates, "a non-empty array of write rates (writes per second)");
    return rates.map((w) => {
      const r = countingRun(w);
      return {
        writesPerSecond: w,
        rounds: r.rounds.length,
        downtimeMs: Number((r.downtimeSeconds * 1000).toFixed(2)),
        totalSeconds: Number(r.totalSeconds.toFixed(3)),
        mibSent: Math.round(r.bytesSent / 2 ** 20),
        stopReason: r.stopReason,
      };
    });
  },
);

/** Downtime against write rate (log–log). */
export function downtimeFigure(rows: readonly DowntimeRow[]): Figure {
  return logAxisTicks(lineChart(rows, {
    x: "writesPerSecond", y: "downtimeMs", logX: true, logY: true,
    title: "Downtime grows with the guest's write rate",
    xTitle: "guest writes per second (log scale)", yTitle: "downtime (ms, log scale)",
  }));
}

/** "What to notice" under the downtime chart: where the rounds stop converging. */
export function downtimeNotice(rows: readonly DowntimeRow[]): string {
  if (rows.length < 2) throw new ConfigError("rows", rows.length, "rows from downtimeSweep with at least two write rates");
  const linkPages = linkPagesPerSecond(migrationLink(), 4096);
  const lo = rows[0]!, hi = rows[rows.length - 1]!;
  const firstCapped = rows.find((r) => r.stopReason !== "few dirty pages");
  return (
    `**What to notice:** at ${f(lo.writesPerSecond)} writes per second the migration took ${lo.rounds} rounds and paused the VM for ` +
    `${f(lo.downtimeMs)} ms; at ${f(hi.writesPerSecond)} it took ${hi.rounds} rounds, ${f(hi.downtimeMs)} ms of downtime ` +
    `(${f(hi.downtimeMs / lo.downtimeMs)}× longer) and ${f(hi.mibSent)} MiB of traffic instead of ${f(lo.mibSent)}. ` +
    (firstCapped
      ? `From ${f(firstCapped.writesPerSecond)} writes per second on, the rounds no longer shrank below 50 pages: copying stopped at a limit ` +
        `(${firstCapped.stopReason}) and the pause carried whatever was dirty. The link carries ${f(Math.round(linkPages))} pages per second.`
      : `Every migration here converged to fewer than 50 dirty pages.`)
  );
}

/** Pre-copy and post-copy of the same guest on the same link: one row each. */
export type PrePostRow = {
  method: string;
  downtimeMs: number;
  totalSeconds: number;
  mibSent: number;
  remoteFaults: number;
  guestProgressPercent: number;
};

/**
 * Pre-copy and post-copy of the lesson's guest (working set 4096 pages; post-copy's accesses at
 * 10^6 per second, the working set in runs of 64 pages, pushed around each fault).
 */
export const prePostComparison: (options?: { writesPerSecond?: number }) => PrePostRow[] = memoize(
  "lesson07 prePostComparison",
  (o = {}) => [o.writesPerSecond ?? 100_000],
  (o = {}) => {
    const w = o.writesPerSecond ?? 100_000;
    const pre = countingRun(w);
    const post = lessonPostCopy();
    return [
      { method: `pre-copy (${f(w)} writes/s)`, downtimeMs: Number((pre.downtimeSeconds * 1000).toFixed(2)), totalSeconds: Number(pre.totalSeconds.toFixed(3)), mibSent: Math.round(pre.bytesSent / 2 ** 20), remoteFaults: 0, guestProgressPercent: 100 },
      { method: "post-copy", downtimeMs: Number((post.downtimeSeconds * 1000).toFixed(2)), totalSeconds: Number(post.totalSeconds.toFixed(3)), mibSent: Math.round(post.bytesSent / 2 ** 20), remoteFaults: post.remoteFaults, guestProgressPercent: Number((post.progress * 100).toFixed(1)) },
    ];
  },
);

/** The lesson's post-copy run. */
export function lessonPostCopy(options: { rttSeconds?: number } = {}): PostCopyResult {
  return postCopyMigrate({
    vmMemoryMiB: LESSON_GUEST.vmMemoryMiB, workingSetPages: LESSON_GUEST.writableWorkingSetPages,
    accessesPerSecond: 1e6, workingSetRunPages: 64, pivot: true, link: { rttSeconds: options.rttSeconds ?? 1e-4 },
  });
}

/** "What to notice" under the pre/post table. */
export function prePostNotice(rows: readonly PrePostRow[]): string {
  const [pre, post] = [rows[0]!, rows[1]!];
  return (
    `**What to notice:** post-copy pauses the VM for ${f(post.downtimeMs)} ms (a round trip to hand over) against pre-copy's ` +
    `${f(pre.downtimeMs)} ms, and sends ${f(post.mibSent)} MiB (every page once) against ${f(pre.mibSent)} MiB. The bill comes afterwards: ` +
    `${f(post.remoteFaults)} remote page faults, each a network round trip with the guest stopped, so the guest did only ` +
    `${f(post.guestProgressPercent)} % of its normal work until its memory had arrived. And if either host or the link fails midway, neither side holds the whole VM.`
  );
}

/** Remote faults and guest progress as the round trip grows (post-copy's degradation). */
export function postCopyRttRows(rtts: readonly number[] = [1e-4, 5e-4, 2e-3, 1e-2]): { rttMs: number; remoteFaults: number; stallMs: number; guestProgressPercent: number }[] {
  return rtts.map((rtt) => {
    requireInt("rtt (µs)", Math.round(rtt * 1e6), 0, 1e6);
    const p = lessonPostCopy({ rttSeconds: rtt });
    return { rttMs: rtt * 1000, remoteFaults: p.remoteFaults, stallMs: Number((p.stallSeconds * 1000).toFixed(1)), guestProgressPercent: Number((p.progress * 100).toFixed(1)) };
  });
}

/** "What to notice" for the naive way: stop the VM, copy everything, start it again. */
export function stopAndCopyNotice(): string {
  const l = migrationLink();
  const pages = LESSON_GUEST.vmMemoryMiB * 256;
  const seconds = stopAndCopySeconds(pages, l);
  return (
    `Stopping the ${f(LESSON_GUEST.vmMemoryMiB)} MiB VM, sending all ${f(pages)} pages over a ${f(l.bandwidthBitsPerSecond / 1e9)} Gbit/s link and ` +
    `starting it on the other host keeps it **down for ${f(seconds)} s**. Every request in that time is lost or waits; a VM of 64 GiB ` +
    `would be down for ${f(stopAndCopySeconds(64 * 1024 * 256, l) / 60)} minutes.`
  );
}

/** "What to notice" under the live-migration playground, from the same (cached) run it draws. */
export function livePlaygroundNotice(params: LiveMigrationParams): string {
  const r = liveMigrationRun(params);
  const converged = r.stopReason === "few dirty pages";
  return (
    `**What to notice** (${f(params.writesPerSecond)} writes/s, ${f(params.bandwidthMbit)} Mbit/s, at most ${params.maxRounds} rounds): ` +
    `${rounds(r.rounds.length)}, then ${f(r.stopAndCopyPages)} pages sent with the VM paused: **${f(r.downtimeSeconds * 1000)} ms of downtime**, ` +
    `${f(r.totalSeconds)} s in all, ${f(r.bytesSent / 2 ** 20)} MiB for a ${f(r.vmBytes / 2 ** 20)} MiB VM. ` +
    (converged ? `The dirty set shrank below 50 pages.` : `The copying stopped at a limit (${r.stopReason}), not because the dirty set had become small.`)
  );
}

/** "What to notice" under the migration driven by the student's stop rule. */
export function ruleNotice(r: PreCopyResult, downtimeTargetMs = 300): string {
  const ms = r.downtimeSeconds * 1000;
  return (
    `Your rule stopped after ${rounds(r.rounds.length)} with ${f(r.stopAndCopyPages)} pages left: **${f(ms)} ms of downtime** ` +
    `(target ${f(downtimeTargetMs)} ms; ${ms <= downtimeTargetMs + 0.5 ? "met" : "missed: the round limit came first"}), ${f(r.totalSeconds)} s and ` +
    `${f(r.bytesSent / 2 ** 20)} MiB in all. Xen's rule on the same guest would keep copying until fewer than 50 pages were left or a limit hit.`
  );
}

function rounds(n: number): string {
  return n === 1 ? "1 live round" : `${n} live rounds`;
}

/** Readable headers for lesson 07's tables. */
const LABELS: Readonly<Record<string, string>> = Object.freeze({
  round: "round", pagesSent: "pages sent", milliseconds: "time (ms)", writes: "guest writes", dirtiedPages: "pages dirtied meanwhile",
  vmExits: "VM exits (dirty logging)", writesPerSecond: "guest writes / s", rounds: "live rounds", downtimeMs: "downtime (ms)",
  totalSeconds: "total time (s)", mibSent: "MiB sent", stopReason: "stopped because", method: "method", remoteFaults: "remote page faults",
  guestProgressPercent: "guest work done (% of normal)", rttMs: "round trip (ms)", stallMs: "guest stalled (ms)",
  workload: "workload", paper: "published", model: "this model", modelInputs: "model inputs",
});

/** Rows with lesson 07's readable headers, for showTable. */
export function migrationTable(rows: readonly Record<string, unknown>[]): Record<string, unknown>[] {
  return rows.map((row) => Object.fromEntries(Object.entries(row).map(([k, v]) => [LABELS[k] ?? k, v])));
}
