/**
 * Lesson support for notebook 02 (memory virtualization, Alex in Computropolis): the demos the
 * story's claims rest on, each a small run of the real simulator ({@link Machine}).
 *
 * - {@link chaosDemo}: no isolation; one VM's write lands in another VM's data.
 * - {@link isolationDemo}: the same writes with isolation; a guest that points at another VM's
 *   host frame gets a modeled fault.
 * - {@link shadowSheetDemo}: one guest page in the guest table, the hypervisor's map and the
 *   shadow table, and the VM exits it took to keep them in sync.
 * - {@link shadowSyncOverhead}: overhead of shadow vs nested paging as page-table activity grows.
 * - {@link serverWhatIf}: typical server workloads under native, shadow and nested paging.
 *
 * Every number a notebook prints comes from these runs; nothing here is typed by hand except
 * workload parameters (sizes, rates), which are inputs.
 */
import { barChart, lineChart } from "../charts/builders";
import type { Figure } from "../charts/figure";
import { Random } from "../core/random";
import { Machine, type MemoryRunStats, type MemoryVirtualizationMode } from "../hypervisor/machine";
import type { VirtualMachine } from "../hypervisor/virtual-machine";
import type { VmExitCause } from "../hypervisor/vm-exit";
import { TraceBuilder, type MemoryTrace } from "../workloads/trace";
import { hex } from "../exercises/lesson-check";
import { MEMORY_COSTS_DEFAULT, type MemoryCostModel } from "../costs/memory";

const MiB = 2 ** 20;
/** The virtual address each demo process writes its record at (page 0x400). */
const RECORD_ADDRESS = 0x400000;

function demoMachine(mode: MemoryVirtualizationMode, isolation: boolean): { machine: Machine; records: VirtualMachine; traffic: VirtualMachine } {
  const machine = new Machine({ mode, isolation, hostMemoryBytes: 64 * MiB, hypervisorPoolBytes: 8 * MiB });
  const records = machine.createVm({ name: "Records Office", memoryBytes: 8 * MiB });
  const traffic = machine.createVm({ name: "Traffic Control", memoryBytes: 8 * MiB });
  records.kernel.createProcess(1);
  traffic.kernel.createProcess(1);
  return { machine, records, traffic };
}

/** Guest-physical address of `address` in process `pid` of `vm` (from the guest's own table). */
function guestPhysical(vm: VirtualMachine, pid: number, address: number): number {
  const t = vm.kernel.process(pid).table.translate(address);
  return t.ok ? t.physicalAddress : -1;
}

/** One row of a demo table. */
export type MemoryDemoRow = {
  step: number;
  VM: string;
  action: string;
  "guest-virtual": string;
  "guest-physical": string;
  "host-physical": string;
  "Records Office reads back": string;
};

/** The no-isolation chaos: both VMs' records end up in the same host frame. */
export function chaosDemo(): { rows: MemoryDemoRow[]; summary: string; sameHostAddress: boolean; recordsReadsBack: string } {
  return twoVmStory(false);
}

function twoVmStory(isolation: boolean) {
  const { machine, records, traffic } = demoMachine("nested", isolation);
  const rows: MemoryDemoRow[] = [];
  const row = (vm: VirtualMachine, action: string, hpa: number) =>
    rows.push({
      step: rows.length + 1,
      VM: vm.name,
      action,
      "guest-virtual": hex(RECORD_ADDRESS),
      "guest-physical": hex(guestPhysical(vm, 1, RECORD_ADDRESS)),
      "host-physical": hpa < 0 ? "refused" : hex(hpa),
      "Records Office reads back": JSON.stringify(machine.readString(records, 1, RECORD_ADDRESS, 7)),
    });
  machine.writeString(records, 1, RECORD_ADDRESS, "PAYROLL");
  const a = machine.access(records, 1, RECORD_ADDRESS);
  row(records, 'writes "PAYROLL"', a.hostPhysicalAddress);
  machine.writeString(traffic, 1, RECORD_ADDRESS, "SIGNALS");
  const b = machine.access(traffic, 1, RECORD_ADDRESS);
  row(traffic, 'writes "SIGNALS"', b.hostPhysicalAddress);
  const recordsReadsBack = machine.readString(records, 1, RECORD_ADDRESS, 7);
  const same = a.hostPhysicalAddress === b.hostPhysicalAddress;
  const summary = isolation
    ? `With isolation, the hypervisor backed the Records Office's guest-physical ${hex(guestPhysical(records, 1, RECORD_ADDRESS))} with host address **${hex(a.hostPhysicalAddress)}** and Traffic Control's (the same guest-physical address, ${hex(guestPhysical(traffic, 1, RECORD_ADDRESS))}) with **${hex(b.hostPhysicalAddress)}**. The Records Office reads back **${JSON.stringify(recordsReadsBack)}**: its data is safe.`
    : `The Records Office wrote "PAYROLL" at host address **${hex(a.hostPhysicalAddress)}**. Traffic Control, in a different VM, wrote "SIGNALS" at its guest-physical ${hex(guestPhysical(traffic, 1, RECORD_ADDRESS))}, which without isolation *is* host address **${hex(b.hostPhysicalAddress)}**${same ? ", the very same bytes" : ""}. The Records Office now reads back **${JSON.stringify(recordsReadsBack)}**: its payroll is gone, and Traffic Control could just as well have read it.`;
  return { rows, summary, sameHostAddress: same, recordsReadsBack, machine, records, traffic };
}

