/**
 * Playground "tlb-size": TLB entries and working set → TLB hit rate and cycles per access, for
 * native, shadow and nested paging (lesson 03, the MMU).
 *
 * The machine is hypervisor/machine.ts with its default cost model (costs/memory.ts, cited
 * there); the workload is uniform random reads over the working set after a warm-up pass. The
 * TLB is 4-way set-associative with entries/4 sets. What the reader should find: the hit rate
 * depends on entries vs pages only; a miss costs a native-length walk under shadow paging and a
 * 2D walk under nested paging, so nested pays most when the working set outgrows the TLB, and
 * 2 MiB host pages win part of it back.
 */
import { MODE_COLORS } from "../charts/palette";
import type { Figure } from "../charts/figure";
import { MEMORY_VIRTUALIZATION_MODES } from "../hypervisor/machine";
import { pageSizeLabel } from "../charts/labels";
import { fourWayTlb } from "../experiments/machines";
import { definePlayground } from "./registry";
import { steadyStateRun, uniformReads, warmUpTrace } from "./steady-state";

/** Measured reads per run: enough for a stable hit rate, small enough to redraw while dragging. */
const ACCESSES = 20_000;
const SEED = 1;

export interface TlbSizeParams {
  tlbEntries: number;
  workingSetPages: number;
  hostPageKiB: number;
}

/** One row per mode: hit rate, cycles per access, walk references per access. */
export function tlbSizeRows(p: TlbSizeParams): { mode: string; tlbHitRate: number; cyclesPerAccess: number; walkRefsPerAccess: number }[] {
  const warm = warmUpTrace(p.workingSetPages);
  const measured = uniformReads(p.workingSetPages, ACCESSES, SEED);
  return MEMORY_VIRTUALIZATION_MODES.map((mode) => {
    const s = steadyStateRun(mode, { tlb: fourWayTlb(p.tlbEntries), hostPageSizeBytes: p.hostPageKiB * 1024 }, warm, measured);
    return { mode, tlbHitRate: s.tlbHitRate, cyclesPerAccess: s.cycles / s.accesses, walkRefsPerAccess: s.walkRefs / s.accesses };
  });
}

export function tlbSizeFigure(p: TlbSizeParams): Figure {
  const rows = tlbSizeRows(p);
  const pct = (v: number) => `${(v * 100).toFixed(1)} % hits`;
  return {
    data: [
      {
        type: "bar",
        name: "cycles per access",
        x: rows.map((r) => r.mode),
        y: rows.map((r) => Number(r.cyclesPerAccess.toFixed(2))),
        text: rows.map((r) => `${r.cyclesPerAccess.toFixed(1)} cycles<br>${pct(r.tlbHitRate)}`),
        textposition: "outside",
        marker: { color: [MODE_COLORS.native, MODE_COLORS.shadow, MODE_COLORS.nested] },
        hovertemplate: "%{x}: %{y} cycles per access<extra></extra>",
      },
    ],
    layout: {
      title: { text: `${p.tlbEntries}-entry TLB, ${p.workingSetPages.toLocaleString("en-US")}-page working set: cost of an access` },
      xaxis: { title: { text: "how the MMU is virtualized" } },
      yaxis: { title: { text: "cycles per access (log scale)" }, type: "log", range: [0, 2.7], dtick: 1 },
      showlegend: false,
      margin: { t: 60, r: 20 },
    },
  };
}

definePlayground({
  name: "tlb-size",
  title: "TLB size vs working set: hit rate and the price of a miss",
  description:
    "Grow the TLB or shrink the working set and watch the hit rate climb; when it falls, every miss costs a walk — a short one under shadow paging, a 2D one under nested paging.",
  params: {
    tlbEntries: { label: "TLB entries (4-way)", unit: "entries", min: 16, max: 2048, step: 16, default: 64, values: [16, 32, 64, 128, 256, 512, 1024, 2048], help: "a Skylake L1 DTLB has 64 entries for 4 KiB pages, its L2 TLB 1536" },
    workingSetPages: { label: "working set", unit: "pages", min: 16, max: 4096, step: 16, default: 1024, values: [16, 64, 256, 1024, 4096], help: "4 KiB pages the program touches, uniformly at random" },
    hostPageKiB: { label: "host page size", unit: "KiB", min: 4, max: 2048, step: 4, default: 4, values: [4, 2048], valueLabels: [4, 2048].map((kib) => pageSizeLabel(kib * 1024)), help: "2 MiB host pages shorten every nested walk by one level per host walk" },
  },
  run: (p) => tlbSizeFigure(p as unknown as TlbSizeParams),
});
