/**
 * Playground "live-migration": pre-copy rounds of a running VM (lesson 07).
 *
 * A 32 MiB guest rewrites a 4 MiB writable working set at the chosen rate while its memory goes
 * over a link of the chosen bandwidth (migration/pre-copy.ts, on a real Machine with dirty
 * logging by write protection). Each bar is one round's pages; the last is the stop-and-copy,
 * sent with the VM paused: the downtime. Xen's other limits stay (stop below 50 pages, or once
 * 3× the memory has been sent); the round limit is the slider.
 */
import type { Figure } from "../charts/figure";
import { PALETTE } from "../charts/palette";
import { formatNumber as f } from "../core/format";
import { memoize } from "../experiments/result-cache";
import { preCopyMigrate, type PreCopyResult } from "../migration/pre-copy";
import { definePlayground } from "./registry";

/**
 * The guest of the playground: 32 MiB with a 4 MiB writable working set (seed 1); small, because
 * the simulation re-runs in the reader's browser on every slider move (the slowest corner,
 * 200,000 writes/s over 100 Mbit/s, simulates about a million stores).
 */
export const LIVE_MIGRATION_GUEST = Object.freeze({ vmMemoryMiB: 32, writableWorkingSetPages: 1024, seed: 1 });

export interface LiveMigrationParams {
  writesPerSecond: number;
  bandwidthMbit: number;
  maxRounds: number;
}

/** The migration for the parameters (counting only: contents are not copied; cached). */
export const liveMigrationRun: (p: LiveMigrationParams) => PreCopyResult = memoize(
  "playground live-migration",
  (p: LiveMigrationParams) => [p.writesPerSecond, p.bandwidthMbit, p.maxRounds],
  (p: LiveMigrationParams) =>
    preCopyMigrate({
      workload: { ...LIVE_MIGRATION_GUEST, writesPerSecond: p.writesPerSecond },
      link: { bandwidthMbitPerSecond: p.bandwidthMbit },
      maxRounds: p.maxRounds,
      copyContent: false,
    }),
);

/** Pages sent per round, the stop-and-copy last in another colour; downtime and totals in the title. */
export function preCopyRoundsFigure(r: PreCopyResult, title?: string): Figure {
  const x = [...r.rounds.map((x) => `round ${x.round}`), "stop-and-copy"];
  const y = [...r.rounds.map((x) => x.pagesSent), Math.max(r.stopAndCopyPages, 0.5)];
  const ms = r.downtimeSeconds * 1000;
  return {
    data: [
      {
        type: "bar",
        name: "pages sent",
        x,
        y,
        marker: { color: [...r.rounds.map(() => PALETTE.blue), PALETTE.vermillion] },
        text: [...r.rounds.map((x) => f(x.pagesSent)), f(r.stopAndCopyPages)],
        textposition: "outside",
        hovertemplate: "%{x}: %{text} pages<extra></extra>",
      },
    ],
    layout: {
      title: {
        text:
          title ??
          `Downtime ${f(ms)} ms, total ${f(r.totalSeconds)} s, ${f(r.bytesSent / 2 ** 20)} MiB sent (${r.rounds.length} live rounds, stopped: ${r.stopReason})`,
      },
      xaxis: { title: { text: "pre-copy round (the VM runs) · stop-and-copy (the VM is paused)" } },
      // From 1 page up, so that a bar's height reads as its size on the log scale.
      yaxis: { title: { text: "pages sent (4 KiB each, log scale)" }, type: "log", range: [0, Math.log10(Math.max(...y) * 3)], dtick: 1 },
      showlegend: false,
      margin: { t: 70, r: 20 },
    },
  };
}

definePlayground({
  name: "live-migration",
  title: "Live migration: pre-copy rounds until the dirty set is small",
  description:
    "Raise the guest's write rate until the rounds stop shrinking; then give the link more bandwidth, or fewer rounds, and watch the downtime (the last bar).",
  params: {
    writesPerSecond: {
      label: "guest write rate", unit: "writes/s", min: 1000, max: 200_000, step: 1000,
      default: 20_000, values: [1000, 5000, 10_000, 20_000, 50_000, 100_000, 200_000],
      help: "page-sized stores per second, each to a random page of the 4 MiB writable working set",
    },
    bandwidthMbit: {
      label: "link bandwidth", unit: "Mbit/s", min: 100, max: 10_000, step: 100,
      default: 1000, values: [100, 500, 1000, 10_000],
      help: "how fast pages cross to the destination host",
    },
    maxRounds: {
      label: "round limit", unit: "rounds", min: 1, max: 29, step: 1,
      default: 29, values: [1, 2, 3, 5, 10, 29],
      help: "live rounds at most before the VM is paused (Xen: 29)",
    },
  },
  run: (p) => preCopyRoundsFigure(liveMigrationRun(p as unknown as LiveMigrationParams)),
});
