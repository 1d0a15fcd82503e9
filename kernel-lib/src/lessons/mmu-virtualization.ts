/**
 * Lesson support for notebook 03 (the MMU and MMU virtualization): one page walk drawn step by
 * step, the TLB's hit rate, the nested 2D walk drawn as a grid, the effect of large pages, and
 * the cloud CTO's what-if. Every number comes from real walks of tables in simulated memory.
 */
import { barChart, lineChart } from "../charts/builders";
import type { Figure, PlotTrace } from "../charts/figure";
import { Random } from "../core/random";
import { Machine, type MemoryVirtualizationMode } from "../hypervisor/machine";
import type { WalkStep } from "../memory/walk-step";
import { TraceBuilder, type MemoryTrace } from "../workloads/trace";
import { x86Layout } from "../memory/layout";
import { callStudent, ExerciseCheckError, hex, passed, type ExerciseCheckReport } from "../exercises/lesson-check";
import type { NestedWalkRefsFn } from "../exercises/walk";
import { pageWalkReads } from "../playgrounds/page-walk";
import { tlbSizeRows, type TlbSizeParams } from "../playgrounds/tlb-size";
import { cyclesPerAccess, forkServerTrace, labelBars } from "./memory-virtualization";

const MiB = 2 ** 20;
const X86_LEVEL_NAMES = ["PT", "PD", "PDPT", "PML4", "PML5"];

/** x86 name of a table level (1 = PT … 4 = PML4). */
export function x86LevelName(level: number): string {
  return X86_LEVEL_NAMES[level - 1] ?? `L${level}`;
}

/** The example address of notebook 03: every level's index is different and non-zero. */
export const WALK_EXAMPLE_ADDRESS = 0x7f3a1c2d5e6f;

/** A machine in `mode` with one VM (or bare-metal OS) whose process 1 has written at `address`. */
function oneProcessMachine(mode: MemoryVirtualizationMode, address: number) {
  const machine = new Machine({ mode, hostMemoryBytes: 64 * MiB, hypervisorPoolBytes: 8 * MiB });
  const vm = machine.createVm({ name: mode === "native" ? "bare metal" : "guest", memoryBytes: 8 * MiB });
  vm.kernel.createProcess(1);
  machine.writeString(vm, 1, address, "Hi");
  return { machine, vm };
}

/** One row of the drawn native walk. */
export type WalkStepRow = {
  step: number;
  table: string;
  "address bits": string;
  index: number;
  "table at": string;
  "entry read at": string;
  "entry value": string;
  meaning: string;
};

/** Frame number held in an x86 entry value (bits 12..51). */
function entryFrame(value: number): number {
  return Math.floor(value / 4096) % 2 ** 40;
}

/**
 * One TLB miss on bare metal, step by step: which table is read, with which bits of the address
 * as the index, what entry comes back and what it means. The final row gives the physical address.
 */
export function nativeWalkDemo(address = WALK_EXAMPLE_ADDRESS) {
  const { machine, vm } = oneProcessMachine("native", address);
  const r = machine.access(vm, 1, address, { bypassTlb: true });
  const offsetBits = 12;
  const rows: WalkStepRow[] = r.steps.map((s, i) => {
    const low = offsetBits + 9 * (s.level - 1);
    const frame = entryFrame(s.entryValue);
    return {
      step: i + 1,
      table: `${x86LevelName(s.level)} (level ${s.level})`,
      "address bits": `${low + 8}..${low}`,
      index: s.index,
      "table at": hex(s.tableAddress),
      "entry read at": hex(s.entryAddress),
      "entry value": s.entryHex,
      meaning: s.leaf ? `maps the page at ${hex(frame * 4096)}` : `next table at ${hex(frame * 4096)}`,
    };
  });
  const offset = address % 4096;
  const summary =
    `Translating ${hex(address)} read **${r.walkRefs}** page-table entries, one per level. The page offset (bits 11..0) is ${hex(offset)}, ` +
    `so the physical address is ${hex(r.hostFrame * 4096)} + ${hex(offset)} = **${hex(r.hostPhysicalAddress)}**, where the process wrote "Hi" (the byte there is ${hex(r.value)} = "${String.fromCharCode(r.value)}").`;
  const figure = walkPathFigure(r.steps, address);
  return { rows, summary, walkRefs: r.walkRefs, physicalAddress: r.hostPhysicalAddress, steps: r.steps, figure };
}

