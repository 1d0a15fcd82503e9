/**
 * "What to notice" under notebook 03's playgrounds, for the parameters each was drawn with:
 * numbers from the same walks and runs as the chart.
 */
import { pageSizeLabel } from "../../charts/labels";
import { pageWalkReads } from "../../experiments/walk-reads";
import { tlbSizeRows, type TlbSizeParams } from "../../playgrounds";

/** "4 KiB", "2 MiB" or "1 GiB" for a page size in KiB. */
const pageLabelKiB = (kib: number) => pageSizeLabel(kib * 1024);

/**
 * The "what to notice" of the page-walk playground, for the parameters it was drawn with (numbers
 * from the same walks as the chart; the rule for every slider setting is in the notebook's prose).
 */
export function pageWalkNotice(p: { guestLevels?: number; hostLevels?: number; guestPageKiB?: number; hostPageKiB?: number } = {}): string {
  const g = p.guestLevels ?? 4, h = p.hostLevels ?? 4, gp = p.guestPageKiB ?? 4, hp = p.hostPageKiB ?? 4;
  const r = pageWalkReads(g, h, gp, hp);
  const n = r.nestedGuest;
  const m = r.nestedHost / (n + 1);
  return (
    `**What to notice** (at the values set in the cell: a ${g}-level guest with ${pageLabelKiB(gp)} pages over a ${h}-level host with ${pageLabelKiB(hp)} pages): ` +
    `bare metal reads **${r.native}** entries per TLB miss and shadow paging **${r.shadow}**; nested paging reads **${r.nestedGuest}** guest + **${r.nestedHost}** host = **${r.nestedGuest + r.nestedHost}**, ` +
    `that is (n+1)(m+1)−1 with n = ${n} guest steps and m = ${m} steps per host walk.`
  );
}

/**
 * The "what to notice" of the tlb-size playground, for the parameters it was drawn with (numbers
 * from the same runs as the chart; the rule for every slider setting is in the notebook's prose).
 */
export function tlbSizeNotice(p: Partial<TlbSizeParams> = {}): string {
  const params: TlbSizeParams = { tlbEntries: p.tlbEntries ?? 64, workingSetPages: p.workingSetPages ?? 1024, hostPageKiB: p.hostPageKiB ?? 4 };
  const rows = tlbSizeRows(params);
  const of = (mode: string) => rows.find((r) => r.mode === mode)!;
  const native = of("native"), shadow = of("shadow"), nested = of("nested");
  const pct = (v: number) => `${(100 * v).toFixed(1)}%`;
  const cyc = (v: number) => v.toFixed(1);
  const hitRates = [...new Set(rows.map((r) => pct(r.tlbHitRate)))];
  return (
    `**What to notice** (at the values set in the cell: a ${params.tlbEntries}-entry TLB, ${params.workingSetPages.toLocaleString("en-US")} pages, ${pageLabelKiB(params.hostPageKiB)} host pages): ` +
    `the TLB hit rate is ${hitRates.length === 1 ? `**${hitRates[0]}** in all three modes` : hitRates.map((h, i) => `${rows[i]!.mode} **${h}**`).join(", ")}; ` +
    `an access costs **${cyc(native.cyclesPerAccess)}** cycles on bare metal, **${cyc(shadow.cyclesPerAccess)}** under shadow paging and **${cyc(nested.cyclesPerAccess)}** under nested paging ` +
    `(${(nested.cyclesPerAccess / native.cyclesPerAccess).toFixed(1)}× bare metal).`
  );
}
