/**
 * Lesson helpers of notebook 06 (key activity and conclusion).
 *
 * `activityMeasurements` runs a compact version of the experiments of notebooks 02–05 so the
 * group discussion and the synthesis can quote numbers the class just produced; the other
 * helpers turn those numbers into discussion prompts and the synthesis table. Pure and
 * browser-safe.
 */
import type { Figure } from "../charts/figure";
import { formatNumber } from "../display/bundle";
import { lessonRatioFigure } from "./charts";
import { ioLessonDirectAccessChaos, ioLessonSteadyRun, ioLessonThroughputGbps } from "./io-virtualization";
import { perfLessonChurnSweep, perfLessonCrossover, perfLessonWorkloadComparison } from "./performance";

const f = formatNumber;

/** The numbers the discussion and the synthesis use. All from the simulator. */
export interface ActivityMeasurements {
  /** Seed of every run. */
  seed: number;
  /** Cycles per access on a static, TLB-miss-heavy program: native, shadow, nested. */
  staticProgram: { native: number; shadow: number; nested: number };
  /** Cycles per access on fork/exec churn: native, shadow, nested. */
  forkExec: { native: number; shadow: number; nested: number; shadowExitsPerThousand: number };
  /** Guest PTE writes per 1000 accesses at which nested starts to win (null: no crossover found). */
  crossoverPteWritesPerThousand: number | null;
  /** Per path: mean latency (µs) and exits per request on the steady stream; throughput (% of bare metal) in the saturated run. */
  io: Record<"emulated" | "vhost" | "passthrough + posted" | "bare-metal", { meanLatencyUs: number; exitsPerRequest: number; percentOfBareMetal: number }>;
  /** Rogue DMA writes that reached another VM without and with an IOMMU. */
  dma: { attempts: number; landedWithoutIommu: number; landedWithIommu: number };
}

/** Runs the compact measurement set (about half a second). */
export function activityMeasurements(options: { seed?: number } = {}): ActivityMeasurements {
  const seed = options.seed ?? 1;
  const w = perfLessonWorkloadComparison({ seed, workloads: ["random 1024 pages", "fork/exec"] });
  const cpa = (workload: string, mode: string) => w.find((r) => r.workload === workload && r.mode === mode)!;
  // Shadow's cost grows about linearly with the churn, so two levels place the crossover well.
  const churn = perfLessonChurnSweep({ seed, periods: [0, 50] });
  const bareCapacity = ioLessonThroughputGbps("bare-metal", seed);
  const ioOf = (path: string) => {
    const r = ioLessonSteadyRun(path, seed);
    return { meanLatencyUs: r.latency.meanUs, exitsPerRequest: r.exitsPerRequest, percentOfBareMetal: (100 * ioLessonThroughputGbps(path, seed)) / bareCapacity };
  };
  const [off, on] = ioLessonDirectAccessChaos({ seed, rogueWrites: 50 });
  return {
    seed,
    staticProgram: {
      native: cpa("random 1024 pages", "native").cyclesPerAccess,
      shadow: cpa("random 1024 pages", "shadow").cyclesPerAccess,
      nested: cpa("random 1024 pages", "nested").cyclesPerAccess,
    },
    forkExec: {
      native: cpa("fork/exec", "native").cyclesPerAccess,
      shadow: cpa("fork/exec", "shadow").cyclesPerAccess,
      nested: cpa("fork/exec", "nested").cyclesPerAccess,
      shadowExitsPerThousand: cpa("fork/exec", "shadow").vmExitsPerThousand,
    },
    crossoverPteWritesPerThousand: perfLessonCrossover(churn)?.pteWritesPerThousand ?? null,
    io: { emulated: ioOf("emulated"), vhost: ioOf("vhost"), "passthrough + posted": ioOf("passthrough + posted"), "bare-metal": ioOf("bare-metal") },
    dma: { attempts: off!.rogueWrites, landedWithoutIommu: off!.landedInOtherVm, landedWithIommu: on!.landedInOtherVm },
  };
}

/**
 * Group-discussion prompts (markdown) built on the class's numbers: `m` from
 * activityMeasurements, `walk` from the student's own page walk (walkReadsAndTlbSavings).
 */
export function activityDiscussionPrompts(m: ActivityMeasurements, walk?: ActivityWalkCost): string {
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
  if (walk) lines.push(yourMmuPrompt(lines.length + 1, walk));
  return lines.join("\n\n");
}

/** What {@link activityYourMmuPrompt} quotes of the student's walk (a WalkCostReport fits). */
export interface ActivityWalkCost {
  addresses: number;
  pageTableReads: number;
  walksSavedByTlb: number;
  tlbEntries: number;
}

