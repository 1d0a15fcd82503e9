/**
 * Lesson helpers of notebook 05 (impact on system performance).
 *
 * Runs the memory-virtualization machine (hypervisor/machine.ts) in native, shadow and nested
 * mode on a few workloads and returns tidy rows: where each mode pays, the crossover as page-
 * table churn grows, what large pages do to TLB reach and walk length, and one summary table
 * that puts memory and I/O overheads side by side. Sizes are chosen so every helper runs in a
 * few hundred milliseconds (the notebook's Run All must stay under 10 s).
 *
 * A note on units: the memory model charges 1 cycle for the memory access itself (figure B13's
 * native CPI of 1), so "cycles per access" is the cost of the access plus its translation and
 * any VM exits it caused. A whole application does much more per access, so its slowdown is far
 * smaller than the mechanism's (published application figures: B1, B2, B4).
 */
import { ConfigError, requireInt } from "../core/errors";
import { Random } from "../core/random";
import { formatNumber } from "../display/bundle";
import { MEMORY_COSTS_DEFAULT, exitCycles } from "../costs/memory";
import { Machine, type MachineConfig, type MemoryRunStats, type MemoryVirtualizationMode } from "../hypervisor/machine";
import type { MemoryTrace } from "../workloads/trace";
import { TraceBuilder } from "../workloads/trace";
import { contextSwitchWorkload, forkExecWorkload, hotColdWorkload, mmapChurnWorkload, sequentialWorkload, uniformWorkload } from "../workloads/generators";
import type { Figure } from "../charts/figure";
import { lessonRatioFigure } from "./charts";
import { IO_LESSON_VARIANTS, ioLessonPathComparison, ioLessonSteadyRun, type IoLessonPathRow } from "./io-virtualization";
import { churnRows, type ChurnParams } from "../playgrounds/page-table-churn";
import { tlbSizeRows, type TlbSizeParams } from "../playgrounds/tlb-size";
import { pageWalkReads } from "../playgrounds/page-walk";

const f = formatNumber;

/**
 * The memory cost model the notebook's runs use, as markdown: the access and TLB-hit charges
 * (modelling assumptions), a walk reference, and the VM exits of shadow paging with their handlers.
 */
export function perfLessonCostModelNotice(): string {
  const c = MEMORY_COSTS_DEFAULT;
  const plural = (n: number) => `${f(n)} cycle${n === 1 ? "" : "s"}`;
  return (
    `**The cost model** (kernel-lib's default, \`kl.MEMORY_COSTS_DEFAULT\`, every constant cited in \`costs/memory.ts\`): ` +
    `the data access itself ${plural(c.accessCycles)} and a TLB hit ${plural(c.tlbHitCycles)}, modelling assumptions, so "cycles per access" ` +
    `measures the translation mechanism rather than a real memory latency; each page-walk memory reference ${plural(c.walkRefCycles)}; ` +
    `a VM exit ${plural(c.vmExitRoundTripCycles)} for the round trip plus its handler: ${plural(exitCycles(c, "guest-pt-write"))} in all for a ` +
    `guest page-table write, ${plural(exitCycles(c, "cr3-load"))} for a CR3 load, ${plural(exitCycles(c, "hidden-page-fault"))} for a hidden page fault.`
  );
}

const FIRST_VPN = 0x10000;

/**
 * Host memory of the lesson's machines: 4 GiB holds the 1 GiB VM and the hypervisor's pool.
 * Smaller than the 16 GiB default because every machine keeps a per-frame index of its host
 * memory (4 bytes a frame): a class of kernels running notebook 05 feels the difference.
 */
const LESSON_HOST_MEMORY_BYTES = 2 ** 32;
const MODES: readonly MemoryVirtualizationMode[] = ["native", "shadow", "nested"];

/**
 * Runs `trace` on a fresh machine in `mode`. With `warmup` the trace's pages are touched once
 * first (outside the measurement), so shadow tables are filled and the run shows the steady
 * state rather than the one-time cost of building them.
 */