/** The native walk as a chart: one marker per table read, labelled with the index used. */
function walkPathFigure(steps: readonly WalkStep[], address: number): Figure {
  const x = steps.map((s) => `${x86LevelName(s.level)}`);
  const trace: PlotTrace = {
    type: "scatter",
    mode: "lines+markers+text",
    name: "entries read",
    x,
    y: steps.map((_, i) => i + 1),
    text: steps.map((s) => `index ${s.index} → ${s.entryHex}`),
    textposition: steps.map((_, i) => (i === steps.length - 1 ? "middle left" : "middle right")),
    marker: { size: 22, symbol: "square", color: steps.map((s) => (s.leaf ? "#d62728" : "#1f77b4")) },
  };
  return {
    data: [trace],
    layout: {
      title: { text: `One TLB miss on bare metal: the walk for ${hex(address)}` },
      xaxis: { title: { text: "page-table level read (root first)" }, type: "category" },
      yaxis: { title: { text: "memory reference number" }, autorange: "reversed", dtick: 1 },
      showlegend: false,
      margin: { t: 60, r: 20 },
    },
  };
}

/** A trace of `accesses` uniform random reads over `pages` pages. */
function randomTrace(seed: number, accesses: number, pages: number): MemoryTrace {
  const rng = new Random(seed);
  const b = new TraceBuilder(4096, accesses);
  b.premapRange(0, 0x1000, pages);
  for (let i = 0; i < accesses; i++) b.read(0x1000 + rng.int(pages));
  return b.build(`uniform over ${pages} pages`, seed);
}

/**
 * TLB hit rate as the working set grows, for several TLB sizes (4-way sets, LRU), on bare metal.
 * Each run warms up with one pass and measures the second.
 */
export function tlbHitRateSweep(options: { workingSets?: number[]; tlbEntries?: number[]; accesses?: number; seed?: number } = {}) {
  const workingSets = options.workingSets ?? [8, 16, 32, 64, 128, 256, 512, 1024];
  const sizes = options.tlbEntries ?? [16, 64, 256];
  const accesses = options.accesses ?? 8000;
  const rows: { "TLB entries": string; "working set (pages)": number; "hit rate (%)": number; "walk reads per 1,000 accesses": number }[] = [];
  for (const entries of sizes) {
    for (const ws of workingSets) {
      const trace = randomTrace(options.seed ?? 1, accesses, ws);
      const machine = new Machine({ mode: "native", hostMemoryBytes: 64 * MiB, hypervisorPoolBytes: 4 * MiB, tlb: { sets: Math.max(1, entries / 4), ways: Math.min(4, entries) } });
      const vm = machine.createVm({ memoryBytes: 16 * MiB });
      machine.run(trace, vm);
      const s = machine.run(trace, vm);
      rows.push({
        "TLB entries": `${entries} entries`,
        "working set (pages)": ws,
        "hit rate (%)": Math.round(1000 * s.tlbHitRate) / 10,
        "walk reads per 1,000 accesses": Math.round((1000 * s.walkRefs) / s.accesses),
      });
    }
  }
  const figure = lineChart(rows, {
    x: "working set (pages)",
    y: "hit rate (%)",
    color: "TLB entries",
    title: "TLB hit rate falls once the working set outgrows the TLB",
    xTitle: "working set (4 KiB pages touched at random, log scale)",
    yTitle: "TLB hit rate (%)",
    logX: true,
  });
  figure.layout.xaxis = { ...figure.layout.xaxis, tickvals: workingSets, ticktext: workingSets.map(String) };
  const at = (entries: number, ws: number) => rows.find((r) => r["TLB entries"] === `${entries} entries` && r["working set (pages)"] === ws);
  const mid = sizes[Math.floor(sizes.length / 2)]!;
  const small = at(mid, workingSets.find((w) => w <= mid / 2) ?? workingSets[0]!)!;
  const big = at(mid, workingSets[workingSets.length - 1]!)!;
  const summary =
    `With a ${mid}-entry TLB, a working set of ${small["working set (pages)"]} pages hits **${small["hit rate (%)"]}%** of the time; ` +
    `${big["working set (pages)"]} pages hit only **${big["hit rate (%)"]}%**, and every miss costs a walk (${big["walk reads per 1,000 accesses"]} entry reads per 1,000 accesses).`;
  return { rows, figure, summary };
}

