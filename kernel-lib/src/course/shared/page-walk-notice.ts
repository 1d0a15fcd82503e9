/**
 * "What to notice" under a page-walk playground in notebooks 05 and 06: the simulator's counts
 * for the parameters it was drawn with (and for 4 KiB pages).
 */
import { pageSizeLabel } from "../../charts/labels";
import { pageWalkReads } from "../../experiments/walk-reads";

/** "What to notice" under a page-walk playground, from the simulator's counts for the same parameters (and for 4 KiB pages). */
export function pageWalkNotice(params: { guestLevels: number; hostLevels: number; guestPageKiB: number; hostPageKiB: number }): string {
  const { guestLevels: g, hostLevels: h, guestPageKiB: gp, hostPageKiB: hp } = params;
  const w = pageWalkReads(g, h, gp, hp);
  const size = (kib: number) => pageSizeLabel(kib * 1024);
  const nested = w.nestedGuest + w.nestedHost;
  const small = gp === 4 && hp === 4 ? null : pageWalkReads(g, h, 4, 4);
  return (
    `**What to notice** (guest ${g}-level with ${size(gp)} pages, host ${h}-level with ${size(hp)} pages): one TLB miss reads ` +
    `${w.native} entries natively and ${w.shadow} under shadow paging, but ${nested} under nested paging ` +
    `(${w.nestedGuest} guest entries and ${w.nestedHost} host entries, because every guest table pointer is itself translated by the host's table)` +
    (small ? `; with 4 KiB pages on both sides the nested walk reads ${small.nestedGuest + small.nestedHost}.` : `.`)
  );
}
