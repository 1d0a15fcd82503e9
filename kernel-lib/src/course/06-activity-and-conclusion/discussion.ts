/**
 * Notebook 06's discussion and synthesis, built on the class's measurements: the prompts, the
 * overhead chart and its evidence for the debate, the what-if of one mode for a mixed host, and
 * the synthesis table.
 */
import type { Figure } from "../../charts/figure";
import { ratioFigure } from "../../charts/ratio-figure";
import { formatNumber } from "../../core/format";
import type { Measurements } from "./measurements";

const f = formatNumber;

/**
 * Group-discussion prompts (markdown) built on the class's numbers: `m` from
 * measurements, `walk` from the student's own page walk (walkReadsAndTlbSavings).
 */
export function discussionPrompts(m: Measurements, walk?: WalkCost): string {
  const lines: string[] = [];
  lines.push(
    `${lines.length + 1}. **Shadow or nested?** On a program with static page tables you measured shadow ${f(m.staticProgram.shadow)} vs nested ` +
      `${f(m.staticProgram.nested)} cycles per access; on fork/exec shadow ${f(m.forkExec.shadow)} (with ${f(m.forkExec.shadowExitsPerThousand)} exits per 1000 accesses) ` +
      `vs nested ${f(m.forkExec.nested)}. ${m.crossoverPteWritesPerThousand === null ? "" : `The crossover sat near ${f(m.crossoverPteWritesPerThousand)} page-table writes per 1000 accesses. `}` +
      `Why do KVM, Xen, Hyper-V and VMware all default to nested paging anyway?`,
  );
  const emu = m.io.emulated, vh = m.io.vhost, pt = m.io["passthrough + posted"], bare = m.io["bare-metal"];
  lines.push(
    `${lines.length + 1}. **"Slight latency"?** On a steady stream of requests an emulated NIC answered in ${f(emu.meanLatencyUs)} µs on average (${f(emu.exitsPerRequest)} exits per request), vhost in ` +
      `${f(vh.meanLatencyUs)} µs, passthrough with posted interrupts in ${f(pt.meanLatencyUs)} µs, bare metal in ${f(bare.meanLatencyUs)} µs. ` +
      `For which of your own workloads (a game server, a backup job, a trading engine, a student VM) is each path acceptable?`,
  );
  lines.push(
    `${lines.length + 1}. **Isolation has a price, and so does its absence.** Without an IOMMU, ${f(m.dma.landedWithoutIommu)} of ${f(m.dma.attempts)} rogue DMA writes ` +
      `landed in another VM; with it, ${f(m.dma.landedWithIommu)}. Would you ever run passthrough without an IOMMU? Who would have to trust whom?`,
  );
  lines.push(
    `${lines.length + 1}. **Where is the overhead going?** Pick one number above and trace it to a line of real code in the hypervisor map of part B ` +
      `(which function runs when that exit happens?).`,
  );
  if (walk) lines.push(mmuPrompt(lines.length + 1, walk));
  return lines.join("\n\n");
}

/** What {@link yourMmuPrompt} quotes of the student's walk (a WalkCostReport fits). */
export interface WalkCost {
  addresses: number;
  pageTableReads: number;
  walksSavedByTlb: number;
  tlbEntries: number;
}

function mmuPrompt(n: number, walk: WalkCost): string {
  return (
    `${n}. **Your MMU.** Your page walk read **${f(walk.pageTableReads)}** page-table bytes for ${f(walk.addresses)} addresses. A TLB of ${walk.tlbEntries} entries would have ` +
    `skipped **${f(walk.walksSavedByTlb)}** of those walks. Under nested paging each of your walks would itself be walked by the host. ` +
    `Which hardware structure matters most for a VM's memory performance, and why?`
  );
}

/**
 * The prompt on the student's own page walk, numbered after {@link discussionPrompts}'
 * others: a cell of its own, since its numbers come from the student's exercise code.
 */
export function yourMmuPrompt(m: Measurements, walk: WalkCost): string {
  return mmuPrompt(discussionPrompts(m).split("\n\n").length + 1, walk);
}