/** The nested walk of one address: the 24 (for 4+4 levels) references in order, as rows and a grid chart. */
export function nestedWalkDemo(address = WALK_EXAMPLE_ADDRESS) {
  const { machine, vm } = oneProcessMachine("nested", address);
  const r = machine.access(vm, 1, address, { bypassTlb: true });
  const gLevels = machine.guestLayout.levels;
  // Column = which guest-physical address is being resolved: the guest table of level L (L = n..1), then the data page (0).
  const columnOf = (s: WalkStep, i: number) => (s.dimension === "host" ? s.forGuestLevel ?? 0 : s.level);
  const columnName = (c: number) => (c === 0 ? "data page" : `guest ${x86LevelName(c)}`);
  const rows = r.steps.map((s, i) => ({
    "#": i + 1,
    reads: s.dimension === "host" ? `host (EPT/NPT) ${x86LevelName(s.level)}` : `guest ${x86LevelName(s.level)}`,
    "to resolve": s.dimension === "host" ? `guest-physical address of the ${columnName(columnOf(s, i))}` : `guest-virtual bits ${12 + 9 * (s.level - 1) + 8}..${12 + 9 * (s.level - 1)}`,
    index: s.index,
    "entry read at (host)": hex(s.entryAddress),
    "entry value": s.entryHex,
  }));
  const hostReads = r.steps.filter((s) => s.dimension === "host").length;
  const guestReads = r.steps.length - hostReads;
  const figure = nestedGridFigure(r.steps, gLevels, machine.hostLayout.levels);
  const summary =
    `One TLB miss under nested paging read **${r.walkRefs}** entries: **${guestReads}** guest entries and **${hostReads}** host (EPT/NPT) entries, ` +
    `because each of the ${guestReads + 1} guest-physical addresses on the way (${guestReads} guest tables and the data page) needed its own ${machine.hostLayout.levels}-level host walk. ` +
    `It reached the same byte: host-physical ${hex(r.hostPhysicalAddress)} holds "${String.fromCharCode(r.value)}".`;
  return { rows, figure, summary, walkRefs: r.walkRefs, guestReads, hostReads, steps: r.steps };
}

/**
 * The 2D walk as a grid of scatter markers (a heat-map look with only scatter traces): columns
 * are the guest-physical addresses being resolved (guest table at each level, then the data
 * page), rows are the host table levels plus the guest entry; each marker carries its order.
 */
export function nestedGridFigure(steps: readonly WalkStep[], guestLevels: number, hostLevels: number): Figure {
  const col = (s: WalkStep) => (s.dimension === "host" ? s.forGuestLevel ?? 0 : s.level);
  const colLabel = (c: number) => (c === 0 ? "data page" : `guest ${x86LevelName(c)} table`);
  const rowLabel = (s: WalkStep) => (s.dimension === "host" ? `host ${x86LevelName(s.level)}` : "guest entry");
  const make = (dimension: "host" | "guest", name: string, color: string): PlotTrace => {
    const sel = steps.map((s, i) => ({ s, i })).filter(({ s }) => s.dimension === dimension);
    return {
      type: "scatter",
      mode: "markers+text",
      name,
      x: sel.map(({ s }) => colLabel(col(s))),
      y: sel.map(({ s }) => rowLabel(s)),
      text: sel.map(({ i }) => String(i + 1)),
      textfont: { color: "white", size: 14 },
      marker: { symbol: "square", size: 38, color },
      hovertext: sel.map(({ s, i }) => `#${i + 1}: ${rowLabel(s)}, index ${s.index}, entry ${s.entryHex}`),
      hoverinfo: "text",
    };
  };
  const columns = [...Array.from({ length: guestLevels }, (_, k) => colLabel(guestLevels - k)), colLabel(0)];
  const rowsOrder = [...Array.from({ length: hostLevels }, (_, k) => `host ${x86LevelName(hostLevels - k)}`), "guest entry"];
  return {
    data: [make("host", "host (EPT/NPT) entry read", "#ff7f0e"), make("guest", "guest page-table entry read", "#1f77b4")],
    layout: {
      title: { text: `The 2D walk: ${steps.length} memory references for one TLB miss (numbers = order)` },
      xaxis: { title: { text: "guest-physical address being translated" }, type: "category", categoryorder: "array", categoryarray: columns },
      yaxis: { title: { text: "table read" }, type: "category", categoryorder: "array", categoryarray: [...rowsOrder].reverse() },
      legend: { orientation: "h", y: -0.25 },
      margin: { t: 60, r: 20, l: 130 },
      height: 420,
    },
  };
}

