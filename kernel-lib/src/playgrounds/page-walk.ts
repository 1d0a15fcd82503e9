/**
 * Playground "page-walk": memory reads of one TLB miss, native vs shadow vs nested paging, as the
 * guest and host page-table depth and page sizes change.
 *
 * Every count comes from real walks of page tables stored in memory (memory/page-table.ts): a guest
 * table in guest-physical memory, a host (EPT/NPT) table that maps every guest-physical frame the
 * walk touches, and a shadow table (guest-virtual → host-physical). The nested count is the
 * two-dimensional walk: each guest entry is read at a guest-physical address that the host table
 * must translate first, and so is the final data address — (n+1)(m+1)−1 reads for n guest and m
 * host levels (DESIGN.md, model facts).
 */
import { barChart } from "../charts/builders";
import type { Figure } from "../charts/figure";
import { FrameAllocator } from "../memory/frame-allocator";
import { x86Layout, type AddressLayout } from "../memory/layout";
import { PageTable } from "../memory/page-table";
import { PhysicalMemory } from "../memory/physical-memory";
import { definePlayground, type PlaygroundParamSpec } from "./registry";

/** Page sizes in KiB by x86 leaf level (1: 4 KiB, 2: 2 MiB, 3: 1 GiB). */
const PAGE_KIB = [4, 2048, 1048576] as const;
const PAGE_LABELS = ["4 KiB", "2 MiB", "1 GiB"];

function leafLevel(pageKiB: number): number {
  return PAGE_KIB.indexOf(pageKiB as (typeof PAGE_KIB)[number]) + 1;
}

const pageSizeSpec = (label: string, help: string): PlaygroundParamSpec => ({
  label, unit: "KiB", min: 4, max: 1048576, step: 4, default: 4, values: PAGE_KIB, valueLabels: PAGE_LABELS, help,
});

/** 2^19 frames of 4 KiB: 2 GiB of (lazily backed) memory, room for a 1 GiB-aligned data page. */
const FRAMES = 2 ** 19;
/** The data page's frame: aligned for every page size (1 GiB = 2^18 base pages). */
const DATA_FRAME = 2 ** 18;
/** The virtual page the walk translates (also 1 GiB-aligned). */
const VPN = 3 * 2 ** 18;

/** Memory reads of one uncached walk in each mode, from real tables. */
export interface PageWalkReads {
  native: number;
  shadow: number;
  /** Nested: reads of guest entries, and of host (EPT/NPT) entries. */
  nestedGuest: number;
  nestedHost: number;
}

function tableWith(layout: AddressLayout, name: string): { memory: PhysicalMemory; table: PageTable } {
  const memory = new PhysicalMemory({ pageSizeBytes: 4096, frameCount: FRAMES, name });
  const frames = new FrameAllocator(1, 4096, `${name} table frames`);
  return { memory, table: PageTable.create(memory, layout, frames) };
}

/** Counts the reads of one TLB miss with `guestLevels`/`hostLevels` and the two page sizes. */
export function pageWalkReads(guestLevels: number, hostLevels: number, guestPageKiB: number, hostPageKiB: number): PageWalkReads {
  const guestLayout = x86Layout(guestLevels, "guestLevels");
  const hostLayout = x86Layout(hostLevels, "hostLevels");
  const gl = leafLevel(guestPageKiB);
  const hl = leafLevel(hostPageKiB);

  // The guest's own table (guest-virtual → guest-physical), in guest-physical memory.
  const guest = tableWith(guestLayout, "guest-physical");
  guest.table.map(VPN, DATA_FRAME, { level: gl });
  const guestSteps = guest.table.walkSteps(VPN);

  // The host table (guest-physical → host-physical): map each guest-physical frame the walk touches
  // (the guest's table frames and the data page) at the host page size; host frame = GPA frame + 2^18.
  const host = tableWith(hostLayout, "host");
  const hostPages = hostLayout.pagesAtLevel(hl);
  const mapped = new Set<number>();
  const hostWalk = (gpaFrame: number) => {
    const base = gpaFrame - (gpaFrame % hostPages);
    if (!mapped.has(base)) {
      host.table.map(base, base + DATA_FRAME, { level: hl });
      mapped.add(base);
    }
    return host.table.walkSteps(gpaFrame).length;
  };
  let nestedHost = 0;
  for (const step of guestSteps) nestedHost += hostWalk(step.tableFrame);
  nestedHost += hostWalk(DATA_FRAME); // the data address itself is guest-physical too

  // The shadow table maps guest-virtual straight to host-physical; a large shadow leaf needs the
  // page to be large in BOTH the guest and the host table.
  const shadow = tableWith(guestLayout, "host (shadow)");
  const sl = Math.min(gl, hl);
  shadow.table.map(VPN, DATA_FRAME * 2, { level: sl });

  return {
    native: guestSteps.length,
    shadow: shadow.table.walkSteps(VPN).length,
    nestedGuest: guestSteps.length,
    nestedHost,
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
