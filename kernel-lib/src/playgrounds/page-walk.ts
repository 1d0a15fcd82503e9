/**
 * Playground "page-walk": memory reads of one TLB miss, native vs shadow vs nested paging, as the
 * guest and host page-table depth and page sizes change.
 *
 * Every count comes from real walks on the simulated machine (experiments/walk-reads.ts). The
 * nested count is the two-dimensional walk: each guest entry sits at a guest-physical address the
 * host table must translate first, and so does the data address — (n+1)(m+1)−1 reads for n guest
 * and m host levels (DESIGN.md model facts, figure A4).
 */
import { barChart } from "../charts/builders";
import type { Figure } from "../charts/figure";
import { pageSizeLabel } from "../charts/labels";
import { pageWalkReads } from "../experiments/walk-reads";
import { definePlayground, type PlaygroundParamSpec } from "./registry";

/** Page sizes in KiB: 4 KiB, 2 MiB, 1 GiB. */
const PAGE_KIB = [4, 2048, 1048576] as const;
const PAGE_LABELS = PAGE_KIB.map((kib) => pageSizeLabel(kib * 1024));

const pageSizeSpec = (label: string, help: string): PlaygroundParamSpec => ({
  label, unit: "KiB", min: 4, max: 1048576, step: 4, default: 4, values: PAGE_KIB, valueLabels: PAGE_LABELS, help,
});

/** The figure: stacked bars of guest-entry and host-entry reads per mode. */
export function pageWalkFigure(p: { guestLevels: number; hostLevels: number; guestPageKiB: number; hostPageKiB: number }): Figure {
  const r = pageWalkReads(p.guestLevels, p.hostLevels, p.guestPageKiB, p.hostPageKiB);
  const modes = ["native (no VM)", "shadow paging", "nested paging (EPT/NPT)"];
  const rows = [
    { mode: modes[0]!, table: "page-table entries (guest / shadow)", reads: r.native },
    { mode: modes[1]!, table: "page-table entries (guest / shadow)", reads: r.shadow },
    { mode: modes[2]!, table: "page-table entries (guest / shadow)", reads: r.nestedGuest },
    { mode: modes[0]!, table: "host EPT/NPT entries", reads: 0 },
    { mode: modes[1]!, table: "host EPT/NPT entries", reads: 0 },
    { mode: modes[2]!, table: "host EPT/NPT entries", reads: r.nestedHost },
  ];
  const fig = barChart(rows, {
    x: "mode", y: "reads", color: "table",
    // The page sizes belong in the title: a 2 MiB leaf ends a 4-level walk one level early.
    title: `Memory reads for one TLB miss (guest ${p.guestLevels}-level, ${pageSizeLabel(p.guestPageKiB * 1024)} pages; host ${p.hostLevels}-level, ${pageSizeLabel(p.hostPageKiB * 1024)} pages)`,
    xTitle: "how the MMU is virtualized", yTitle: "memory reads per walk",
  });
  fig.layout.barmode = "stack";
  fig.layout.yaxis = { ...fig.layout.yaxis, range: [0, 36] };
  fig.layout.legend = { orientation: "h", y: -0.25 };
  for (const trace of fig.data) {
    trace.text = (trace.y ?? []).map((v) => (v ? String(v) : ""));
    trace.textposition = "inside";
    trace.textangle = 0;
  }
  return fig;
}

definePlayground({
  name: "page-walk",
  title: "How many memory reads does one TLB miss cost?",
  description:
    "Change the depth of the guest and host page tables and their page sizes: a nested walk multiplies, a shadow walk stays as short as a native one.",
  params: {
    guestLevels: { label: "guest page-table levels", unit: "levels", min: 4, max: 5, step: 1, default: 4, help: "x86-64 4-level or 5-level (LA57) paging in the guest" },
    hostLevels: { label: "host (EPT/NPT) levels", unit: "levels", min: 4, max: 5, step: 1, default: 4, help: "depth of the hypervisor's guest-physical → host-physical table" },
    guestPageKiB: pageSizeSpec("guest page size", "a large guest page ends the guest walk early"),
    hostPageKiB: pageSizeSpec("host page size", "a large host page shortens every host walk"),
  },
  run: (p) => pageWalkFigure(p as { guestLevels: number; hostLevels: number; guestPageKiB: number; hostPageKiB: number }),
});