/** One attempt by a guest to reach another VM's host frame, in one mode. */
export interface IsolationAttempt {
  mode: MemoryVirtualizationMode;
  /** The host frame holding the Records Office's data, which Traffic Control aims at. */
  targetHostFrame: number;
  /** "isolation-fault" when the hypervisor refused. */
  event: string;
  /** VM exits the attempt caused, by cause. */
  vmExits: Partial<Record<VmExitCause, number>>;
  /** What the Records Office reads back afterwards. */
  recordsReadsBack: string;
}

function attack(mode: MemoryVirtualizationMode): IsolationAttempt {
  const { machine, records, traffic } = demoMachine(mode, true);
  machine.writeString(records, 1, RECORD_ADDRESS, "PAYROLL");
  const target = machine.access(records, 1, RECORD_ADDRESS).hostFrame;
  // A buggy or malicious guest kernel points one of its pages at "physical frame <target>",
  // hoping guest-physical means host-physical. It does not: that guest frame is not the VM's.
  traffic.kernel.mapPage(traffic.kernel.process(1), 0x500, { frame: target });
  const r = machine.access(traffic, 1, 0x500000, { write: true, value: 0x58 });
  return { mode, targetHostFrame: target, event: r.event, vmExits: r.vmExits, recordsReadsBack: machine.readString(records, 1, RECORD_ADDRESS, 7) };
}

/** The same two writes with isolation, plus a cross-VM attempt in shadow and in nested mode. */
export function isolationDemo(): { rows: MemoryDemoRow[]; summary: string; attempts: IsolationAttempt[]; sameHostAddress: boolean } {
  const story = twoVmStory(true);
  const attempts = (["shadow", "nested"] as const).map(attack);
  const rows = [...story.rows];
  for (const at of attempts) {
    const exits = Object.entries(at.vmExits).map(([c, n]) => `${n} × ${c}`).join(", ") || "none";
    rows.push({
      step: rows.length + 1,
      VM: "Traffic Control",
      action: `${at.mode} paging: points a page at frame ${hex(at.targetHostFrame)} (the payroll's host frame), writes "X"`,
      "guest-virtual": hex(0x500000),
      "guest-physical": hex(at.targetHostFrame * 4096),
      "host-physical": at.event === "isolation-fault" ? `refused (modeled fault; VM exit ${exits})` : "reached!",
      "Records Office reads back": JSON.stringify(at.recordsReadsBack),
    });
  }
  const refused = attempts.filter((a) => a.event === "isolation-fault").length;
  const summary =
    story.summary +
    ` Then Traffic Control's kernel tried to reach host frame ${hex(attempts[0]!.targetHostFrame)} directly: **${refused} of ${attempts.length}** attempts (shadow and nested paging) were refused as modeled faults, and the Records Office still reads back **${JSON.stringify(attempts[attempts.length - 1]!.recordsReadsBack)}**.`;
  return { rows, summary, attempts, sameHostAddress: story.sameHostAddress };
}

