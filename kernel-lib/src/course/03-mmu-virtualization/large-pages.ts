/**
 * Notebook 03's large pages: entries read by one TLB miss natively, under shadow and under
 * nested paging, for every guest/host page-size pair, from real walks (figure A8's counts).
 */
import { barChart } from "../../charts/builders";
import { labelBars } from "../../charts/bar-labels";
import { pageSizeLabel } from "../../charts/labels";
import { walkReads } from "../../experiments/walk-reads";

/** Page sizes in KiB: 4 KiB, 2 MiB, 1 GiB. */
export const PAGE_KIB = [4, 2048, 1048576];
const label = (kib: number) => pageSizeLabel(kib * 1024);

/** Nested walk references for every guest/host page-size pair (4+4 levels), from real walks. */
export function largePageWalks(guestLevels = 4, hostLevels = 4) {
  const rows: { "guest page": string; "host page": string; "native walk": number; "shadow walk": number; "nested walk": number }[] = [];
  for (const g of PAGE_KIB) {
    for (const h of PAGE_KIB) {
      rows.push({
        "guest page": label(g),
        "host page": label(h),
        "native walk": walkReads("native", guestLevels, hostLevels, g, h).total,
        "shadow walk": walkReads("shadow", guestLevels, hostLevels, g, h).total,
        "nested walk": walkReads("nested", guestLevels, hostLevels, g, h).total,
      });
    }
  }
  const chartRows = rows.map((r) => ({ "guest page": r["guest page"], "host (EPT/NPT) page": r["host page"], "memory references": r["nested walk"] }));
  const figure = barChart(chartRows, {
    x: "guest page",
    y: "memory references",
    color: "host (EPT/NPT) page",
    title: "Large pages shorten the nested walk",
    xTitle: "guest page size",
    yTitle: "memory references per TLB miss",
  });
  labelBars(figure);
  const get = (g: string, h: string) => rows.find((r) => r["guest page"] === g && r["host page"] === h)!["nested walk"];
  const summary =
    `All 4 KiB: **${get("4 KiB", "4 KiB")}** references. A 2 MiB page on one side: **${get("2 MiB", "4 KiB")}** (guest) or **${get("4 KiB", "2 MiB")}** (host); ` +
    `2 MiB on both sides: **${get("2 MiB", "2 MiB")}**; 1 GiB on both: **${get("1 GiB", "1 GiB")}**; a 1 GiB guest page over 4 KiB host pages: **${get("1 GiB", "4 KiB")}**. ` +
    `These are the counts of the rule (n+1)(m+1)−1 once each large leaf has removed its levels (figure A8: derived arithmetic, not measurements).`;
  return { rows, figure, summary };
}