function yourMmuPrompt(n: number, walk: ActivityWalkCost): string {
  return (
    `${n}. **Your MMU.** Your page walk read **${f(walk.pageTableReads)}** page-table bytes for ${f(walk.addresses)} addresses. A TLB of ${walk.tlbEntries} entries would have ` +
    `skipped **${f(walk.walksSavedByTlb)}** of those walks. Under nested paging each of your walks would itself be walked by the host. ` +
    `Which hardware structure matters most for a VM's memory performance, and why?`
  );
}

/**
 * The prompt on the student's own page walk, numbered after {@link activityDiscussionPrompts}'
 * others: a cell of its own, since its numbers come from the student's exercise code.
 */
export function activityYourMmuPrompt(m: ActivityMeasurements, walk: ActivityWalkCost): string {
  return yourMmuPrompt(activityDiscussionPrompts(m).split("\n\n").length + 1, walk);
}

/** The synthesis table: each mechanism, what it secures, what it makes manageable, what it costs (measured), how it is cut. */
export function activitySynthesisTable(m: ActivityMeasurements): Record<string, string>[] {
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

/** One row of the guided map from the lesson's concepts to real hypervisor code. */
export interface HypervisorMapRow {
  /** The concept, as the lessons name it. */
  concept: string;
  /** Where kernel-lib models it (a path under kernel-lib/src). */
  simulator: string;
  /** Where Linux/KVM implements it (paths in the Linux source tree). */
  linuxKvm: string;
  /** Where QEMU implements it (paths in the QEMU source tree), or "—". */
  qemu: string;
  /** What to look for there (names of functions or structures, to search for). */
  lookFor: string;
}

/**
 * The guided map of part B: concept → kernel-lib file → Linux/KVM and QEMU source folders.
 * Folder and file names are those of the upstream trees (Linux 6.x, QEMU 8–9); function names
 * are hints to search for, since they move between releases.
 */
export const HYPERVISOR_SOURCE_MAP: readonly HypervisorMapRow[] = Object.freeze([
  {
    concept: "VM exits and their handlers",
    simulator: "hypervisor/vm-exit.ts",
    linuxKvm: "arch/x86/kvm/vmx/vmx.c (Intel), arch/x86/kvm/svm/svm.c (AMD), arch/x86/kvm/x86.c",
    qemu: "accel/kvm/kvm-all.c",
    lookFor: "the exit-handler tables (kvm_vmx_exit_handlers, svm_exit_handlers); in QEMU kvm_cpu_exec and its KVM_EXIT_IO / KVM_EXIT_MMIO cases",
  },
  {
    concept: "shadow paging",
    simulator: "hypervisor/shadow.ts",
    linuxKvm: "arch/x86/kvm/mmu/mmu.c, arch/x86/kvm/mmu/paging_tmpl.h, arch/x86/kvm/mmu/page_track.c",
    qemu: "—",
    lookFor: "FNAME(walk_addr_generic) and FNAME(page_fault) in paging_tmpl.h (the guest walk and the hidden fault); kvm_mmu_track_write in mmu.c (a write to a write-protected guest page table)",
  },
  {
    concept: "nested paging (EPT/NPT, 'TDP')",
    simulator: "mmu/walker.ts (2D walk), hypervisor/machine.ts (mode nested)",
    linuxKvm: "arch/x86/kvm/mmu/tdp_mmu.c, arch/x86/kvm/mmu/tdp_iter.c, arch/x86/kvm/mmu/spte.c",
    qemu: "—",
    lookFor: "kvm_tdp_mmu_map (filling the EPT/NPT on a violation); handle_ept_violation in vmx.c, npf_interception in svm.c",
  },
  {
    concept: "TLB tags per VM (VPID/ASID)",
    simulator: "mmu/tlb.ts",
    linuxKvm: "arch/x86/kvm/vmx/vmx.c, arch/x86/kvm/svm/svm.c",
    qemu: "—",
    lookFor: "vpid allocation (allocate_vpid) and ASID handling; the INVVPID/INVEPT flushes",
  },
  {
    concept: "device emulation (e1000, IDE, Lance/PCnet)",
    simulator: "io/emulated.ts",
    linuxKvm: "— (the exit reaches QEMU in user space)",
    qemu: "hw/net/e1000.c, hw/net/pcnet.c, hw/ide/core.c",
    lookFor: "the register read/write tables of e1000.c (macreg_readops / macreg_writeops), set_ics, the TDT write that starts a transmit",
  },
  {
    concept: "virtio rings and notification suppression",
    simulator: "io/virtqueue.ts, io/virtio.ts",
    linuxKvm: "drivers/virtio/virtio_ring.c (guest driver side), include/uapi/linux/virtio_ring.h",
    qemu: "hw/virtio/virtio.c, hw/net/virtio-net.c",
    lookFor: "vring_need_event (your needKick of notebook 04); virtqueue_pop and virtio_notify in QEMU",
  },
  {
    concept: "vhost: virtio back end in the host kernel",
    simulator: "io/virtio.ts (path vhost)",
    linuxKvm: "drivers/vhost/net.c, drivers/vhost/vhost.c, virt/kvm/eventfd.c",
    qemu: "hw/net/vhost_net.c",
    lookFor: "handle_tx / handle_rx in net.c; ioeventfd and irqfd in eventfd.c (kicks and interrupts without QEMU)",
  },
  {
    concept: "passthrough (VFIO, SR-IOV)",
    simulator: "io/passthrough.ts",
    linuxKvm: "drivers/vfio/pci/vfio_pci_core.c, drivers/vfio/vfio_iommu_type1.c",
    qemu: "hw/vfio/pci.c",
    lookFor: "how a device's BARs are mapped into the guest and how DMA mappings are pinned and handed to the IOMMU",
  },
  {
    concept: "IOMMU (VT-d, AMD-Vi)",
    simulator: "io/iommu.ts",
    linuxKvm: "drivers/iommu/intel/, drivers/iommu/amd/, drivers/iommu/iommu.c",
    qemu: "hw/i386/intel_iommu.c (an emulated IOMMU for guests)",
    lookFor: "domain attach and map/unmap operations; the fault reporting of a blocked DMA",
  },
  {
    concept: "posted / exit-less interrupts",
    simulator: "io/path-model.ts (interrupts: \"posted\")",
    linuxKvm: "arch/x86/kvm/vmx/posted_intr.c, arch/x86/kvm/svm/avic.c, arch/x86/kvm/lapic.c",
    qemu: "—",
    lookFor: "the posted-interrupt descriptor; APICv / AVIC enabling",
  },
]);

/** The map as table rows with readable headers. */
export function activityHypervisorMap(): Record<string, string>[] {
  return HYPERVISOR_SOURCE_MAP.map((r) => ({
    concept: r.concept,
    "kernel-lib (src/)": r.simulator,
    "Linux / KVM": r.linuxKvm,
    QEMU: r.qemu,
    "look for": r.lookFor,
  }));
}

/** One bar of the class's overhead chart. */
export type ActivityOverheadRow = {
  /** "memory" or "I/O". */
  area: string;
  /** What was measured. */
  measurement: string;
  /** Cost relative to no virtualization (1 = native / bare metal). */
  times: number;
};

/** The measurements as bars: memory cycles per access over native, I/O mean latency over bare metal. */
export function activityOverheadRows(m: ActivityMeasurements): ActivityOverheadRow[] {
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

/** The class's overhead chart: {@link activityOverheadRows} as labelled ratio bars. */
export function activityOverheadFigure(m: ActivityMeasurements): Figure {
  const fig = lessonRatioFigure(activityOverheadRows(m), {
    label: "measurement", value: "times", color: "area",
    title: "The class's measurements: cost relative to no virtualization",
    valueTitle: "× native / bare metal (log scale)",
  });
  fig.layout.yaxis = { ...fig.layout.yaxis, title: { text: "measurement" } };
  return fig;
}

/** "What to notice" under the student's walk-cost chart (walkReadsAndTlbSavings). */
export function activityWalkCostNotice(walk: { addresses: number; pageTableReads: number; walksSavedByTlb: number; tlbEntries: number }): string {
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
export function activityDebateEvidence(m: ActivityMeasurements): string {
  const rows = activityOverheadRows(m);
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
export type ActivityMixRow = { "fork/exec share of accesses (%)": number; "shadow (cycles / access)": number; "nested (cycles / access)": number; cheaper: string };

/**
 * The what-if of part C: one host runs the static program and the fork/exec program, and the
 * hypervisor must pick one memory mode for both. Cycles per access of each mode for several
 * shares of fork/exec accesses (weighted averages of the measured costs), and the break-even share.
 */
export function activityModeMix(m: ActivityMeasurements, shares: readonly number[] = [0, 10, 25, 50, 75, 100]): { rows: ActivityMixRow[]; breakEvenPercent: number | null } {
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
export function activityModeMixNotice(mix: { rows: readonly ActivityMixRow[]; breakEvenPercent: number | null }): string {
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

/** The map as markdown: one block per concept (reads better than a five-column table). */
export function activityHypervisorMapMarkdown(): string {
  const code = (list: string) => list.split(/,\s*/).map((p) => (p.startsWith("—") ? p : `\`${p.replace(/ \(.*\)$/, "")}\`${/ \(.*\)$/.test(p) ? p.match(/ \(.*\)$/)![0] : ""}`)).join(", ");
  return HYPERVISOR_SOURCE_MAP.map(
    (r) =>
      `**${r.concept}**  \n` +
      `kernel-lib: ${code(r.simulator)} · Linux/KVM: ${code(r.linuxKvm)} · QEMU: ${code(r.qemu)}  \n` +
      `*Look for:* ${r.lookFor}`,
  ).join("\n\n");
}