/** One guest page seen through the three tables under shadow paging, and the exits it took. */
export function shadowSheetDemo(): { rows: Record<string, string>[]; summary: string; exits: Partial<Record<VmExitCause, number>>; guestFrame: number; hostFrame: number; shadowFrame: number } {
  const machine = new Machine({ mode: "shadow", hostMemoryBytes: 64 * MiB, hypervisorPoolBytes: 8 * MiB });
  const vm = machine.createVm({ name: "Library", memoryBytes: 8 * MiB });
  vm.kernel.createProcess(1);
  machine.writeString(vm, 1, RECORD_ADDRESS, "BOOKS");
  const vpn = RECORD_ADDRESS / 4096;
  const guest = vm.kernel.process(1).table.lookup(vpn);
  const hostFrame = vm.hostFrameOf(guest.frame);
  const shadow = vm.shadow!.tableFor(1).lookup(vpn);
  const exits = machine.totals().vmExitsByCause;
  const rows = [
    { table: "guest page table", "kept by": "guest OS (Library VM)", maps: "guest-virtual page → guest-physical frame", entry: `page ${hex(vpn)} → guest frame ${hex(guest.frame)}` },
    { table: "memory map (p2m)", "kept by": "hypervisor", maps: "guest-physical frame → host frame", entry: `guest frame ${hex(guest.frame)} → host frame ${hex(hostFrame)}` },
    { table: "shadow page table", "kept by": "hypervisor (CR3 points here)", maps: "guest-virtual page → host frame", entry: `page ${hex(vpn)} → host frame ${hex(shadow.frame)}` },
  ];
  const exitText = Object.entries(exits).map(([c, n]) => `**${n}** × \`${c}\``).join(", ");
  const summary =
    `The shadow entry (${hex(vpn)} → ${hex(shadow.frame)}) is the guest's entry (${hex(vpn)} → ${hex(guest.frame)}) followed through the hypervisor's map (${hex(guest.frame)} → ${hex(hostFrame)})` +
    `${shadow.frame === hostFrame ? ": the two maps composed into one" : " (mismatch!)"}. ` +
    `Creating the process and writing one record took these VM exits: ${exitText}.`;
  return { rows, summary, exits, guestFrame: guest.frame, hostFrame, shadowFrame: shadow.frame };
}

/**
 * A process touching `workingSetPages` pages at random, with `updatesPer1000` page-table
 * updates per 1,000 accesses (an mmap + munmap pair of a scratch page counts as two updates,
 * as a memory allocator returning memory to the OS would do).
 */
export function churnTrace(seed: number, accesses: number, workingSetPages: number, updatesPer1000: number): MemoryTrace {
  const rng = new Random(seed);
  const b = new TraceBuilder(4096, accesses + 64);
  b.premapRange(0, 0x1000, workingSetPages);
  const pairsEvery = updatesPer1000 > 0 ? 2000 / updatesPer1000 : Infinity;
  let nextPair = pairsEvery;
  let scratch = 0;
  for (let i = 0; i < accesses; i++) {
    if (i >= nextPair) {
      const page = 0x80000 + (scratch++ % 64);
      b.map(page).write(page).unmap(page);
      nextPair += pairsEvery;
    }
    b.read(0x1000 + rng.int(workingSetPages));
  }
  return b.build(`churn ${updatesPer1000}/1000`, seed);
}

/** A fork-heavy server: a parent that forks a short-lived worker every `forkEvery` accesses. */
export function forkServerTrace(seed: number, accesses: number, workingSetPages: number, forkEvery: number): MemoryTrace {
  const rng = new Random(seed);
  const b = new TraceBuilder(4096, accesses + 256);
  b.premapRange(0, 0x1000, workingSetPages);
  let child = 1;
  for (let i = 0; i < accesses; i++) {
    if (i > 0 && i % forkEvery === 0) {
      // fork a worker, let it touch a few pages and a stack page, exit, back to the parent
      b.fork(child).switchTo(child);
      for (let k = 0; k < 8; k++) b.read(0x1000 + rng.int(workingSetPages));
      b.write(0x70000);
      b.exit(child).switchTo(0);
      child++;
    }
    b.read(0x1000 + rng.int(workingSetPages));
  }
  return b.build(`fork every ${forkEvery}`, seed);
}

/** TLB entries of the lesson machines (4-way sets): a Skylake-sized L1 DTLB for 4 KiB pages (figure D1). */
export const LESSON_TLB_ENTRIES = 64;

