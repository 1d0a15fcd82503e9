/**
 * The memory runs lessons 05 and 06 share: six workloads under native, shadow and nested paging,
 * and a TLB-miss-heavy program swept over page-table churn, with the crossover where shadow and
 * nested paging cost the same. Sizes are chosen so every run takes a few hundred milliseconds
 * (a notebook's Run All must stay under 10 s).
 *
 * A note on units: the memory model charges 1 cycle for the memory access itself (figure B13's
 * native CPI of 1), so "cycles per access" is the cost of the access plus its translation and
 * any VM exits it caused. A whole application does much more per access, so its slowdown is far
 * smaller than the mechanism's (published application figures: B1, B2, B4).
 */
import { firstCrossing } from "../../core/crossing";
import { ConfigError, requireInt } from "../../core/errors";
import { Random } from "../../core/random";
import type { MemoryRunStats, MemoryVirtualizationMode } from "../../hypervisor/machine";
import { TraceBuilder, type MemoryTrace } from "../../workloads/trace";
import { contextSwitchWorkload, forkExecWorkload, hotColdWorkload, mmapChurnWorkload, sequentialWorkload, uniformWorkload } from "../../workloads/generators";
import { measureMemory } from "../../experiments/measure";

const FIRST_VPN = 0x10000;

/**
 * Host memory of the lesson's machines: 4 GiB holds the 1 GiB VM and the hypervisor's pool.
 * Smaller than the 16 GiB default because every machine keeps a per-frame index of its host
 * memory (4 bytes a frame): a class of kernels running notebook 05 feels the difference.
 */
export const LESSON_HOST_MEMORY_BYTES = 2 ** 32;
const MODES: readonly MemoryVirtualizationMode[] = ["native", "shadow", "nested"];

/**
 * Runs `trace` on a fresh machine in `mode`. With `warmup` the trace's pages are touched once
 * first (outside the measurement), so shadow tables are filled and the run shows the steady
 * state rather than the one-time cost of building them.
 */
function measure(mode: MemoryVirtualizationMode, trace: MemoryTrace, warmup: boolean): MemoryRunStats {
  return measureMemory(trace, mode, { machine: { hostMemoryBytes: LESSON_HOST_MEMORY_BYTES }, warmUp: warmup ? "touch" : "none" });
}

/** One run of the workload comparison. */
export type WorkloadRow = {
  /** Workload label. */
  workload: string;
  /** "native", "shadow" or "nested". */
  mode: string;
  /** Modeled cycles per data access (access + translation + exits). */
  cyclesPerAccess: number;
  /** Cycles per access relative to native, in % above it. */
  overheadPercent: number;
  /** VM exits per 1000 accesses. */
  vmExitsPerThousand: number;
  /** TLB hit rate, %. */
  tlbHitPercent: number;
};

/** The workloads of the comparison, each a short description and a trace. */
export function workloads(seed = 1): { label: string; kind: string; trace: MemoryTrace }[] {
  return [
    { label: "scan 1024 pages", kind: "static, TLB misses", trace: sequentialWorkload({ accesses: 10_000, pages: 1024, seed }) },
    { label: "random 1024 pages", kind: "static, TLB misses", trace: uniformWorkload({ accesses: 10_000, pages: 1024, seed }) },
    { label: "hot/cold", kind: "static, mostly TLB hits", trace: hotColdWorkload({ accesses: 10_000, hotPages: 32, coldPages: 1024, seed }) },
    { label: "context switches", kind: "4 processes, CR3 loads", trace: contextSwitchWorkload({ accesses: 10_000, processes: 4, pagesPerProcess: 64, quantum: 500, seed }) },
    { label: "fork/exec", kind: "page-table churn", trace: forkExecWorkload({ cycles: 5, seed }) },
    { label: "mmap/munmap", kind: "page-table churn", trace: mmapChurnWorkload({ cycles: 20, seed }) },
  ];
}

/**
 * Native, shadow and nested paging on each workload of {@link workloads}. Static
 * workloads are measured after a warm-up pass (steady state); churn workloads include their
 * page-table work, which is what they measure.
 */
export function workloadComparison(options: { seed?: number; workloads?: readonly string[] } = {}): WorkloadRow[] {
  const rows: WorkloadRow[] = [];
  const all = workloads(options.seed ?? 1);
  const wanted = options.workloads ?? all.map((w) => w.label);
  for (const label of wanted) {
    if (!all.some((w) => w.label === label)) throw new ConfigError("workloads", label, `labels of workloads: ${all.map((w) => JSON.stringify(w.label)).join(", ")}`);
  }
  for (const w of all.filter((x) => wanted.includes(x.label))) {
    const warm = w.kind.startsWith("static");
    const stats = MODES.map((mode) => measure(mode, w.trace, warm));
    const native = stats[0]!.cycles / stats[0]!.accesses;
    stats.forEach((s, i) => {
      const perAccess = s.cycles / s.accesses;
      rows.push({
        workload: w.label,
        mode: MODES[i]!,
        cyclesPerAccess: perAccess,
        overheadPercent: 100 * (perAccess / native - 1),
        vmExitsPerThousand: (1000 * s.vmExits) / s.accesses,
        tlbHitPercent: 100 * s.tlbHitRate,
      });
    });
  }
  return rows;
}