function measure(mode: MemoryVirtualizationMode, trace: MemoryTrace, config: Partial<MachineConfig> = {}, guestPageSizeBytes?: number, warmup = false): MemoryRunStats {
  const machine = new Machine({ mode, hostMemoryBytes: LESSON_HOST_MEMORY_BYTES, ...config });
  const vm = machine.createVm(guestPageSizeBytes === undefined ? {} : { guestPageSizeBytes });
  if (warmup) {
    machine.prepare(trace, vm);
    const t = new TraceBuilder(trace.pageSizeBytes, 1024);
    for (const region of trace.premap) {
      if (region.process !== 0) continue;
      for (let i = 0; i < region.vpns.length; i++) t.read(region.vpns[i]!);
    }
    machine.run(t.build("warm-up"), vm, { premap: false });
    return machine.run(trace, vm, { premap: false });
  }
  return machine.run(trace, vm);
}

// ---- 1. shadow vs nested across workloads ---------------------------------------------------------

/** One run of the workload comparison. */
export type PerfLessonWorkloadRow = {
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
export function perfLessonWorkloads(seed = 1): { label: string; kind: string; trace: MemoryTrace }[] {
  return [
    { label: "scan 1024 pages", kind: "static, TLB misses", trace: sequentialWorkload({ accesses: 10_000, pages: 1024, seed }) },
    { label: "random 1024 pages", kind: "static, TLB misses", trace: uniformWorkload({ accesses: 10_000, pages: 1024, seed }) },
    { label: "hot/cold", kind: "static, mostly TLB hits", trace: hotColdWorkload({ accesses: 10_000, hotPages: 32, coldPages: 1024, seed }) },
    { label: "context switches", kind: "4 processes, CR3 loads", trace: contextSwitchWorkload({ accesses: 10_000, processes: 4, pagesPerProcess: 64, quantum: 500, seed }) },
    { label: "fork/exec", kind: "page-table churn", trace: forkExecWorkload({ cycles: 5, seed }) },
    { label: "mmap/munmap", kind: "page-table churn", trace: mmapChurnWorkload({ cycles: 20, seed }) },
  ];
}

/** The workloads of the comparison as table rows: label and what it does to its page tables. */
export function perfLessonWorkloadList(seed = 1): { workload: string; "page tables and TLB": string; "memory accesses": number }[] {
  return perfLessonWorkloads(seed).map((w) => ({ workload: w.label, "page tables and TLB": w.kind, "memory accesses": w.trace.accesses }));
}

/**
 * Native, shadow and nested paging on each workload of {@link perfLessonWorkloads}. Static
 * workloads are measured after a warm-up pass (steady state); churn workloads include their
 * page-table work, which is what they measure.
 */
export function perfLessonWorkloadComparison(options: { seed?: number; workloads?: readonly string[] } = {}): PerfLessonWorkloadRow[] {
  const rows: PerfLessonWorkloadRow[] = [];
  const all = perfLessonWorkloads(options.seed ?? 1);
  const wanted = options.workloads ?? all.map((w) => w.label);
  for (const label of wanted) {
    if (!all.some((w) => w.label === label)) throw new ConfigError("workloads", label, `labels of perfLessonWorkloads: ${all.map((w) => JSON.stringify(w.label)).join(", ")}`);
  }
  for (const w of all.filter((x) => wanted.includes(x.label))) {
    const warm = w.kind.startsWith("static");
    const stats = MODES.map((mode) => measure(mode, w.trace, {}, undefined, warm));
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
export function perfLessonWinners(rows: readonly PerfLessonWorkloadRow[]): string {
  const workloads = [...new Set(rows.map((r) => r.workload))];
  return workloads
    .map((w) => {
      const shadow = rows.find((r) => r.workload === w && r.mode === "shadow");
      const nested = rows.find((r) => r.workload === w && r.mode === "nested");
      if (!shadow || !nested) throw new ConfigError("rows", w, "rows with a shadow and a nested run per workload");
      const [win, lose] = shadow.cyclesPerAccess <= nested.cyclesPerAccess ? [shadow, nested] : [nested, shadow];
      return `- **${w}**: ${win.mode} wins, ${formatNumber(win.cyclesPerAccess)} vs ${formatNumber(lose.cyclesPerAccess)} cycles per access (${formatNumber(lose.cyclesPerAccess / win.cyclesPerAccess)}×)`;
    })
    .join("\n");
}

/** "What to notice" for the workload chart: whether the winner changes with the workload, then {@link perfLessonWinners}. */
export function perfLessonWinnersNotice(rows: readonly PerfLessonWorkloadRow[]): string {
  const list = perfLessonWinners(rows);
  const flips = /shadow wins/.test(list) && /nested wins/.test(list);
  return `**What to notice:** ${flips ? "the winner flips with the workload" : "one mode wins every workload here"}.\n\n${list}`;
}

// ---- 2. the crossover as page-table churn grows ---------------------------------------------------

/** One point of the churn sweep. */
export type PerfLessonChurnRow = {
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
export function perfLessonChurnTrace(period: number, options: { accesses?: number; pages?: number; seed?: number } = {}): MemoryTrace {
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
export function perfLessonChurnSweep(options: { periods?: readonly number[]; seed?: number; pages?: number } = {}): PerfLessonChurnRow[] {
  const periods = options.periods ?? [0, 1000, 400, 200, 100, 50, 20];
  if (!Array.isArray(periods) || periods.length === 0) throw new ConfigError("periods", periods, "a non-empty array of periods (0 = no churn)");
  const rows: PerfLessonChurnRow[] = [];
  for (const period of periods) {
    const trace = perfLessonChurnTrace(period, { seed: options.seed ?? 1, ...(options.pages === undefined ? {} : { pages: options.pages }) });
    for (const mode of MODES) {
      const s = measure(mode, trace, {}, undefined, true);
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
export function perfLessonCrossover(rows: readonly PerfLessonChurnRow[]): { pteWritesPerThousand: number; cyclesPerAccess: number } | null {
  const series = (mode: string) => rows.filter((r) => r.mode === mode).sort((a, b) => a.pteWritesPerThousand - b.pteWritesPerThousand);
  const shadow = series("shadow");
  const nested = series("nested");
  if (shadow.length !== nested.length || shadow.length < 2) throw new ConfigError("rows", rows.length, "rows from perfLessonChurnSweep with at least two churn levels");
  for (let i = 1; i < shadow.length; i++) {
    const d0 = shadow[i - 1]!.cyclesPerAccess - nested[i - 1]!.cyclesPerAccess;
    const d1 = shadow[i]!.cyclesPerAccess - nested[i]!.cyclesPerAccess;
    if (d0 <= 0 && d1 > 0) {
      const f = -d0 / (d1 - d0);
      const x0 = shadow[i - 1]!.pteWritesPerThousand;
      const x1 = shadow[i]!.pteWritesPerThousand;
      const y0 = nested[i - 1]!.cyclesPerAccess;
      const y1 = nested[i]!.cyclesPerAccess;
      return { pteWritesPerThousand: x0 + f * (x1 - x0), cyclesPerAccess: y0 + f * (y1 - y0) };
    }
  }
  return null;
}

function churnSeries(rows: readonly PerfLessonChurnRow[], mode: string): PerfLessonChurnRow[] {
  const out = rows.filter((r) => r.mode === mode).sort((a, b) => a.pteWritesPerThousand - b.pteWritesPerThousand);
  if (out.length < 2) throw new ConfigError("rows", rows.length, `rows from perfLessonChurnSweep with at least two churn levels per mode (${mode})`);
  return out;
}

/** "What to notice" for the crossover chart, from its rows. */
export function perfLessonCrossoverNotice(rows: readonly PerfLessonChurnRow[]): string {
  const native = churnSeries(rows, "native"), shadow = churnSeries(rows, "shadow"), nested = churnSeries(rows, "nested");
  const cross = perfLessonCrossover(rows);
  const lo = Math.min(...nested.map((r) => r.cyclesPerAccess)), hi = Math.max(...nested.map((r) => r.cyclesPerAccess));
  const flat = hi <= 1.05 * lo;
  const startsNative = Math.abs(shadow[0]!.cyclesPerAccess - native[0]!.cyclesPerAccess) <= 0.02 * native[0]!.cyclesPerAccess;
  const [s0, s1] = [shadow[0]!, shadow[shadow.length - 1]!];
  return (
    `**What to notice** (TLB hits ${f(s0.tlbHitPercent)} % without churn): nested paging stays between ${f(lo)} and ${f(hi)} cycles per access` +
    (flat ? `, nearly flat: the guest's page-table writes cost it no exits. ` : `. `) +
    `Shadow paging starts at ${f(s0.cyclesPerAccess)} cycles per access${startsNative ? " (the native cost)" : ""} and reaches ` +
    `${f(s1.cyclesPerAccess)} at ${f(s1.pteWritesPerThousand)} page-table writes per 1000 accesses, with ${f(s1.vmExitsPerThousand)} exits per 1000 accesses. ` +
    (cross === null
      ? `The lines do not cross in this range: try other churn levels.`
      : `They cross at about **${f(cross.pteWritesPerThousand)} page-table writes per 1000 accesses**: below that shadow paging wins for this ` +
        `program, above it nested paging. A program that missed the TLB less would pay nested paging less per access, and cross earlier.`)
  );
}

/**
 * The graded crossover formula next to the simulator: where each crosses, which is earlier, and
 * what one page-table write really costs the simulated shadow run (the slope of its line, and its
 * exits per write by cause) against the single exit the formula charges.
 */
export function perfLessonCrossoverComparison(rows: readonly PerfLessonChurnRow[], predicted: number, missesPerThousand: number): string {
  const shadow = churnSeries(rows, "shadow");
  const cross = perfLessonCrossover(rows);
  const [s0, s1] = [shadow[0]!, shadow[shadow.length - 1]!];
  const writes = s1.pteWritesPerThousand - s0.pteWritesPerThousand;
  const cyclesPerWrite = (1000 * (s1.cyclesPerAccess - s0.cyclesPerAccess)) / writes;
  const exitsPerWrite = (s1.vmExitsPerThousand - s0.vmExitsPerThousand) / writes;
  const byCause = Object.entries(s1.exitsPerThousandByCause)
    .map(([cause, n]) => [cause, (n - (s0.exitsPerThousandByCause[cause] ?? 0)) / writes] as const)
    .filter(([, n]) => n > 0.005)
    .sort((a, b) => b[1] - a[1])
    .map(([cause, n]) => `${cause} ${f(n)}`)
    .join(", ");
  const modelExit = exitCycles(MEMORY_COSTS_DEFAULT, "guest-pt-write");
  const head =
    `With ${f(missesPerThousand)} TLB misses per 1000 accesses your formula predicts a crossover at ${f(predicted)} page-table writes ` +
    `per 1000 accesses; the simulator found ${cross === null ? "none in its range" : f(cross.pteWritesPerThousand)}. `;
  if (cross === null || !Number.isFinite(predicted)) return head.trim();
  const direction = Math.abs(cross.pteWritesPerThousand - predicted) <= 0.05 * predicted ? "at about the same place" : cross.pteWritesPerThousand < predicted ? "**earlier**" : "**later**";
  return (
    head +
    `The simulator crosses ${direction}. Your model charges one exit of ${f(modelExit)} cycles per page-table write; in the simulated ` +
    `shadow run each page-table write cost about ${f(cyclesPerWrite)} cycles and ${f(exitsPerWrite)} exits (per write, by cause: ${byCause}). ` +
    `Why do the two differ, and which exits does the formula leave out?`
  );
}

/** "What to notice" under the page-table-churn playground, from the same (cached) rows it draws. */
export function perfLessonChurnPlaygroundNotice(params: ChurnParams): string {
  const rows = churnRows(params);
  const by = (mode: string) => rows.find((r) => r.mode === mode)!;
  const [shadow, nested] = [by("shadow"), by("nested")];
  const [win, lose] = shadow.slowdown <= nested.slowdown ? [shadow, nested] : [nested, shadow];
  return (
    `**What to notice** (${f(params.forkExecPer10k)} fork/exec per 10,000 accesses, ${f(params.workingSetPages)}-page working set, ` +
    `${params.hostPageKiB >= 1024 ? `${f(params.hostPageKiB / 1024)} MiB` : `${f(params.hostPageKiB)} KiB`} host pages): shadow paging takes ` +
    `${f(shadow.slowdown)}× the native time with ${f(shadow.vmExitsPer1k)} exits per 1000 accesses; nested paging ${f(nested.slowdown)}× with ` +
    `${f(nested.vmExitsPer1k)}. Here **${win.mode}** wins, by ${f(lose.slowdown / win.slowdown)}×. Set the fork/exec rate to 0: who wins then?`
  );
}

// ---- 3. TLB reach and large pages ------------------------------------------------------------------

/** One configuration of the large-page comparison. */
export type PerfLessonPageSizeRow = {
  /** Label, e.g. "nested, guest 4 KiB / host 2 MiB". */
  configuration: string;
  /** "native" or "nested". */
  mode: string;
  /** Page size the TLB entries cover, KiB. */
  tlbPageKiB: number;
  /** TLB reach: entries × page size, KiB. */
  tlbReachKiB: number;
  /** TLB hit rate, %. */
  tlbHitPercent: number;
  /** Page-table entries read per walk (measured). */
  walkReferences: number;
  /** Modeled cycles per access. */
  cyclesPerAccess: number;
};

/**
 * Random reads over `pages` 4 KiB pages (default 4096 = 16 MiB, far beyond a 64-entry TLB's
 * 256 KiB reach) with 4 KiB and 2 MiB pages in the guest and the host.
 */
export function perfLessonLargePages(options: { seed?: number; pages?: number } = {}): PerfLessonPageSizeRow[] {
  const pages = requireInt("pages", options.pages ?? 4096, 1, 1 << 20);
  const trace = uniformWorkload({ accesses: 10_000, pages, seed: options.seed ?? 1 });
  const MiB2 = 2 * 1024 * 1024;
  const configs: { configuration: string; mode: MemoryVirtualizationMode; guest?: number; host?: number }[] = [
    { configuration: "native, 4 KiB pages", mode: "native" },
    { configuration: "native, 2 MiB pages", mode: "native", guest: MiB2 },
    { configuration: "nested, guest 4 KiB / host 4 KiB", mode: "nested" },
    { configuration: "nested, guest 4 KiB / host 2 MiB", mode: "nested", host: MiB2 },
    { configuration: "nested, guest 2 MiB / host 2 MiB", mode: "nested", guest: MiB2, host: MiB2 },
  ];
  return configs.map((c) => {
    const machine = new Machine({ mode: c.mode, hostMemoryBytes: LESSON_HOST_MEMORY_BYTES, ...(c.host ? { hostPageSizeBytes: c.host } : {}) });
    const vm = machine.createVm(c.guest ? { guestPageSizeBytes: c.guest } : {});
    const s = machine.run(trace, vm);
    const tlbPageKiB = (c.guest ?? 4096) / 1024;
    return {
      configuration: c.configuration,
      mode: c.mode,
      tlbPageKiB,
      tlbReachKiB: machine.mmu.tlb.entries * tlbPageKiB,
      tlbHitPercent: 100 * s.tlbHitRate,
      walkReferences: s.walks === 0 ? 0 : s.walkRefs / s.walks,
      cyclesPerAccess: s.cycles / s.accesses,
    };
  });
}

function pageRow(rows: readonly PerfLessonPageSizeRow[], configuration: string): PerfLessonPageSizeRow {
  const r = rows.find((x) => x.configuration === configuration);
  if (!r) throw new ConfigError("rows", configuration, "rows from perfLessonLargePages");
  return r;
}

/**
 * TLB reach from the large-page rows: entries (the same for every page size in this model),
 * reach with 4 KiB and 2 MiB pages, and the working set of `pages` 4 KiB pages for comparison.
 */
export function perfLessonTlbReachNotice(rows: readonly PerfLessonPageSizeRow[], pages: number): string {
  const small = pageRow(rows, "nested, guest 4 KiB / host 4 KiB"), big = pageRow(rows, "nested, guest 2 MiB / host 2 MiB");
  const entries = small.tlbReachKiB / small.tlbPageKiB;
  const bigEntries = big.tlbReachKiB / big.tlbPageKiB;
  const ws = pages * 4;
  return (
    `**TLB reach in this run:** the simulated TLB holds ${f(entries)} entries` +
    (bigEntries === entries ? ` for 4 KiB and 2 MiB pages alike` : ` for 4 KiB pages and ${f(bigEntries)} for 2 MiB pages`) +
    `. With 4 KiB pages it reaches ${f(small.tlbReachKiB)} KiB; with 2 MiB pages ${f(big.tlbReachKiB)} KiB, ` +
    `${f(big.tlbReachKiB / small.tlbReachKiB)}× more. The program's working set is ${f(ws)} KiB ` +
    `(${f(pages)} pages of 4 KiB): ${small.tlbReachKiB >= ws ? "it fits even with small pages" : big.tlbReachKiB >= ws ? "it fits only with 2 MiB pages" : "it fits with neither"}.`
  );
}

/** "What to notice" for the large-page chart, from its rows. */
export function perfLessonLargePagesNotice(rows: readonly PerfLessonPageSizeRow[]): string {
  const n44 = pageRow(rows, "nested, guest 4 KiB / host 4 KiB"), n42 = pageRow(rows, "nested, guest 4 KiB / host 2 MiB");
  const n22 = pageRow(rows, "nested, guest 2 MiB / host 2 MiB"), nat = pageRow(rows, "native, 4 KiB pages");
  return (
    `**What to notice:** host 2 MiB pages shorten each nested walk from ${f(n44.walkReferences)} to ${f(n42.walkReferences)} memory reads, ` +
    `but the TLB hit rate stays at ${f(n42.tlbHitPercent)} % (the guest still maps 4 KiB pages), so the cost only falls from ` +
    `${f(n44.cyclesPerAccess)} to ${f(n42.cyclesPerAccess)} cycles per access. With 2 MiB pages in the guest as well, ${f(n22.tlbHitPercent)} % ` +
    `of accesses hit, the rare walk reads ${f(n22.walkReferences)} entries, and an access costs ${f(n22.cyclesPerAccess)} cycles ` +
    `(native with 4 KiB pages: ${f(nat.cyclesPerAccess)}).`
  );
}

/** "What to notice" under the tlb-size playground, from the playground's own rows for the same parameters. */
export function perfLessonTlbPlaygroundNotice(params: TlbSizeParams): string {
  const rows = tlbSizeRows(params);
  const by = (mode: string) => rows.find((r) => r.mode === mode)!;
  const [nat, sh, ne] = [by("native"), by("shadow"), by("nested")];
  const pct = (x: number) => `${f(100 * x)} %`;
  return (
    `**What to notice** (${f(params.tlbEntries)} entries for ${f(params.workingSetPages)} pages): the TLB hits ${pct(nat.tlbHitRate)} of ` +
    `accesses natively, ${pct(sh.tlbHitRate)} under shadow paging and ${pct(ne.tlbHitRate)} under nested paging. A miss reads ` +
    `${f(sh.walkRefsPerAccess / Math.max(1e-9, 1 - sh.tlbHitRate))} entries under shadow paging and ${f(ne.walkRefsPerAccess / Math.max(1e-9, 1 - ne.tlbHitRate))} ` +
    `under nested paging, so an access costs ${f(nat.cyclesPerAccess)} cycles natively, ${f(sh.cyclesPerAccess)} with shadow and ` +
    `${f(ne.cyclesPerAccess)} with nested paging. Grow the TLB past the working set: what happens to the gap?`
  );
}

/** "What to notice" under a page-walk playground, from the simulator's counts for the same parameters (and for 4 KiB pages). */
export function perfLessonPageWalkNotice(params: { guestLevels: number; hostLevels: number; guestPageKiB: number; hostPageKiB: number }): string {
  const { guestLevels: g, hostLevels: h, guestPageKiB: gp, hostPageKiB: hp } = params;
  const w = pageWalkReads(g, h, gp, hp);
  const size = (kib: number) => (kib >= 1048576 ? "1 GiB" : kib >= 1024 ? `${f(kib / 1024)} MiB` : `${f(kib)} KiB`);
  const nested = w.nestedGuest + w.nestedHost;
  const small = gp === 4 && hp === 4 ? null : pageWalkReads(g, h, 4, 4);
  return (
    `**What to notice** (guest ${g}-level with ${size(gp)} pages, host ${h}-level with ${size(hp)} pages): one TLB miss reads ` +
    `${w.native} entries natively and ${w.shadow} under shadow paging, but ${nested} under nested paging ` +
    `(${w.nestedGuest} guest entries and ${w.nestedHost} host entries, because every guest table pointer is itself translated by the host's table)` +
    (small ? `; with 4 KiB pages on both sides the nested walk reads ${small.nestedGuest + small.nestedHost}.` : `.`)
  );
}

// ---- 4. the summary: what each mechanism costs ---------------------------------------------------

/** One bar of the summary chart. */
export type PerfLessonSummaryRow = {
  /** "memory" or "I/O". */
  area: string;
  /** What was measured, e.g. "shadow, fork/exec". */
  scenario: string;
  /** Cost relative to no virtualization (1 = same as native / bare metal). */
  slowdown: number;
  /** What it buys: isolation, flexibility… (one phrase). */
  buys: string;
};

/**
 * The key numbers in one table: the cost of each mechanism relative to running without
 * virtualization — memory modes as cycles per access over native, I/O paths as CPU cycles
 * per request over bare metal.
 */
export function perfLessonSummary(options: { seed?: number; workloadRows?: readonly PerfLessonWorkloadRow[]; pageRows?: readonly PerfLessonPageSizeRow[]; ioRows?: readonly IoLessonPathRow[] } = {}): PerfLessonSummaryRow[] {
  const seed = options.seed ?? 1;
  const w = options.workloadRows ?? perfLessonWorkloadComparison({ seed });
  const pages = options.pageRows ?? perfLessonLargePages({ seed });
  const mem = (workload: string, mode: string) => {
    const r = w.find((x) => x.workload === workload && x.mode === mode);
    if (!r) throw new ConfigError("workloadRows", `${workload}/${mode}`, "rows from perfLessonWorkloadComparison");
    return 1 + r.overheadPercent / 100;
  };
  const page = (configuration: string) => pages.find((p) => p.configuration === configuration)!.cyclesPerAccess;
  const nativePage = page("native, 4 KiB pages");
  const io = options.ioRows ?? ioLessonPathComparison({ seed });
  const bare = io.find((r) => r.path === "bare-metal")!.cyclesPerRequest;
  const ioRow = (path: string, buys: string): PerfLessonSummaryRow => ({
    area: "I/O",
    scenario: path,
    slowdown: io.find((r) => r.path === path)!.cyclesPerRequest / bare,
    buys,
  });
  return [
    { area: "memory", scenario: "shadow, random (static)", slowdown: mem("random 1024 pages", "shadow"), buys: "isolation; TLB misses walk a native-length table" },
    { area: "memory", scenario: "nested, random (static)", slowdown: mem("random 1024 pages", "nested"), buys: "isolation; no exits, 2D walks" },
    { area: "memory", scenario: "nested + 2 MiB host pages", slowdown: page("nested, guest 4 KiB / host 2 MiB") / nativePage, buys: "shorter 2D walks" },
    { area: "memory", scenario: "shadow, fork/exec", slowdown: mem("fork/exec", "shadow"), buys: "isolation; every page-table write exits" },
    { area: "memory", scenario: "nested, fork/exec", slowdown: mem("fork/exec", "nested"), buys: "isolation; page-table writes free" },
    ioRow("emulated", "any guest OS, live migration"),
    ioRow("virtio", "migration, fewer exits"),
    ioRow("vhost", "migration, kernel back end"),
    ioRow("passthrough", "near-native, IOMMU isolation"),
    ioRow("passthrough + posted", "near-native, no exits"),
  ];
}

// ---- exercises support: the analytic model -------------------------------------------------------

/** Inputs of the back-of-the-envelope overhead model (per 1000 memory accesses). */
export interface PerfOverheadInputs {
  /** TLB misses per 1000 accesses. */
  tlbMissesPerThousand: number;
  /** Guest page-table writes per 1000 accesses. */
  pteWritesPerThousand: number;
  /** Levels of the guest and host page tables (4 on x86-64, 5 with LA57). */
  levels: number;
  /** Cycles per page-walk memory reference. Default: the cost model's walkRefCycles. */
  walkRefCycles?: number;
  /** Cycles per VM exit for a guest PTE write. Default: the cost model's round trip + handler. */
  exitCycles?: number;
}

/**
 * Translation overhead per 1000 accesses, in cycles: shadow pays native-length walks plus one
 * exit per guest PTE write; nested pays (n+1)²−1-reference walks and no exits. The model of
 * Patterson & Hennessy's exercise (figure B13), with this library's cost constants.
 */
export function perfOverheadPerThousand(inputs: PerfOverheadInputs): { shadow: number; nested: number; winner: "shadow" | "nested" | "tie" } {
  const n = requireInt("levels", inputs.levels, 1, 6);
  const ref = inputs.walkRefCycles ?? MEMORY_COSTS_DEFAULT.walkRefCycles;
  const exit = inputs.exitCycles ?? exitCycles(MEMORY_COSTS_DEFAULT, "guest-pt-write");
  const shadow = inputs.tlbMissesPerThousand * n * ref + inputs.pteWritesPerThousand * exit;
  const nested = inputs.tlbMissesPerThousand * ((n + 1) * (n + 1) - 1) * ref;
  return { shadow, nested, winner: shadow < nested ? "shadow" : nested < shadow ? "nested" : "tie" };
}

// ---- figures that need more than the generic builders ---------------------------------------------

/** CPU cycles per I/O request by where they go, one row per (path, category), for a stacked bar chart. */
export type PerfLessonIoCycleRow = { path: string; category: string; cyclesPerRequest: number };

/** "What to notice" for the I/O cycles chart: the guest's own work, and what each path adds on top of it. */
export function perfLessonIoCyclesNotice(rows: readonly PerfLessonIoCycleRow[]): string {
  const paths = [...new Set(rows.map((r) => r.path))];
  const of = (path: string, category: string) => rows.find((r) => r.path === path && r.category === category)?.cyclesPerRequest ?? 0;
  const guest = paths.map((p) => of(p, "guest work"));
  const added = paths.map((p) => {
    const parts = ["world switches (exits)", "hypervisor / host work", "copies"].map((c) => of(p, c));
    const total = parts.reduce((a, b) => a + b, 0);
    return total === 0 ? `${p} +0` : `${p} +${f(total)} (exits ${f(parts[0]!)}, host ${f(parts[1]!)}, copies ${f(parts[2]!)})`;
  });
  return (
    `**What to notice:** the guest's own work is ${f(Math.min(...guest))}–${f(Math.max(...guest))} cycles per request on every path. ` +
    `What virtualization adds on top, per request (steady stream): ${added.join("; ")}.`
  );
}

/** Where each I/O path's CPU cycles go: guest work, world switches, hypervisor/host work, copies. */
export function perfLessonIoCycles(options: { seed?: number } = {}): PerfLessonIoCycleRow[] {
  const rows: PerfLessonIoCycleRow[] = [];
  const names: Record<string, string> = { guest: "guest work", exit: "world switches (exits)", deviceModel: "hypervisor / host work", copy: "copies" };
  for (const v of IO_LESSON_VARIANTS) {
    const r = ioLessonSteadyRun(v.label, options.seed ?? 1);
    for (const key of ["guest", "exit", "deviceModel", "copy"] as const) rows.push({ path: v.label, category: names[key]!, cyclesPerRequest: r.cyclesPerRequest[key] });
  }
  return rows;
}

/**
 * The summary chart: one horizontal bar per scenario, the cost relative to no virtualization
 * (log axis), memory and I/O in two colours, each bar labelled with its value ("5.7×").
 */
export function perfLessonSummaryFigure(rows: readonly PerfLessonSummaryRow[]): Figure {
  const fig = lessonRatioFigure(rows, {
    label: "scenario", value: "slowdown", color: "area",
    title: "What isolation and flexibility cost: each mechanism relative to no virtualization",
    valueTitle: "cost relative to native / bare metal (×, log scale)",
  });
  fig.layout.yaxis = { ...fig.layout.yaxis, title: { text: "mechanism and workload" } };
  return fig;
}
