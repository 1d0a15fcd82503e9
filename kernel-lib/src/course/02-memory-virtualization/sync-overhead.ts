/**
 * Notebook 02's cost runs: what keeping shadow tables in sync costs as the guest writes its page
 * tables more often, where the VM exits come from, and the servers' what-if under bare metal,
 * shadow and nested paging. Every number comes from these runs; only workload parameters
 * (sizes, rates) are typed here.
 */
import { firstCrossing } from "../../core/crossing";
import { formatNumber } from "../../core/format";
import { barChart, lineChart } from "../../charts/builders";
import { labelBars } from "../../charts/bar-labels";
import type { MemoryRunStats, MemoryVirtualizationMode } from "../../hypervisor/machine";
import type { MemoryTrace } from "../../workloads/trace";
import { MEMORY_COSTS_DEFAULT, type MemoryCostModel } from "../../costs/memory";
import { cyclesPerAccess, measureMemory } from "../../experiments/measure";
import { fourWayTlb } from "../../experiments/machines";
import { churnTrace, forkServerTrace } from "../shared/traces";

const MiB = 2 ** 20;

/** TLB entries of the lesson machines (4-way sets): a Skylake-sized L1 DTLB for 4 KiB pages (figure D1). */
export const TLB_ENTRIES = 64;

/** Runs `trace` on a fresh machine in `mode` (one VM, or bare metal), measured after a warm-up pass. */
export function runTrace(trace: MemoryTrace, mode: MemoryVirtualizationMode, options: { hostPageSizeBytes?: number; guestPageSizeBytes?: number; tlbEntries?: number; warmUp?: boolean } = {}): MemoryRunStats {
  // The warm-up pass fills the TLB and builds the shadow entries, so the numbers describe steady
  // state rather than a cold start.
  return measureMemory(trace, mode, {
    machine: { hostMemoryBytes: 2 ** 30, hypervisorPoolBytes: 64 * MiB, hostPageSizeBytes: options.hostPageSizeBytes, tlb: fourWayTlb(options.tlbEntries ?? TLB_ENTRIES) },
    vm: { memoryBytes: 256 * MiB, guestPageSizeBytes: options.guestPageSizeBytes },
    warmUp: (options.warmUp ?? true) ? "repeat" : "none",
  });
}


const MODE_LABEL: Record<MemoryVirtualizationMode, string> = { native: "bare metal", shadow: "shadow paging", nested: "nested paging (EPT/NPT)" };

/** One point of the synchronisation sweep. */
export type ShadowSyncRow = {
  mode: string;
  "guest PTE writes per 1,000 accesses": number;
  "cycles per access": number;
  "VM exits per 1,000 accesses": number;
  "TLB hit rate (%)": number;
};

const round1 = (v: number) => Math.round(10 * v) / 10;

/** "1 cycle", "2,000 cycles". */
function cycles(n: number): string {
  return `${n.toLocaleString("en-US", { maximumFractionDigits: 2 })} cycle${n === 1 ? "" : "s"}`;
}

/**
 * How to read the simulated cycle counts, with the constants of the cost model the lessons run
 * (`costs/memory.ts`, each constant cited there): what one access, a TLB hit, a walk read and a
 * VM exit cost, so that the prose never restates them by hand.
 */
export function memoryCostsNote(model: Readonly<MemoryCostModel> = MEMORY_COSTS_DEFAULT): string {
  const handlers = Object.values(model.exitHandlerCycles);
  return (
    `*Reading the numbers:* the simulator counts only the memory system's work: **${cycles(model.accessCycles)}** per access, ` +
    `**${cycles(model.tlbHitCycles)}** per TLB hit, **${cycles(model.walkRefCycles)}** per page-walk read, and per VM exit a round trip of **${cycles(model.vmExitRoundTripCycles)}** ` +
    `plus **${Math.min(...handlers).toLocaleString("en-US")}–${Math.max(...handlers).toLocaleString("en-US")}** cycles of handler work depending on the cause ` +
    `(the "${model.name}" cost model; each constant is cited in \`kernel-lib/src/costs/memory.ts\`).`
  );
}

