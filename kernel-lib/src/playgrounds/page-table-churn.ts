/**
 * Playground "page-table-churn": how often the guest rewrites its page tables (fork/exec) vs how
 * hard it leans on the TLB (working set) → slowdown of shadow and nested paging vs native
 * (lessons 02 and 05).
 *
 * The machine is hypervisor/machine.ts with its default cost model (costs/memory.ts, cited
 * there). The parent process reads its working set uniformly at random; every so often it
 * forks a child that execs, writes 16 fresh pages 200 times and exits (the forkwait pattern of
 * figure B6). Under shadow paging every guest page-table write and CR3 load exits to the
 * hypervisor; under nested paging none do, but every TLB miss walks two dimensions. The reader
 * finds the crossover: static and TLB-hungry favours shadow, churn favours nested.
 */
import { MODE_COLORS } from "../charts/palette";
import type { Figure } from "../charts/figure";
import { Random } from "../core/random";
import { MEMORY_VIRTUALIZATION_MODES } from "../hypervisor/machine";
import { TraceBuilder, type MemoryTrace } from "../workloads/trace";
import { pageSizeLabel } from "../charts/labels";
import { definePlayground } from "./registry";
import { FIRST_VPN, steadyStateRun, warmUpTrace } from "./steady-state";
import { memoize } from "../experiments/result-cache";

/** Parent reads measured per run. */
const ACCESSES = 10_000;
const CHILD_PAGES = 16;
const CHILD_WRITES = 200;
const SEED = 1;

export interface ChurnParams {
  forkExecPer10k: number;
  workingSetPages: number;
  hostPageKiB: number;
}

/** The measured trace: ACCESSES parent reads with `forks` fork/exec/exit cycles spread evenly. */
export function churnTrace(pages: number, forks: number, seed = SEED): MemoryTrace {
  const t = new TraceBuilder(4096, ACCESSES + forks * (CHILD_WRITES + 8) + 8);
  const rng = new Random(seed);
  const every = forks > 0 ? Math.floor(ACCESSES / forks) : Infinity;
  for (let i = 0; i < ACCESSES; i++) {
    if (i % every === every - 1) {
      t.fork(1).switchTo(1).exec();
      for (let k = 0; k < CHILD_WRITES; k++) t.write(FIRST_VPN + rng.int(CHILD_PAGES));
      t.switchTo(0).exit(1);
    }
    t.read(FIRST_VPN + rng.int(pages));
  }
  return t.build(`${pages}p, ${forks} fork/exec per ${ACCESSES}`, seed);
}

/** One bar of the chart: a mode's time relative to native, its exits and its cycles per access. */
export type ChurnRow = { mode: string; slowdown: number; vmExitsPer1k: number; cyclesPerAccess: number };

/** One steady-state run per mode for the parameters (seeded, cached: experiments/result-cache.ts). */
export const churnRows: (p: ChurnParams) => readonly ChurnRow[] = memoize(
  "playground page-table-churn",
  (p: ChurnParams) => [p.forkExecPer10k, p.workingSetPages, p.hostPageKiB],
  (p: ChurnParams) => {
    const warm = warmUpTrace(p.workingSetPages);
    const measured = churnTrace(p.workingSetPages, p.forkExecPer10k);
    const stats = MEMORY_VIRTUALIZATION_MODES.map((mode) => ({ mode, s: steadyStateRun(mode, { hostPageSizeBytes: p.hostPageKiB * 1024 }, warm, measured) }));
    const native = stats.find((r) => r.mode === "native")!.s.cycles;
    return stats.map(({ mode, s }) => ({ mode, slowdown: s.cycles / native, vmExitsPer1k: (s.vmExits / s.accesses) * 1000, cyclesPerAccess: s.cycles / s.accesses }));
  },
);

export function churnFigure(p: ChurnParams): Figure {
  const rows = churnRows(p);
  return {
    data: [
      {
        type: "bar",
        name: "slowdown vs native",
        x: rows.map((r) => r.mode),
        y: rows.map((r) => Number(r.slowdown.toFixed(3))),
        text: rows.map((r) => `${r.slowdown.toFixed(2)}×<br>${r.vmExitsPer1k.toFixed(1)} exits / 1k accesses`),
        textposition: "outside",
        marker: { color: [MODE_COLORS.native, MODE_COLORS.shadow, MODE_COLORS.nested] },
        hovertemplate: "%{x}: %{y}× the native cycles<extra></extra>",
      },
    ],
    layout: {
      title: { text: `${p.forkExecPer10k} fork/exec per 10,000 accesses, ${p.workingSetPages.toLocaleString("en-US")}-page working set` },
      xaxis: { title: { text: "how memory is virtualized" } },
      yaxis: { title: { text: "time relative to native (×, log scale)" }, type: "log", range: [-0.1, 2.6], dtick: 1 },
      showlegend: false,
      margin: { t: 60, r: 20 },
    },
  };
}

definePlayground({
  name: "page-table-churn",
  title: "Page-table churn: when does shadow paging lose to nested paging?",
  description:
    "Slide the fork/exec rate up from zero: shadow paging pays a VM exit for every guest page-table write, nested paging pays on every TLB miss instead. Change the working set to move the crossover.",
  params: {
    forkExecPer10k: { label: "fork/exec rate", unit: "per 10k accesses", min: 0, max: 20, step: 1, default: 0, values: [0, 1, 2, 5, 10, 20], help: "how often a child process is forked, execs, touches 16 pages and exits" },
    workingSetPages: { label: "parent working set", unit: "pages", min: 16, max: 2048, step: 16, default: 1024, values: [16, 64, 256, 1024, 2048], help: "pages the parent reads at random: beyond the 64-entry TLB, misses dominate" },
    hostPageKiB: { label: "host page size", unit: "KiB", min: 4, max: 2048, step: 4, default: 4, values: [4, 2048], valueLabels: [4, 2048].map((kib) => pageSizeLabel(kib * 1024)), help: "2 MiB host pages shorten nested walks" },
  },
  run: (p) => churnFigure(p as unknown as ChurnParams),
});
