/**
 * Notebook 05, part 2: the crossover as page-table churn grows, set against the student's
 * crossover formula, and the page-table-churn playground's notice.
 */
import { ConfigError } from "../../core/errors";
import { formatNumber as f } from "../../core/format";
import { MEMORY_COSTS_DEFAULT, exitCycles } from "../../costs/memory";
import { churnRows, type ChurnParams } from "../../playgrounds";
import { pageSizeLabel } from "../../charts/labels";
import { crossover, type ChurnRow } from "../shared/memory-runs";

function churnSeries(rows: readonly ChurnRow[], mode: string): ChurnRow[] {
  const out = rows.filter((r) => r.mode === mode).sort((a, b) => a.pteWritesPerThousand - b.pteWritesPerThousand);
  if (out.length < 2) throw new ConfigError("rows", rows.length, `rows from churnSweep with at least two churn levels per mode (${mode})`);
  return out;
}

/** "What to notice" for the crossover chart, from its rows. */
export function crossoverNotice(rows: readonly ChurnRow[]): string {
  const native = churnSeries(rows, "native"), shadow = churnSeries(rows, "shadow"), nested = churnSeries(rows, "nested");
  const cross = crossover(rows);
  const lo = Math.min(...nested.map((r) => r.cyclesPerAccess)), hi = Math.max(...nested.map((r) => r.cyclesPerAccess));
  const flat = hi <= 1.05 * lo;
  const startsNative = Math.abs(shadow[0]!.cyclesPerAccess - native[0]!.cyclesPerAccess) <= 0.02 * native[0]!.cyclesPerAccess;
  const [s0, s1] = [shadow[0]!, shadow[shadow.length - 1]!];
  return (
    `**What to notice** (TLB hits ${f(s0.tlbHitPercent)} % without churn): nested paging stays between ${f(lo)} and ${f(hi)} cycles per access` +
    (flat ? `, nearly flat: the guest's page-table writes cost it no exits. ` : `. `) +
    `Shadow paging starts at ${f(s0.cyclesPerAccess)} cycles per access${startsNative ? " (the native cost)" : ""} and reaches ` +
    `${f(s1.cyclesPerAccess)} at ${f(s1.pteWritesPerThousand)} page-table writes per 1000 accesses, with ${f(s1.vmExitsPerThousand)} exits per 1000 accesses. ` +
    (cross === null
      ? `The lines do not cross in this range: try other churn levels.`
      : `They cross at about **${f(cross.pteWritesPerThousand)} page-table writes per 1000 accesses**: below that shadow paging wins for this ` +
        `program, above it nested paging. A program that missed the TLB less would pay nested paging less per access, and cross earlier.`)
  );
}

/**
 * The graded crossover formula next to the simulator: where each crosses, which is earlier, and
 * what one page-table write really costs the simulated shadow run (the slope of its line, and its
 * exits per write by cause) against the single exit the formula charges.
 */
export function crossoverComparison(rows: readonly ChurnRow[], predicted: number, missesPerThousand: number): string {
  const shadow = churnSeries(rows, "shadow");
  const cross = crossover(rows);
  const [s0, s1] = [shadow[0]!, shadow[shadow.length - 1]!];
  const writes = s1.pteWritesPerThousand - s0.pteWritesPerThousand;
  const cyclesPerWrite = (1000 * (s1.cyclesPerAccess - s0.cyclesPerAccess)) / writes;
  const exitsPerWrite = (s1.vmExitsPerThousand - s0.vmExitsPerThousand) / writes;
  const byCause = Object.entries(s1.exitsPerThousandByCause)
    .map(([cause, n]) => [cause, (n - (s0.exitsPerThousandByCause[cause] ?? 0)) / writes] as const)
    .filter(([, n]) => n > 0.005)
    .sort((a, b) => b[1] - a[1])
    .map(([cause, n]) => `${cause} ${f(n)}`)
    .join(", ");
  const modelExit = exitCycles(MEMORY_COSTS_DEFAULT, "guest-pt-write");
  const head =
    `With ${f(missesPerThousand)} TLB misses per 1000 accesses your formula predicts a crossover at ${f(predicted)} page-table writes ` +
    `per 1000 accesses; the simulator found ${cross === null ? "none in its range" : f(cross.pteWritesPerThousand)}. `;
  if (cross === null || !Number.isFinite(predicted)) return head.trim();
  const direction = Math.abs(cross.pteWritesPerThousand - predicted) <= 0.05 * predicted ? "at about the same place" : cross.pteWritesPerThousand < predicted ? "**earlier**" : "**later**";
  return (
    head +
    `The simulator crosses ${direction}. Your model charges one exit of ${f(modelExit)} cycles per page-table write; in the simulated ` +
    `shadow run each page-table write cost about ${f(cyclesPerWrite)} cycles and ${f(exitsPerWrite)} exits (per write, by cause: ${byCause}). ` +
    `Why do the two differ, and which exits does the formula leave out?`
  );
}

/** "What to notice" under the page-table-churn playground, from the same (cached) rows it draws. */
export function churnPlaygroundNotice(params: ChurnParams): string {
  const rows = churnRows(params);
  const by = (mode: string) => rows.find((r) => r.mode === mode)!;
  const [shadow, nested] = [by("shadow"), by("nested")];
  const [win, lose] = shadow.slowdown <= nested.slowdown ? [shadow, nested] : [nested, shadow];
  return (
    `**What to notice** (${f(params.forkExecPer10k)} fork/exec per 10,000 accesses, ${f(params.workingSetPages)}-page working set, ` +
    `${pageSizeLabel(params.hostPageKiB * 1024)} host pages): shadow paging takes ` +
    `${f(shadow.slowdown)}× the native time with ${f(shadow.vmExitsPer1k)} exits per 1000 accesses; nested paging ${f(nested.slowdown)}× with ` +
    `${f(nested.vmExitsPer1k)}. Here **${win.mode}** wins, by ${f(lose.slowdown / win.slowdown)}×.`
  );
}