/**
 * The cost of keeping shadow tables in sync: cycles per access of bare metal, shadow and nested
 * paging as the guest writes its page tables more often (mmap/munmap of scratch pages). The
 * working set (default 256 pages) overflows the 64-entry TLB, so nested paging pays for its
 * longer walks and shadow paging for its exits: the lines cross. Also the exits by cause at
 * the busiest point, and a summary with the numbers.
 */
export function shadowSyncOverhead(options: { rates?: number[]; accesses?: number; workingSetPages?: number; seed?: number } = {}) {
  const rates = options.rates ?? [0, 5, 10, 20, 40];
  const accesses = options.accesses ?? 12000;
  const ws = options.workingSetPages ?? 256;
  const seed = options.seed ?? 1;
  const rows: ShadowSyncRow[] = [];
  const exitRows: { mode: string; cause: string; "VM exits per 1,000 accesses": number }[] = [];
  for (const rate of rates) {
    const trace = churnTrace(seed, accesses, ws, rate);
    let writesPer1000 = 0;
    for (const mode of ["native", "shadow", "nested"] as const) {
      const s = runTrace(trace, mode);
      if (mode === "native") writesPer1000 = round1((1000 * s.pteWrites) / s.accesses);
      rows.push({
        mode: MODE_LABEL[mode],
        "guest PTE writes per 1,000 accesses": writesPer1000,
        "cycles per access": round1(cyclesPerAccess(s)),
        "VM exits per 1,000 accesses": round1((1000 * s.vmExits) / s.accesses),
        "TLB hit rate (%)": round1(100 * s.tlbHitRate),
      });
    }
  }
  const figure = lineChart(rows, {
    x: "guest PTE writes per 1,000 accesses",
    y: "cycles per access",
    color: "mode",
    title: "The price of keeping shadow tables in sync",
    xTitle: "guest page-table entry writes per 1,000 memory accesses",
    yTitle: "cycles per memory access",
  });
  // Where exits come from: a server that forks a short-lived worker per request (every 500
  // accesses) exercises every shadow-paging exit cause: PTE writes, CR3 loads, faults, INVLPG.
  const forky = forkServerTrace(seed, accesses, 48, 500);
  for (const mode of ["shadow", "nested"] as const) {
    const s = runTrace(forky, mode);
    for (const cause of ["guest-pt-write", "cr3-load", "hidden-page-fault", "guest-page-fault", "invlpg", "ept-violation"] as const) {
      exitRows.push({ mode: MODE_LABEL[mode], cause, "VM exits per 1,000 accesses": round1((1000 * (s.vmExitsByCause[cause] ?? 0)) / s.accesses) });
    }
  }
  const exitsFigure = barChart(exitRows, {
    x: "cause",
    y: "VM exits per 1,000 accesses",
    color: "mode",
    title: "Where the VM exits come from: a web server forking a worker per request",
    xTitle: "VM exit cause",
    yTitle: "VM exits per 1,000 accesses",
  });
  labelBars(exitsFigure);
  const modeRows = (label: string) => rows.filter((r) => r.mode === label);
  const shadow = modeRows(MODE_LABEL.shadow);
  const nested = modeRows(MODE_LABEL.nested);
  const native = modeRows(MODE_LABEL.native);
  const crossing = firstCrossing(shadow.map((r) => r["guest PTE writes per 1,000 accesses"]), shadow.map((r) => r["cycles per access"]), nested.map((r) => r["cycles per access"]));
  const last = shadow.length - 1;
  const summary =
    `With a static page table (0 writes), bare metal needs **${native[0]!["cycles per access"]}** cycles per access, shadow paging **${shadow[0]!["cycles per access"]}** and nested paging **${nested[0]!["cycles per access"]}** ` +
    `(TLB hit rate ${native[0]!["TLB hit rate (%)"]}%: shadow walks are native-length, nested walks are not). ` +
    `At **${shadow[last]!["guest PTE writes per 1,000 accesses"]}** guest PTE writes per 1,000 accesses, shadow paging takes **${shadow[last]!["VM exits per 1,000 accesses"]}** VM exits per 1,000 accesses and needs **${shadow[last]!["cycles per access"]}** cycles per access; ` +
    `nested paging takes ${nested[last]!["VM exits per 1,000 accesses"]} exits and needs **${nested[last]!["cycles per access"]}**. ` +
    (crossing === null
      ? "In this range shadow paging stays cheaper."
      : `The lines cross at about **${formatNumber(crossing.x)}** PTE writes per 1,000 accesses (read between the measured points): above that, shadow paging is the more expensive one.`) +
    ` (Working set ${ws} pages, ${TLB_ENTRIES}-entry TLB, ${accesses.toLocaleString("en-US")} measured accesses per run after a warm-up pass; default cost model: VM exit round trip ${cycles(MEMORY_COSTS_DEFAULT.vmExitRoundTripCycles)} (figure B7), page-walk reference ${cycles(MEMORY_COSTS_DEFAULT.walkRefCycles)} (derived from B13).)`;
  return { rows, exitRows, figure, exitsFigure, summary };
}