/** Which mode is cheaper on each workload, as markdown bullet lines with the numbers. */


/** One point of the churn sweep. */
export type ChurnRow = {
  /** Guest page-table entry writes per 1000 data accesses (measured). */
  pteWritesPerThousand: number;
  /** "native", "shadow" or "nested". */
  mode: string;
  /** Modeled cycles per data access. */
  cyclesPerAccess: number;
  /** VM exits per 1000 accesses. */
  vmExitsPerThousand: number;
  /** TLB hit rate, %. */
  tlbHitPercent: number;
  /** VM exits per 1000 accesses, by cause. */
  exitsPerThousandByCause: Record<string, number>;
};

/**
 * A TLB-miss-heavy program (uniform random reads over `pages` premapped pages, more than the
 * TLB holds) that every `period` accesses maps a scratch page, writes it and unmaps it again
 * (page-table churn). `period` 0 means no churn.
 */
export function churnTrace(period: number, options: { accesses?: number; pages?: number; seed?: number } = {}): MemoryTrace {
  requireInt("period", period, 0, 1 << 30);
  const accesses = requireInt("accesses", options.accesses ?? 10_000, 1, 1 << 24);
  const pages = requireInt("pages", options.pages ?? 1024, 1, 1 << 20);
  const seed = options.seed ?? 1;
  const rng = new Random(seed);
  const t = new TraceBuilder(4096, accesses + (period > 0 ? (3 * accesses) / period + 3 : 0));
  t.premapRange(0, FIRST_VPN, pages);
  const scratch = FIRST_VPN + pages + 16;
  for (let i = 0; i < accesses; i++) {
    if (period > 0 && i % period === period - 1) t.map(scratch).write(scratch).unmap(scratch);
    else t.read(FIRST_VPN + rng.int(pages));
  }
  return t.build(period === 0 ? "no churn" : `map/unmap every ${period} accesses`, seed);
}

/**
 * The crossover: the churn trace at each period in `periods` (default from none to one
 * map/write/unmap every 20 accesses), in native, shadow and nested mode, after a warm-up.
 */
export function churnSweep(options: { periods?: readonly number[]; seed?: number; pages?: number } = {}): ChurnRow[] {
  const periods = options.periods ?? [0, 1000, 400, 200, 100, 50, 20];
  if (!Array.isArray(periods) || periods.length === 0) throw new ConfigError("periods", periods, "a non-empty array of periods (0 = no churn)");
  const rows: ChurnRow[] = [];
  for (const period of periods) {
    const trace = churnTrace(period, { seed: options.seed ?? 1, ...(options.pages === undefined ? {} : { pages: options.pages }) });
    for (const mode of MODES) {
      const s = measure(mode, trace, true);
      rows.push({
        pteWritesPerThousand: (1000 * s.pteWrites) / s.accesses,
        mode,
        cyclesPerAccess: s.cycles / s.accesses,
        vmExitsPerThousand: (1000 * s.vmExits) / s.accesses,
        tlbHitPercent: 100 * s.tlbHitRate,
        exitsPerThousandByCause: Object.fromEntries(Object.entries(s.vmExitsByCause).map(([cause, n]) => [cause, (1000 * (n ?? 0)) / s.accesses])),
      });
    }
  }
  return rows;
}

/**
 * Where shadow and nested cost the same, by linear interpolation between the sweep's points:
 * the churn (PTE writes per 1000 accesses) and the cycles per access there. Null when one mode
 * wins over the whole sweep.
 */
export function crossover(rows: readonly ChurnRow[]): { pteWritesPerThousand: number; cyclesPerAccess: number } | null {
  const series = (mode: string) => rows.filter((r) => r.mode === mode).sort((a, b) => a.pteWritesPerThousand - b.pteWritesPerThousand);
  const shadow = series("shadow");
  const nested = series("nested");
  if (shadow.length !== nested.length || shadow.length < 2) throw new ConfigError("rows", rows.length, "rows from churnSweep with at least two churn levels");
  const at = firstCrossing(shadow.map((r) => r.pteWritesPerThousand), shadow.map((r) => r.cyclesPerAccess), nested.map((r) => r.cyclesPerAccess));
  return at && { pteWritesPerThousand: at.x, cyclesPerAccess: at.y };
}