const PAGE_KIB = [4, 2048, 1048576];
const PAGE_LABEL: Record<number, string> = { 4: "4 KiB", 2048: "2 MiB", 1048576: "1 GiB" };

/**
 * Entries read by one TLB miss in `mode` (TLB bypassed) for the given levels and page sizes, on a
 * machine sized just large enough for the pages (1 GiB pages need 1 GiB-aligned guest memory).
 */
export function walkReadsInMode(mode: MemoryVirtualizationMode, guestLevels: number, hostLevels: number, guestPageKiB: number, hostPageKiB: number): { total: number; guest: number; host: number } {
  const huge = guestPageKiB >= 1048576 || hostPageKiB >= 1048576;
  const machine = new Machine({
    mode,
    guestLayout: x86Layout(guestLevels, "guestLevels"),
    hostLayout: x86Layout(hostLevels, "hostLevels"),
    hostPageSizeBytes: hostPageKiB * 1024,
    hostMemoryBytes: huge ? 4 * 2 ** 30 : 64 * MiB,
    hypervisorPoolBytes: huge ? 2 ** 30 : 8 * MiB,
  });
  const vm = machine.createVm({ memoryBytes: huge ? 2 * 2 ** 30 : 8 * MiB, guestPageSizeBytes: guestPageKiB * 1024 });
  vm.kernel.createProcess(1);
  machine.access(vm, 1, 0); // first touch: the guest maps the page and the hypervisor backs it
  const walk = machine.access(vm, 1, 0, { bypassTlb: true });
  const guest = walk.steps.filter((st) => st.dimension === "guest").length;
  const host = walk.steps.filter((st) => st.dimension === "host").length;
  return { total: walk.walkRefs, guest, host };
}

/** Nested walk references for every guest/host page-size pair (4+4 levels), from real walks. */
export function largePageWalks(guestLevels = 4, hostLevels = 4) {
  const rows: { "guest page": string; "host page": string; "native walk": number; "shadow walk": number; "nested walk": number }[] = [];
  for (const g of PAGE_KIB) {
    for (const h of PAGE_KIB) {
      rows.push({
        "guest page": PAGE_LABEL[g]!,
        "host page": PAGE_LABEL[h]!,
        "native walk": walkReadsInMode("native", guestLevels, hostLevels, g, h).total,
        "shadow walk": walkReadsInMode("shadow", guestLevels, hostLevels, g, h).total,
        "nested walk": walkReadsInMode("nested", guestLevels, hostLevels, g, h).total,
      });
    }
  }
  const chartRows = rows.map((r) => ({ "guest page": r["guest page"], "host (EPT/NPT) page": r["host page"], "memory references": r["nested walk"] }));
  const figure = barChart(chartRows, {
    x: "guest page",
    y: "memory references",
    color: "host (EPT/NPT) page",
    title: "Large pages shorten the nested walk",
    xTitle: "guest page size",
    yTitle: "memory references per TLB miss",
  });
  for (const t of figure.data) {
    t.text = (t.y ?? []).map(String);
    t.textposition = "outside";
  }
  const get = (g: string, h: string) => rows.find((r) => r["guest page"] === g && r["host page"] === h)!["nested walk"];
  const summary =
    `All 4 KiB: **${get("4 KiB", "4 KiB")}** references. A 2 MiB page on one side: **${get("2 MiB", "4 KiB")}** (guest) or **${get("4 KiB", "2 MiB")}** (host); ` +
    `2 MiB on both sides: **${get("2 MiB", "2 MiB")}**; 1 GiB on both: **${get("1 GiB", "1 GiB")}**; a 1 GiB guest page over 4 KiB host pages: **${get("1 GiB", "4 KiB")}**. ` +
    `These are the counts of the rule (n+1)(m+1)−1 once each large leaf has removed its levels (figure A8: derived arithmetic, not measurements).`;
  return { rows, figure, summary };
}

