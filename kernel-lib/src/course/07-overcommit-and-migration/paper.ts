/**
 * Notebook 07: the model beside the published migrations (docs/virtualization-figures.md,
 * section M). The papers' numbers are cited figures; the model's are computed here. The guests'
 * writable working sets and write rates are ASSUMPTIONS (the papers' own per-workload rates were
 * not verified: M5, M6), chosen once and never adjusted to bring the model closer to the paper.
 */
import { formatNumber as f } from "../../core/format";
import { memoize } from "../../experiments/result-cache";
import { postCopyMigrate } from "../../migration/post-copy";
import { preCopyMigrate } from "../../migration/pre-copy";

/** A published migration and the model's run of a guest like it. */
export type PaperRow = {
  workload: string;
  /** The published figure, with its id in docs/virtualization-figures.md. */
  paper: string;
  /** The model's number for the same quantity. */
  model: string;
  /** What the model was given (assumptions marked). */
  modelInputs: string;
};

/** Assumed guests (M5, M6): VM sizes as reported (not verified), working sets and rates assumed. */
export const PAPER_GUESTS = Object.freeze({
  web: Object.freeze({ vmMemoryMiB: 800, writableWorkingSetPages: 4096, writesPerSecond: 20_000 }),
  game: Object.freeze({ vmMemoryMiB: 64, writableWorkingSetPages: 256, writesPerSecond: 2000 }),
});
/** Xen's highest migration rate, 500 Mbit/s (xc_domain_save.c MAX_MBIT_RATE; M4). */
const XEN_MAX_MBIT = 500;

/** The comparison rows (cached: the 800 MiB guest takes a few seconds). */
export function paperComparison(): readonly PaperRow[] {
  return paperRows(0);
}

const paperRows: (key: number) => PaperRow[] = memoize("lesson07 paperComparison", () => 0, () => {
  const link = { bandwidthMbitPerSecond: XEN_MAX_MBIT };
  const web = preCopyMigrate({ workload: PAPER_GUESTS.web, link, copyContent: false });
  const game = preCopyMigrate({ workload: PAPER_GUESTS.game, link, copyContent: false });
  const post = postCopyMigrate({ vmMemoryMiB: 256, workingSetPages: 4096, workingSetRunPages: 64, pivot: true, accessesPerSecond: 1e6 });
  const inputs = (g: { vmMemoryMiB: number; writableWorkingSetPages: number; writesPerSecond: number }) =>
    `${f(g.vmMemoryMiB)} MiB VM (M5), writable working set ${f(g.writableWorkingSetPages * 4 / 1024)} MiB and ${f(g.writesPerSecond)} writes/s (assumed, M6), 500 Mbit/s (M4)`;
  return [
    {
      workload: "SPECweb99 web server, pre-copy (Clark et al.)",
      paper: "downtime 210 ms (M1)",
      model: `downtime ${f(web.downtimeSeconds * 1000)} ms; ${web.rounds.length} rounds (${web.stopReason}), total ${f(web.totalSeconds)} s, ${f(web.bytesSent / 2 ** 20)} MiB sent`,
      modelInputs: inputs(PAPER_GUESTS.web),
    },
    {
      workload: "Quake 3 game server, pre-copy (Clark et al.)",
      paper: "downtime 60 ms (M1)",
      model: `downtime ${f(game.downtimeSeconds * 1000)} ms; ${game.rounds.length} rounds (${game.stopReason}), total ${f(game.totalSeconds)} s, ${f(game.bytesSent / 2 ** 20)} MiB sent`,
      modelInputs: inputs(PAPER_GUESTS.game),
    },
    {
      workload: "post-copy with pre-paging (Hines & Gopalan)",
      paper: "network page faults within 21 % of the working set (M2)",
      model: `${f(post.remoteFaults)} faults for a ${f(4096)}-page working set: ${f((100 * post.remoteFaults) / 4096)} %`,
      modelInputs: "256 MiB VM, 16 MiB working set in runs of 64 pages (assumed), 10^6 accesses/s (assumed), push around each fault, 1 Gbit/s, 100 µs round trip (M7)",
    },
  ];
});
