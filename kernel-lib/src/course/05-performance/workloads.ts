/**
 * Notebook 05, part 1: shadow vs nested paging across workloads, and which mode wins each.
 * The runs are shared with notebook 06 (shared/memory-runs.ts).
 */
import { ConfigError } from "../../core/errors";
import { formatNumber } from "../../core/format";
import { workloads, type WorkloadRow } from "../shared/memory-runs";
import { wholeProgramNote } from "../shared/whole-program";

const f = formatNumber;

/** The workloads of the comparison as table rows: label and what it does to its page tables. */
export function workloadList(seed = 1): { workload: string; "page tables and TLB": string; "memory accesses": number }[] {
  return workloads(seed).map((w) => ({ workload: w.label, "page tables and TLB": w.kind, "memory accesses": w.trace.accesses }));
}

/** Which mode is cheaper on each workload, as markdown bullet lines with the numbers. */
export function winners(rows: readonly WorkloadRow[]): string {
  const workloads = [...new Set(rows.map((r) => r.workload))];
  return workloads
    .map((w) => {
      const shadow = rows.find((r) => r.workload === w && r.mode === "shadow");
      const nested = rows.find((r) => r.workload === w && r.mode === "nested");
      if (!shadow || !nested) throw new ConfigError("rows", w, "rows with a shadow and a nested run per workload");
      const [win, lose] = shadow.cyclesPerAccess <= nested.cyclesPerAccess ? [shadow, nested] : [nested, shadow];
      return `- **${w}**: ${win.mode} wins, ${formatNumber(win.cyclesPerAccess)} vs ${formatNumber(lose.cyclesPerAccess)} cycles per access (${formatNumber(lose.cyclesPerAccess / win.cyclesPerAccess)}×)`;
    })
    .join("\n");
}

/** "What to notice" for the workload chart: whether the winner changes with the workload, then {@link winners}. */
export function winnersNotice(rows: readonly WorkloadRow[]): string {
  const list = winners(rows);
  const flips = /shadow wins/.test(list) && /nested wins/.test(list);
  const ratios = [...new Set(rows.map((r) => r.workload))].map((w) => {
    const [a, b] = ["shadow", "nested"].map((m) => rows.find((r) => r.workload === w && r.mode === m)!.cyclesPerAccess);
    return Math.max(a!, b!) / Math.min(a!, b!);
  });
  return `**What to notice:** ${flips ? "the winner flips with the workload" : "one mode wins every workload here"}.\n\n${list}\n\n` +
    wholeProgramNote([Math.max(...ratios), Math.min(...ratios)]);
}