/** One bar of the CTO's what-if: a setup and whether it uses 2 MiB pages. */
const CTO_SETUPS: { label: string; mode: MemoryVirtualizationMode; large: boolean }[] = [
  { label: "bare metal", mode: "native", large: false },
  { label: "bare metal + 2 MiB pages", mode: "native", large: true },
  { label: "shadow paging", mode: "shadow", large: false },
  { label: "shadow + 2 MiB pages", mode: "shadow", large: true },
  { label: "nested paging (EPT/NPT)", mode: "nested", large: false },
  { label: "nested + 2 MiB pages", mode: "nested", large: true },
];

/**
 * The CTO's what-if: a light app with process churn and a gaming server with a large static
 * working set, each on bare metal, under shadow paging and under nested paging, every one of the
 * three with 4 KiB and with 2 MiB pages, so that each virtualized bar has a bare-metal bar with
 * the same pages to be compared with. "2 MiB pages" means: the host backs guest memory with
 * 2 MiB pages (nested: EPT/NPT leaves; shadow: the cap on shadow page size), and the game's OS
 * maps its state with 2 MiB pages (on bare metal that is all there is); the light apps'
 * short-lived request processes keep 4 KiB pages in every setup.
 */
export function ctoWhatIf(options: { seed?: number; accesses?: number } = {}) {
  const seed = options.seed ?? 1;
  const accesses = options.accesses ?? 20000;
  const light = forkServerTrace(seed, accesses, 32, 300);
  const gamingPages = 4096; // 16 MiB of game state touched at random
  const rng = new Random(seed);
  const b = new TraceBuilder(4096, accesses);
  b.premapRange(0, 0x40000, gamingPages);
  for (let i = 0; i < accesses; i++) b.read(0x40000 + rng.int(gamingPages));
  const gaming = b.build("gaming server", seed);
  const rows: { workload: string; setup: string; "cycles per access": number; "TLB hit rate (%)": number; "VM exits": number }[] = [];
  const exact = new Map<string, number>(); // unrounded cycles per access, for the ratios
  for (const [name, trace, guestLarge] of [["light apps (a process per request)", light, false], ["gaming server (16 MiB static state)", gaming, true]] as const) {
    for (const c of CTO_SETUPS) {
      const machine = new Machine({ mode: c.mode, hostMemoryBytes: 2 ** 30, hypervisorPoolBytes: 64 * MiB, hostPageSizeBytes: c.large ? 2 * MiB : 4096 });
      const vm = machine.createVm({ memoryBytes: 256 * MiB, guestPageSizeBytes: c.large && guestLarge ? 2 * MiB : 4096 });
      machine.run(trace, vm);
      const s = machine.run(trace, vm);
      exact.set(`${name}|${c.label}`, cyclesPerAccess(s));
      rows.push({ workload: name, setup: c.label, "cycles per access": Math.round(100 * cyclesPerAccess(s)) / 100, "TLB hit rate (%)": Math.round(1000 * s.tlbHitRate) / 10, "VM exits": s.vmExits });
    }
  }
  const figure = barChart(rows, {
    x: "workload",
    y: "cycles per access",
    color: "setup",
    title: "The CTO's choice: cost per memory access, with 4 KiB and with 2 MiB pages",
    xTitle: "workload",
    yTitle: "cycles per memory access (log scale)",
    logY: true,
  });
  labelBars(figure);
  // Each 2 MiB bar in a lighter shade of its 4 KiB bar: bare metal grey, shadow orange, nested blue.
  const colors: Record<string, string> = {
    "bare metal": "#555555", "bare metal + 2 MiB pages": "#aaaaaa",
    "shadow paging": "#e6550d", "shadow + 2 MiB pages": "#fdae6b",
    "nested paging (EPT/NPT)": "#3182bd", "nested + 2 MiB pages": "#9ecae1",
  };
  for (const t of figure.data) t.marker = { color: colors[t.name ?? ""] ?? "#888888" };
  const workloads = [...new Set(rows.map((r) => r.workload))];
  const of = (w: string, label: string) => rows.find((r) => r.workload === w && r.setup === label)!;
  // Each virtualized setup against bare metal with the same pages.
  const baselineOf = (label: string) => (CTO_SETUPS.find((c) => c.label === label)!.large ? "bare metal + 2 MiB pages" : "bare metal");
  const ratio = (w: string, label: string) => exact.get(`${w}|${label}`)! / exact.get(`${w}|${baselineOf(label)}`)!;
  const x = (v: number) => `${v.toFixed(1)}×`;
  const lines = workloads.map((w) => {
    const c = (label: string) => of(w, label)["cycles per access"];
    return (
      `- **${w}**. With 4 KiB pages: bare metal ${c("bare metal")} cycles per access, shadow ${c("shadow paging")} (${of(w, "shadow paging")["VM exits"]} VM exits), nested ${c("nested paging (EPT/NPT)")} (TLB hit rate ${of(w, "nested paging (EPT/NPT)")["TLB hit rate (%)"]}%). ` +
      `With 2 MiB pages: bare metal ${c("bare metal + 2 MiB pages")}, shadow ${c("shadow + 2 MiB pages")} (${of(w, "shadow + 2 MiB pages")["VM exits"]} VM exits), nested ${c("nested + 2 MiB pages")} (TLB hit rate ${of(w, "nested + 2 MiB pages")["TLB hit rate (%)"]}%). ` +
      `Against bare metal with the same pages (4 KiB / 2 MiB): shadow **${x(ratio(w, "shadow paging"))}** / **${x(ratio(w, "shadow + 2 MiB pages"))}**, nested **${x(ratio(w, "nested paging (EPT/NPT)"))}** / **${x(ratio(w, "nested + 2 MiB pages"))}**.`
    );
  });
  const worst = CTO_SETUPS.filter((c) => c.mode !== "native").map((c) => ({ setup: c.label, worst: Math.max(...workloads.map((w) => ratio(w, c.label))) }));
  worst.sort((a, b) => a.worst - b.worst);
  lines.push(
    `- Worst case over both workloads, against bare metal with the same pages: ${worst.map((r) => `${r.setup} ${x(r.worst)}`).join(", ")}. ` +
    `The setup closest to bare metal on both: **${worst[0]!.setup}**.`,
  );
  return { rows, figure, summary: lines.join("\n") };
}