/** Runs `trace` on a fresh machine in `mode` (one VM, or bare metal) and returns the stats. */
export function runLessonTrace(trace: MemoryTrace, mode: MemoryVirtualizationMode, options: { hostPageSizeBytes?: number; guestPageSizeBytes?: number; tlbEntries?: number; warmUp?: boolean } = {}): MemoryRunStats {
  const entries = options.tlbEntries ?? LESSON_TLB_ENTRIES;
  const machine = new Machine({
    mode,
    hostMemoryBytes: 2 ** 30,
    hypervisorPoolBytes: 64 * MiB,
    hostPageSizeBytes: options.hostPageSizeBytes,
    tlb: { sets: Math.max(1, entries / 4), ways: Math.min(4, entries) },
  });
  const vm = machine.createVm({ memoryBytes: 256 * MiB, guestPageSizeBytes: options.guestPageSizeBytes });
  // A first pass warms the TLB and builds the shadow entries; the second pass is measured, so the
  // numbers describe steady state rather than a cold start.
  if (options.warmUp ?? true) machine.run(trace, vm);
  return machine.run(trace, vm);
}

/** Writes each bar's value on it and, on a log axis, starts the axis at 1 so short bars stay visible. */
export function labelBars(figure: Figure): Figure {
  let max = 1;
  // Three significant digits are enough to read a bar; with many bars per group the labels
  // stand upright so neighbours do not run into each other.
  const crowded = figure.data.length >= 5;
  for (const t of figure.data) {
    t.text = (t.y ?? []).map((v) => (typeof v === "number" ? String(Number(v.toPrecision(3))) : String(v)));
    t.textposition = "outside";
    if (crowded) t.textangle = -90;
    for (const v of t.y ?? []) if (typeof v === "number" && v > max) max = v;
  }
  if (figure.layout.yaxis?.type === "log") figure.layout.yaxis = { ...figure.layout.yaxis, range: [0, Math.log10(max) + 0.35] };
  return figure;
}

/** Cycles per data access of a run. */
export function cyclesPerAccess(stats: MemoryRunStats): number {
  return stats.accesses === 0 ? 0 : stats.cycles / stats.accesses;
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
    `(the "${model.name}" cost model; each constant is cited in \`kernel-lib/src/costs/memory.ts\`). ` +
    `A real program does other work between memory accesses, so real slowdowns are far smaller than these ratios; published measurements are tens of percent (B1–B4). ` +
    `Compare the modes with each other, not the absolute values with a real machine.`
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
      const s = runLessonTrace(trace, mode);
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
    const s = runLessonTrace(forky, mode);
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
  for (const t of exitsFigure.data) {
    t.text = (t.y ?? []).map(String);
    t.textposition = "outside";
  }
  const modeRows = (label: string) => rows.filter((r) => r.mode === label);
  const shadow = modeRows(MODE_LABEL.shadow);
  const nested = modeRows(MODE_LABEL.nested);
  const native = modeRows(MODE_LABEL.native);
  const crossing = shadow.findIndex((r, i) => r["cycles per access"] > nested[i]!["cycles per access"]);
  const last = shadow.length - 1;
  const summary =
    `With a static page table (0 writes), bare metal needs **${native[0]!["cycles per access"]}** cycles per access, shadow paging **${shadow[0]!["cycles per access"]}** and nested paging **${nested[0]!["cycles per access"]}** ` +
    `(TLB hit rate ${native[0]!["TLB hit rate (%)"]}%: shadow walks are native-length, nested walks are not). ` +
    `At **${shadow[last]!["guest PTE writes per 1,000 accesses"]}** guest PTE writes per 1,000 accesses, shadow paging takes **${shadow[last]!["VM exits per 1,000 accesses"]}** VM exits per 1,000 accesses and needs **${shadow[last]!["cycles per access"]}** cycles per access; ` +
    `nested paging takes ${nested[last]!["VM exits per 1,000 accesses"]} exits and needs **${nested[last]!["cycles per access"]}**. ` +
    (crossing < 0 ? "In this range shadow paging stays cheaper." : `Shadow paging becomes the more expensive one from about **${shadow[crossing]!["guest PTE writes per 1,000 accesses"]}** PTE writes per 1,000 accesses.`) +
    ` (Working set ${ws} pages, ${LESSON_TLB_ENTRIES}-entry TLB, ${accesses.toLocaleString("en-US")} measured accesses per run after a warm-up pass; default cost model: VM exit round trip ${cycles(MEMORY_COSTS_DEFAULT.vmExitRoundTripCycles)} (figure B7), page-walk reference ${cycles(MEMORY_COSTS_DEFAULT.walkRefCycles)} (derived from B13).)`;
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
    const native = runLessonTrace(w.trace, "native");
    for (const mode of ["native", "shadow", "nested"] as const) {
      const s = mode === "native" ? native : runLessonTrace(w.trace, mode);
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