/** The synthesis table: each mechanism, what it secures, what it makes manageable, what it costs (measured), how it is cut. */
export function synthesisTable(m: Measurements): Record<string, string>[] {
  return [
    {
      mechanism: "memory virtualization (a private address space per VM)",
      "secures": "a VM cannot read or write another VM's memory",
      "makes manageable": "memory handed out, resized, overcommitted and migrated by the hypervisor",
      "overhead measured": `shadow: ${f(m.forkExec.shadow / m.forkExec.native)}× native on fork/exec; nested: ${f(m.staticProgram.nested / m.staticProgram.native)}× on a TLB-miss-heavy program`,
      "how it is cut": "nested paging (no exits on guest page-table writes), large pages, page-walk caches",
    },
    {
      mechanism: "MMU virtualization (shadow or nested tables, VM-tagged TLB)",
      "secures": "the guest's page tables cannot map host memory",
      "makes manageable": "guests keep full control of their own page tables",
      "overhead measured": `crossover near ${m.crossoverPteWritesPerThousand === null ? "—" : f(m.crossoverPteWritesPerThousand)} page-table writes / 1000 accesses`,
      "how it is cut": "choose the mode per workload; VPID/ASID tags avoid TLB flushes",
    },
    {
      mechanism: "I/O virtualization (emulated, virtio, vhost)",
      "secures": "every request is checked by the hypervisor",
      "makes manageable": "standard devices on any host; live migration; fair sharing",
      "overhead measured": `mean latency (steady stream): emulated ${f(m.io.emulated.meanLatencyUs)} µs, vhost ${f(m.io.vhost.meanLatencyUs)} µs vs bare metal ${f(m.io["bare-metal"].meanLatencyUs)} µs`,
      "how it is cut": "paravirtual rings, batching, notification suppression, in-kernel back ends",
    },
    {
      mechanism: "passthrough with an IOMMU (VFIO, SR-IOV)",
      "secures": `device DMA stays inside its VM (${f(m.dma.landedWithIommu)} of ${f(m.dma.attempts)} rogue writes got through)`,
      "makes manageable": "one physical card shared as many virtual functions",
      "overhead measured": `with posted interrupts: ${f(m.io["passthrough + posted"].percentOfBareMetal)} % of bare-metal throughput (saturated run), ${f(m.io["passthrough + posted"].meanLatencyUs)} µs mean latency (steady stream)`,
      "how it is cut": "posted / exit-less interrupts; but migration and overcommit get harder",
    },
  ];
}

/** One bar of the class's overhead chart. */
export type OverheadRow = {
  /** "memory" or "I/O". */
  area: string;
  /** What was measured. */
  measurement: string;
  /** Cost relative to no virtualization (1 = native / bare metal). */
  times: number;
};

/** The measurements as bars: memory cycles per access over native, I/O mean latency over bare metal. */
export function overheadRows(m: Measurements): OverheadRow[] {
  const bare = m.io["bare-metal"].meanLatencyUs;
  return [
    { area: "memory", measurement: "shadow, static program", times: m.staticProgram.shadow / m.staticProgram.native },
    { area: "memory", measurement: "nested, static program", times: m.staticProgram.nested / m.staticProgram.native },
    { area: "memory", measurement: "shadow, fork/exec", times: m.forkExec.shadow / m.forkExec.native },
    { area: "memory", measurement: "nested, fork/exec", times: m.forkExec.nested / m.forkExec.native },
    { area: "I/O", measurement: "emulated NIC latency", times: m.io.emulated.meanLatencyUs / bare },
    { area: "I/O", measurement: "vhost latency", times: m.io.vhost.meanLatencyUs / bare },
    { area: "I/O", measurement: "passthrough + posted latency", times: m.io["passthrough + posted"].meanLatencyUs / bare },
  ];
}

/** The class's overhead chart: {@link overheadRows} as labelled ratio bars. */
export function overheadFigure(m: Measurements): Figure {
  const fig = ratioFigure(overheadRows(m), {
    label: "measurement", value: "times", color: "area",
    title: "The class's measurements: cost relative to no virtualization",
    valueTitle: "× native / bare metal (log scale)",
  });
  fig.layout.yaxis = { ...fig.layout.yaxis, title: { text: "measurement" } };
  return fig;
}