/** "4 KiB", "2 MiB" or "1 GiB" for a page size in KiB. */
function pageLabelKiB(kib: number): string {
  return PAGE_LABEL[kib] ?? `${kib} KiB`;
}

/**
 * The "what to notice" of the page-walk playground, for the parameters it was drawn with (numbers
 * from the same walks as the chart) and a rule that holds for every slider setting.
 */
export function pageWalkNotice(p: { guestLevels?: number; hostLevels?: number; guestPageKiB?: number; hostPageKiB?: number } = {}): string {
  const g = p.guestLevels ?? 4, h = p.hostLevels ?? 4, gp = p.guestPageKiB ?? 4, hp = p.hostPageKiB ?? 4;
  const r = pageWalkReads(g, h, gp, hp);
  const n = r.nestedGuest;
  const m = r.nestedHost / (n + 1);
  return (
    `**What to notice** (at the values set in the cell: a ${g}-level guest with ${pageLabelKiB(gp)} pages over a ${h}-level host with ${pageLabelKiB(hp)} pages): ` +
    `bare metal reads **${r.native}** entries per TLB miss and shadow paging **${r.shadow}**; nested paging reads **${r.nestedGuest}** guest + **${r.nestedHost}** host = **${r.nestedGuest + r.nestedHost}**, ` +
    `that is (n+1)(m+1)−1 with n = ${n} guest steps and m = ${m} steps per host walk. ` +
    `At any slider setting the shadow bar is a one-table walk like bare metal's, and as short, unless the guest's pages are larger than the host's ` +
    `(a shadow entry maps no more than the host page behind it, so the shadow walk then ends at the host page's level). The nested bar multiplies instead: ` +
    `each of the n+1 guest-physical addresses needs a whole host walk, so a level more on either side adds a row or a column to the grid, and a large page on either side removes one.`
  );
}