/** The what-if's server workloads: name, description and trace. */
export function serverWorkloads(seed = 1, accesses = 20000): { name: string; trace: MemoryTrace; description: string }[] {
  return [
    { name: "in-memory database", description: "large static working set (8 MiB), no page-table changes", trace: churnTrace(seed, accesses, 2048, 0) },
    { name: "web server, steady", description: "working set that fits the TLB, a few mmap/munmap", trace: churnTrace(seed, accesses, 48, 2) },
    { name: "web server, fork per request", description: "parent forks a short-lived worker every 500 accesses", trace: forkServerTrace(seed, accesses, 48, 500) },
  ];
}

/** The what-if: the server workloads on bare metal and under shadow and nested paging. */
export function serverWhatIf(options: { seed?: number; accesses?: number } = {}) {
  const rows: { workload: string; mode: string; "cycles per access": number; "slowdown vs bare metal": number; "TLB hit rate (%)": number; "VM exits": number }[] = [];
  for (const w of serverWorkloads(options.seed ?? 1, options.accesses ?? 20000)) {
    const native = runTrace(w.trace, "native");
    for (const mode of ["native", "shadow", "nested"] as const) {
      const s = mode === "native" ? native : runTrace(w.trace, mode);
      rows.push({
        workload: w.name,
        mode: MODE_LABEL[mode],
        "cycles per access": round1(cyclesPerAccess(s)),
        "slowdown vs bare metal": Math.round((100 * s.cycles) / native.cycles) / 100,
        "TLB hit rate (%)": round1(100 * s.tlbHitRate),
        "VM exits": s.vmExits,
      });
    }
  }
  const figure = barChart(rows, {
    x: "workload",
    y: "cycles per access",
    color: "mode",
    title: "High-performance servers: what does each memory virtualization cost?",
    xTitle: "server workload",
    yTitle: "cycles per memory access (log scale)",
    logY: true,
  });
  labelBars(figure);
  const line = (w: string) => {
    const s = rows.find((r) => r.workload === w && r.mode === MODE_LABEL.shadow)!;
    const n = rows.find((r) => r.workload === w && r.mode === MODE_LABEL.nested)!;
    const better = s["cycles per access"] < n["cycles per access"] ? "shadow paging" : "nested paging";
    const b = rows.find((r) => r.workload === w && r.mode === MODE_LABEL.native)!;
    return `- **${w}** (TLB hit rate ${n["TLB hit rate (%)"]}%): bare metal ${b["cycles per access"]} cycles per access, shadow paging ${s["cycles per access"]} (${s["VM exits"]} VM exits), nested paging ${n["cycles per access"]} (${n["VM exits"]} VM exits) → **${better}** wins.`;
  };
  const summary = serverWorkloads(1, 1).map((w) => line(w.name)).join("\n");
  return { rows, figure, summary };
}