/** "What to notice" under the student's walk-cost chart (walkReadsAndTlbSavings). */
export function walkCostNotice(walk: { addresses: number; pageTableReads: number; walksSavedByTlb: number; tlbEntries: number }): string {
  return (
    `**What to notice:** your walk read ${f(walk.pageTableReads)} page-table bytes for ${f(walk.addresses)} accesses. A TLB of ` +
    `${walk.tlbEntries} entries (kernel-lib's \`Tlb\`) would have avoided ${f(walk.walksSavedByTlb)} of the ${f(walk.addresses)} walks, because ` +
    `programs reuse the same pages. That is why a hypervisor is felt at once when it makes each walk longer (nested paging) or turns ` +
    `every address-space switch into a VM exit (shadow paging on CR3 loads). A CR3 load flushes the TLB's non-global entries natively too, ` +
    `unless PCIDs tag them; what shadow paging adds is the exit and the switch of shadow tables.`
  );
}


/**
 * Evidence for the debate "virtualization overhead is a solved problem", from the class's
 * measurements: the bars within 10 % of no virtualization, and the bars at twice or more.
 */
export function debateEvidence(m: Measurements): string {
  const rows = overheadRows(m);
  const list = (test: (x: number) => boolean) => rows.filter((r) => test(r.times)).map((r) => `*${r.measurement}* ${f(r.times)}×`);
  const cheap = list((x) => x <= 1.1), dear = list((x) => x >= 2), middle = list((x) => x > 1.1 && x < 2);
  return [
    `**Your evidence** (× no virtualization, from part C's chart):`,
    `- within 10 % of native or bare metal: ${cheap.length ? cheap.join(", ") : "none"};`,
    ...(middle.length ? [`- between 1.1× and 2×: ${middle.join(", ")};`] : []),
    `- twice or more: ${dear.length ? dear.join(", ") : "none"}.`,
    ``,
    `And one number that is not a cost: without an IOMMU ${f(m.dma.landedWithoutIommu)} of ${f(m.dma.attempts)} rogue DMA writes reached another VM, with it ${f(m.dma.landedWithIommu)}.`,
  ].join("\n");
}

/** One row of the what-if table: a host running both programs, one memory mode for all. */
export type MixRow = { "fork/exec share of accesses (%)": number; "shadow (cycles / access)": number; "nested (cycles / access)": number; cheaper: string };

/**
 * The what-if of part C: one host runs the static program and the fork/exec program, and the
 * hypervisor must pick one memory mode for both. Cycles per access of each mode for several
 * shares of fork/exec accesses (weighted averages of the measured costs), and the break-even share.
 */
export function modeMix(m: Measurements, shares: readonly number[] = [0, 10, 25, 50, 75, 100]): { rows: MixRow[]; breakEvenPercent: number | null } {
  const cost = (mode: "shadow" | "nested", share: number) => (1 - share / 100) * m.staticProgram[mode] + (share / 100) * m.forkExec[mode];
  const rows = shares.map((share) => {
    const [sh, ne] = [cost("shadow", share), cost("nested", share)];
    return { "fork/exec share of accesses (%)": share, "shadow (cycles / access)": sh, "nested (cycles / access)": ne, cheaper: sh < ne ? "shadow" : ne < sh ? "nested" : "tie" };
  });
  // shadow − nested is linear in the share: zero at d0 / (d0 − d1).
  const d0 = m.staticProgram.shadow - m.staticProgram.nested, d1 = m.forkExec.shadow - m.forkExec.nested;
  const breakEven = d0 !== d1 && d0 / (d0 - d1) >= 0 && d0 / (d0 - d1) <= 1 ? (100 * d0) / (d0 - d1) : null;
  return { rows, breakEvenPercent: breakEven };
}

/** The what-if's numbers as markdown (under its table). */
export function modeMixNotice(mix: { rows: readonly MixRow[]; breakEvenPercent: number | null }): string {
  if (mix.breakEvenPercent === null) {
    const w = mix.rows[0]!.cheaper;
    return `**What the numbers say:** ${w} is cheaper at every share here, so one mode wins the whole host.`;
  }
  const low = mix.rows[0]!.cheaper;
  const high = mix.rows[mix.rows.length - 1]!.cheaper;
  return (
    `**What the numbers say:** the two modes cost the same when about **${f(mix.breakEvenPercent)} %** of the host's memory accesses ` +
    `come from fork/exec work. Below that share ${low} paging is cheaper for the host as a whole, above it ${high} paging.`
  );
}