/**
 * The "what to notice" of the tlb-size playground, for the parameters it was drawn with (numbers
 * from the same runs as the chart) and a rule that holds for every slider setting.
 */
export function tlbSizeNotice(p: Partial<TlbSizeParams> = {}): string {
  const params: TlbSizeParams = { tlbEntries: p.tlbEntries ?? 64, workingSetPages: p.workingSetPages ?? 1024, hostPageKiB: p.hostPageKiB ?? 4 };
  const rows = tlbSizeRows(params);
  const of = (mode: string) => rows.find((r) => r.mode === mode)!;
  const native = of("native"), shadow = of("shadow"), nested = of("nested");
  const pct = (v: number) => `${(100 * v).toFixed(1)}%`;
  const cyc = (v: number) => v.toFixed(1);
  const hitRates = [...new Set(rows.map((r) => pct(r.tlbHitRate)))];
  return (
    `**What to notice** (at the values set in the cell: a ${params.tlbEntries}-entry TLB, ${params.workingSetPages.toLocaleString("en-US")} pages, ${pageLabelKiB(params.hostPageKiB)} host pages): ` +
    `the TLB hit rate is ${hitRates.length === 1 ? `**${hitRates[0]}** in all three modes` : hitRates.map((h, i) => `${rows[i]!.mode} **${h}**`).join(", ")}; ` +
    `an access costs **${cyc(native.cyclesPerAccess)}** cycles on bare metal, **${cyc(shadow.cyclesPerAccess)}** under shadow paging and **${cyc(nested.cyclesPerAccess)}** under nested paging ` +
    `(${(nested.cyclesPerAccess / native.cyclesPerAccess).toFixed(1)}× bare metal). ` +
    `At any slider setting the hit rate is the same in the three modes (the TLB caches the same translations whoever fills it), shadow paging costs what bare metal costs (its misses walk one table), ` +
    `and nested paging's extra cost grows as the hit rate falls, because every miss is a 2D walk; 2 MiB host pages shorten that walk.`
  );
}

/**
 * A hidden test for notebook 03's `nestedWalkRefs` exercise: `machines` seeded random
 * configurations (4 or 5 levels on each side, 4 KiB / 2 MiB / 1 GiB pages on each side), each
 * built as a real simulated machine whose hardware walker reads the tables; the student's count
 * must equal the entries that walker read. Feedback names the configuration, never the count.
 */
export function checkNestedWalkRefsOnMachines(nestedWalkRefs: NestedWalkRefsFn, options: { seed?: number; machines?: number } = {}): ExerciseCheckReport {
  const exercise = "nestedWalkRefs";
  const rng = new Random(options.seed ?? 7);
  const machines = options.machines ?? 6;
  for (let i = 0; i < machines; i++) {
    const g = rng.pick([4, 5]), h = rng.pick([4, 5]);
    const gp = rng.pick(PAGE_KIB), hp = rng.pick(PAGE_KIB);
    const want = walkReadsInMode("nested", g, h, gp, hp).total;
    const args = `a simulated machine with a ${g}-level guest (${pageLabelKiB(gp)} pages) over a ${h}-level host (${pageLabelKiB(hp)} pages)`;
    const got = callStudent(exercise, nestedWalkRefs, [g, h, gp * 1024, hp * 1024], args);
    if (got === want) continue;
    const why = got === want + 1
      ? "it looks like you also counted the final data access; the walker counts page-table reads only"
      : "the machine's hardware walker read a different number of entries; check how a large page shortens the walk on its own side, and that every guest-physical address (each guest table and the data page) gets its own host walk";
    throw new ExerciseCheckError(exercise, `wrong count for ${args} (got ${JSON.stringify(got)}): ${why}`);
  }
  return passed(exercise, machines);
}
