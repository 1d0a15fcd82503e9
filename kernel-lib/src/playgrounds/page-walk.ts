/**
 * Playground "page-walk": memory reads of one TLB miss, native vs shadow vs nested paging, as the
 * guest and host page-table depth and page sizes change.
 *
 * Every count comes from the simulated machine (hypervisor/machine.ts): a guest process touches
 * one page (the guest kernel maps it, the hypervisor backs it), then the same address is
 * translated again with the TLB bypassed, and the hardware walker (mmu/walker.ts) reports the
 * entries it read and in which dimension. The nested count is the two-dimensional walk: each guest
 * entry sits at a guest-physical address the host table must translate first, and so does the
 * data address — (n+1)(m+1)−1 reads for n guest and m host levels (DESIGN.md model facts, figure A4).
 */
import { barChart } from "../charts/builders";
import type { Figure } from "../charts/figure";
import { Machine, type MemoryVirtualizationMode } from "../hypervisor/machine";
import { x86Layout } from "../memory/layout";
import { definePlayground, type PlaygroundParamSpec } from "./registry";

/** Page sizes in KiB: 4 KiB, 2 MiB, 1 GiB. */
const PAGE_KIB = [4, 2048, 1048576] as const;
const PAGE_LABELS = ["4 KiB", "2 MiB", "1 GiB"];

const pageSizeSpec = (label: string, help: string): PlaygroundParamSpec => ({
  label, unit: "KiB", min: 4, max: 1048576, step: 4, default: 4, values: PAGE_KIB, valueLabels: PAGE_LABELS, help,
});

/** The guest-virtual address translated: 3 GiB, aligned for every page size. */
const ADDRESS = 3 * 2 ** 30;

/** Memory reads of one uncached walk in each mode. */
export interface PageWalkReads {
  native: number;
  shadow: number;
  /** Nested: reads of guest entries, and of host (EPT/NPT) entries. */
  nestedGuest: number;
  nestedHost: number;
}

/** Entries read by one TLB-missing translation in `mode`, by walk dimension. */
function walkInMode(mode: MemoryVirtualizationMode, guestLevels: number, hostLevels: number, guestPageKiB: number, hostPageKiB: number): Record<string, number> {
  // A 1 GiB page needs a 4 GiB guest; otherwise keep memory small (the browser re-runs this on every slider move).
  const big = guestPageKiB >= 1048576 || hostPageKiB >= 1048576;
  const machine = new Machine({
    mode, guestLayout: x86Layout(guestLevels, "guestLevels"), hostLayout: x86Layout(hostLevels, "hostLevels"),
    hostPageSizeBytes: hostPageKiB * 1024, hostMemoryBytes: (big ? 8 : 2) * 2 ** 30,
  });
  const vm = machine.createVm({ memoryBytes: big ? 4 * 2 ** 30 : 2 ** 30, guestPageSizeBytes: guestPageKiB * 1024 });
  vm.kernel.createProcess(0);
  machine.access(vm, 0, ADDRESS); // first touch: the guest maps the page (and the hypervisor backs it)
  const walk = machine.access(vm, 0, ADDRESS, { bypassTlb: true });
  const byDimension: Record<string, number> = { total: walk.walkRefs };
  for (const step of walk.steps) byDimension[step.dimension] = (byDimension[step.dimension] ?? 0) + 1;
  return byDimension;
}

/** Counts the reads of one TLB miss with `guestLevels`/`hostLevels` and the two page sizes. */
export function pageWalkReads(guestLevels: number, hostLevels: number, guestPageKiB: number, hostPageKiB: number): PageWalkReads {
  const nested = walkInMode("nested", guestLevels, hostLevels, guestPageKiB, hostPageKiB);
  return {
    native: walkInMode("native", guestLevels, hostLevels, guestPageKiB, hostPageKiB).total!,
    shadow: walkInMode("shadow", guestLevels, hostLevels, guestPageKiB, hostPageKiB).total!,
    nestedGuest: nested.guest ?? 0,
    nestedHost: nested.host ?? 0,
  };
}

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
    title: `Memory reads for one TLB miss (guest ${p.guestLevels}-level, host ${p.hostLevels}-level)`,
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
