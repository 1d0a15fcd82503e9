import sys; sys.path.insert(0, "tools")
from nbauthor import md, code, write, solution, tests, teacher, callout

# Notebook 05: impact on system performance (lesson plan "Impact on System Performance").
# Every number the simulator can produce is printed by a cell (kl.showMarkdown), never typed here.
# Published figures (B1–B6, A8–A9, C3–C5 of docs/virtualization-figures.md) are quoted with their ids.

write("notebooks/05-performance.ipynb", [
md("""
# 05 — Impact on system performance: what isolation costs

*Exploring memory and I/O virtualization in hypervisors — lesson 5 of 6.*

*Lesson plan, core content 5: analyze the trade-offs between enhanced security and flexibility and
the overhead that virtualization techniques introduce.*

← Previous: [04 — I/O virtualization](04-io-virtualization.ipynb) ·
Next: [06 — Key activity and conclusion](06-activity-and-conclusion.ipynb) →
"""),
callout("objectives", """
**Learning objectives.** After this notebook you can

1. say, for a given workload, whether shadow paging or nested paging (EPT/NPT) costs less — and why;
2. find the **crossover**: how much page-table churn it takes for nested paging to win;
3. explain **TLB reach** and why large pages shrink both TLB misses and the 2D walk;
4. compare the CPU cost of the I/O paths and say where the cycles go;
5. weigh what each mechanism **buys** (isolation, flexibility, manageability) against what it **costs**.
"""),
teacher("""
**Timing (about 45 minutes).** Workloads and crossover 15 min · large pages 10 min · I/O recap and
summary chart 10 min · exercises and discussion 10 min. The summary chart in section 5 is the one to
leave on the projector while the class discusses.

**What the numbers mean.** The memory model charges a small fixed cost for the data access itself
(the first cell prints the cost model). That is a modelling assumption, not a real latency (an L1 hit
takes a few cycles, DRAM hundreds) and not a CPI (cycles per *instruction*, as in Patterson &
Hennessy's exercise, B13). So "cycles per access" here is the cost of the *mechanism*, translation and
VM exits, not of a whole application. Real programs do much more work per memory access, so their
published slowdowns are tens of percent, not multiples (B1, B2, B4). Say this out loud before showing
the first chart; students otherwise conclude that virtualization makes everything several times slower.
"""),
code("""
import * as kl from "kernel-lib";
const SEED = 5;   // change the seed for fresh problems in the exercises
kl.showMarkdown(kl.perfLessonCostModelNotice());
"""),
md("""
## 1. Shadow or nested? It depends on the workload

Notebooks 02 and 03 built the two ways to virtualize the MMU:

- **shadow paging** (software): the hypervisor keeps a *shadow* table that maps guest-virtual
  straight to host-physical addresses. A TLB miss walks it like a native table — cheap. But the guest's
  own tables are write-protected, so every guest page-table write, every CR3 load and every missing
  shadow entry is a **VM exit**.
- **nested paging** (hardware: Intel EPT, AMD NPT/RVI): the guest edits its tables freely, no exits.
  But every TLB miss walks **two** tables at once — a much longer walk.

So which is faster? Run the same workloads in all three modes (native is the baseline). The table
lists them and what each does to its page tables: *static* ones keep them fixed, *churn* ones create
and destroy mappings all the time.
"""),
code("""
kl.showTable(kl.perfLessonWorkloadList(SEED), { caption: "The workloads (seeded traces)" });
const workloads = kl.perfLessonWorkloadComparison({ seed: SEED });
kl.showChart(kl.lessonLogTicks(kl.barChart(workloads, {
  x: "workload", y: "cyclesPerAccess", color: "mode", logY: true,
  title: "Cost per memory access: native, shadow and nested paging",
  xTitle: "workload", yTitle: "cycles per access (log scale)",
})));
"""),
code("""
kl.showMarkdown(kl.perfLessonWinnersNotice(workloads));
"""),
md("""
Compare with the measurements on real machines:
- **Hardware assist wins on MMU-intensive work with churn.** VMware measured Intel EPT up to **48 %**
  faster than its shadow paging on MMU-intensive benchmarks and up to **600 %** on microbenchmarks
  (B1); AMD RVI up to **42 %** / **500 %** (B2).
- **Shadow can win when tables rarely change and the TLB misses a lot.** VMware warns that with hardware
  assist "the TLB miss latency ... is significantly higher" (B3), and EPT "increases memory access
  latencies for a few workloads" (B1).
- **Often it barely matters.** A Xen study found no noticeable gap in more than half the cases, and up to
  **34 %** either way for a few benchmarks (B4).
- **Exits were the original problem.** On the first VT-x processors (shadow paging only), a guest
  page-table write cost the hardware VMM 12,733 cycles against 391 for VMware's software VMM (B5). A
  secondary summary of the same paper reports 40,000 fork/wait iterations taking 6.0 s native, 36.9 s
  under the software VMM and **106.4 s** under the hardware VMM (B6).
"""),
callout("pause", """
**Pause.** Look at *fork/exec* and *random 1024 pages* in the chart and in the list above. Which
mode wins each one, and why? What is each workload doing to its page tables?
"""),
teacher("""
**Answer.** *random 1024 pages* touches more pages than the TLB holds, so it misses constantly, but
its page table never changes after the warm-up: under shadow paging each miss is a native-length walk
and there are no exits; under nested paging each miss is a 2D walk of (n+1)² − 1 references. *fork/exec* creates
and destroys address spaces: every page-table write by the guest kernel (copying the parent's
table, exec's new mappings, demand faults) is a write to a write-protected page → a VM exit under
shadow paging (the cost-model line at the top gives its cycles); nested paging lets the guest write its
tables without exits.
*Context switches* sit in between: CR3 loads exit under shadow paging.
"""),
md("""
## 2. The crossover: how much churn before nested wins?

Take one program that misses the TLB on almost every access (random reads over a working set far
larger than the TLB; the cell sets its size) and add page-table churn: every so often it maps a
scratch page, writes it and unmaps it. The x axis is the measured rate of guest page-table-entry writes.
"""),
code("""
const churn = kl.perfLessonChurnSweep({ seed: SEED, pages: 1024 });   // working set: 1024 pages of 4 KiB
kl.showChart(kl.lineChart(churn, {
  x: "pteWritesPerThousand", y: "cyclesPerAccess", color: "mode",
  title: "The crossover as page-table churn grows",
  xTitle: "guest page-table entry writes per 1000 accesses", yTitle: "cycles per access",
}));
"""),
code("""
const cross = kl.perfLessonCrossover(churn);
kl.showMarkdown(kl.perfLessonCrossoverNotice(churn));
"""),
md("""
**Try it.** The playground reruns a fork/exec-heavy program for the churn, working set and host page
size you choose (sliders in the HTML handout). Where does the crossover move when the working set
shrinks? When host pages are 2 MiB?
"""),
code("""
const churnKnobs = { forkExecPer10k: 5, workingSetPages: 1024, hostPageKiB: 4 };
kl.showPlayground("page-table-churn", churnKnobs);
kl.showMarkdown(kl.perfLessonChurnPlaygroundNotice(churnKnobs));
"""),
md("""
## 3. TLB reach and large pages

Both modes hurt most when the TLB misses. The **TLB reach** is how much memory the TLB covers:
entries × page size. Large pages raise it, and they help twice under nested paging: fewer misses, and
each 2D walk is shorter, because a 2 MiB leaf ends a walk one level early (figure A8). The simulated
TLB keeps the same number of entries for every page size, like the fully associative L1 data TLB of
AMD's Zen (figure D4); Intel's Haswell keeps half as many entries for 2 MiB pages as for 4 KiB pages
(D2), which would halve the 2 MiB reach below. Real cores back the L1 TLB with a second-level TLB of
about 1,500 to 2,000 entries (D1, D2, D4); the `tlb-size` playground below lets you grow it.
"""),
code("""
const LARGE = { seed: SEED, pages: 4096 };   // random reads over 4096 pages of 4 KiB
const pages = kl.perfLessonLargePages(LARGE);
kl.showTable(kl.lessonTable(pages), {
  caption: `Random reads over ${kl.formatNumber(LARGE.pages * 4 / 1024)} MiB with 4 KiB and 2 MiB pages`,
});
kl.showMarkdown(kl.perfLessonTlbReachNotice(pages, LARGE.pages));
"""),
code("""
kl.showChart(kl.lessonLogTicks(kl.barChart(pages, {
  x: "configuration", y: "cyclesPerAccess", logY: true,
  title: "Large pages: fewer TLB misses and shorter nested walks",
  xTitle: "configuration", yTitle: "cycles per access (log scale)",
})));
"""),
code("""
kl.showMarkdown(kl.perfLessonLargePagesNotice(pages));
"""),
code("""
const tlbKnobs = { tlbEntries: 64, workingSetPages: 1024, hostPageKiB: 4 };
kl.showPlayground("tlb-size", tlbKnobs);
kl.showMarkdown(kl.perfLessonTlbPlaygroundNotice(tlbKnobs));
"""),
md("""
The walk lengths for every page-size mix are in the playground below (in the HTML handout it has
sliders). Published context: a hypervisor-side page-walk cache gave **+15–38 %** guest performance
and hypervisor large pages **a further +3–22 %** (A9); VMware's EPT and RVI papers recommend large
pages in both stages (B1–B3).
"""),
code("""
const walkKnobs = { guestLevels: 4, hostLevels: 4, guestPageKiB: 4, hostPageKiB: 2048 };
kl.showPlayground("page-walk", walkKnobs);
kl.showMarkdown(kl.perfLessonPageWalkNotice(walkKnobs));
"""),
md("""
## 4. I/O: where the cycles go

Notebook 04 compared the I/O paths by throughput and latency. Here is their CPU bill per request,
split by where the cycles go. Stacked bars: the guest's own work is the same on every path; what
virtualization adds sits on top.
"""),
code("""
const ioCycles = kl.perfLessonIoCycles({ seed: SEED });
const ioFig = kl.barChart(ioCycles, {
  x: "path", y: "cyclesPerRequest", color: "category",
  title: "CPU cycles per I/O request, by where they go",
  xTitle: "I/O path", yTitle: "CPU cycles per request",
});
ioFig.layout.barmode = "stack";
kl.showChart(ioFig);
kl.showMarkdown(kl.perfLessonIoCyclesNotice(ioCycles));
"""),
md("""
Published measurements point the same way: with exit-less interrupts, device assignment reached
**97–100 %** of bare metal (C3; a secondary note on that paper gives about 60–65 % without them);
direct interrupt delivery cut exits about **100×** (C5); ELVIS is reported, by a secondary source, to
have cut paravirtual I/O exits from about 142,000 per second to under 800 (C4).
"""),
md("""
## 5. What we gain, what we pay

Every mechanism in this lesson buys something: isolation between VMs, a standard device any guest
can use, VMs that can be moved between hosts. And every one costs something. The table and the chart
put the key numbers side by side: each mechanism's cost relative to running without virtualization
(memory: cycles per access over native; I/O: CPU cycles per request over bare metal).
"""),
code("""
const ioRows = kl.ioLessonPathComparison({ seed: SEED });
const summary = kl.perfLessonSummary({ seed: SEED, workloadRows: workloads, pageRows: pages, ioRows });
kl.showTable(kl.lessonTable(summary),
  { caption: "Cost of each mechanism (× no virtualization) and what it buys" });
"""),
code("""
kl.showChart(kl.perfLessonSummaryFigure(summary));
"""),
code("""
const worst = summary.reduce((a, b) => (b.slowdown > a.slowdown ? b : a));
const best = summary.filter((r) => r.area === "I/O").reduce((a, b) => (b.slowdown < a.slowdown ? b : a));
kl.showMarkdown(`**What to notice:** the dearest bar is *${worst.scenario}*
(${kl.formatNumber(worst.slowdown)}×); the cheapest I/O path is *${best.scenario}*
(${kl.formatNumber(best.slowdown)}×).
The overhead is not a fixed tax on virtualization: it depends on the **mechanism** (shadow vs nested,
emulated vs passthrough) and on the **workload** (churn, TLB misses, I/O rate). Choosing well is the
engineer's job.`);
"""),
teacher("""
**Presenting the summary chart.** Read it from the top as a story: memory first. Point at shadow and
nested on the static program and on fork/exec (each mode pays where the other does not), then at the
large-page bar. Then I/O: each step from emulation to passthrough removes a layer of the hypervisor,
its cost and some flexibility (notebook 04's trade-off table). Let the class read the sizes off the
chart rather than quoting them. Ask: "which bar would you pay for a bank's trading engine? a
university's student VMs? a CI build farm?"
"""),
md("""
## 6. Exercises

### 6a. Predict, then reveal (seeded)

The same back-of-the-envelope model as Patterson & Hennessy's exercise (figure B13), with this
library's cost constants. For each program compute the translation overhead per 1000 accesses in both
modes and say which wins. Then run the next cell. Change `SEED` for a fresh problem.
"""),
code("""
const problem = kl.perfPredictProblem(SEED);
kl.showMarkdown(problem.parameters + "\\n\\n" + problem.prompt);
kl.showTable(problem.questions);
"""),
code("""
kl.showTable(problem.answers, { caption: "Answers" });
kl.showMarkdown(problem.stats);
"""),
teacher("""
**How to solve it.** With m TLB misses and u PTE writes per 1000 accesses, n levels, r cycles per
walk reference and E cycles per exit (both in the parameters line): shadow = m·n·r + u·E;
nested = m·((n+1)² − 1)·r. Students usually forget that shadow paging also walks on a miss (the m·n·r
term) or use 24 references for a 5-level table. The `stats` line tells them how many of each winner to
expect, a useful check before the reveal.
"""),
md("""
### 6b. Graded: find the crossover

Write `crossover(tlbMissesPerThousand, levels, walkRefCycles, exitCycles)`: the number of guest
page-table writes per 1000 accesses at which shadow and nested paging cost **the same** in the model
above (guest and host tables both have `levels` levels; every guest page-table write costs one exit).
Set the two overheads equal and solve for the writes.
"""),
solution("""
function crossover(
  tlbMissesPerThousand: number, levels: number, walkRefCycles: number, exitCycles: number,
): number {
  // BEGIN SOLUTION
  const nestedRefs = (levels + 1) * (levels + 1) - 1;   // 2D walk
  const shadowRefs = levels;                            // shadow walk = native walk
  return (tlbMissesPerThousand * (nestedRefs - shadowRefs) * walkRefCycles) / exitCycles;
  // END SOLUTION
}
""", grade_id="perf_crossover"),
tests("""
kl.showMarkdown(kl.checkCrossover(crossover).message);
// BEGIN HIDDEN TESTS
const hidden05 = kl.checkCrossover(crossover, 2027);
// END HIDDEN TESTS
""", grade_id="perf_crossover_tests", points=3),
md("""
**Your formula against the simulator.** Once the tests pass, the next cell applies your `crossover`
to the program of section 2: its measured TLB misses, 4-level tables and the default costs.
"""),
code("""
const calm = churn.find((r) => r.mode === "shadow" && r.pteWritesPerThousand === 0)!;
const missesPerThousand = 1000 * (1 - calm.tlbHitPercent / 100);
const exitCost = kl.exitCycles(kl.MEMORY_COSTS_DEFAULT, "guest-pt-write");
const predicted = crossover(missesPerThousand, 4, kl.MEMORY_COSTS_DEFAULT.walkRefCycles, exitCost);
kl.showMarkdown(kl.perfLessonCrossoverComparison(churn, predicted, missesPerThousand));
"""),
teacher("""
**Reference answer.** crossover = m · ((n+1)² − 1 − n) · walkRefCycles / exitCycles: the extra
references of a nested walk over a native one, per miss, priced in exits. The follow-up cell prints
whether the simulator crosses earlier or later than the formula, and what one page-table write cost
the simulated shadow run, in cycles and in exits by cause. If it crosses earlier, the printed causes
are the answer: a real map/write/unmap costs more than the one exit the formula charges (a hidden page
fault on the first touch, the PTE writes, INVLPG). If it crosses later, look at what the formula
leaves out on the nested side (walk caching, misses that hit partial translations) or at the
measured miss rate.
"""),
md("""
## 7. Discussion
"""),
callout("debate", """
**Debate.** *"Hardware-assisted nested paging has made shadow paging obsolete."*

*For:* nested paging is the default in KVM, Xen, Hyper-V and VMware; it removes the exits of fork,
exec, mmap and context switches; large pages remove most of its walk cost. *Against:* shadow paging
can still win for TLB-miss-heavy programs with static tables (check section 1's list), research designs such as agile
paging switch between the two per region and beat both (A12), and nested virtualization (a hypervisor
inside a VM) relies on shadowing the inner hypervisor's tables. Use numbers from sections 1–3.
"""),
callout("what-if", """
**What if…** your company runs one fleet of hosts for two customers: a **CI build farm** (thousands of
short compiler and test processes: fork, exec, exit, all day) and an **in-memory database** (one big
process, 200 GB of data, random lookups, tables that never change). Which memory-virtualization mode and
page sizes would you choose for each, and which I/O path for the database's network traffic? Justify
each choice with a bar of the summary chart.
"""),
teacher("""
**A model answer.** CI farm: nested paging (fork/exec churn is shadow paging's worst case), virtio or
vhost for I/O (flexibility matters more than the last microsecond, VMs are recycled constantly).
Database: nested paging **with 2 MiB or 1 GiB pages in both guest and host** — TLB reach is the
database's real problem, and large pages make nested walks short and rare; shadow paging would also
be fast on static tables but gives up the simplicity (and is not the default anywhere). Network:
vhost if the latency target allows it, SR-IOV passthrough with posted interrupts if not (notebook 04's
percentile chart), accepting harder live migration.
"""),
callout("summary", """
**Summary.**
- No mode wins everywhere: **shadow paging** pays per page-table change (VM exits), **nested paging**
  pays per TLB miss (2D walks). Static, TLB-miss-heavy programs favour shadow; churn (fork/exec, mmap,
  context switches) favours nested — the crossover is a rate of page-table writes.
- **TLB reach** = entries × page size. Large pages raise it and shorten nested walks; with large pages in
  guest and host, nested paging's walk cost can nearly disappear once the working set fits the reach.
- I/O overhead is exits and host work on top of the guest's own; section 4 showed how much each path
  adds, and how virtio/vhost and passthrough with posted interrupts cut it.
- Security and flexibility are bought with overhead, but the price depends on the mechanism and the
  workload — which is why measuring beats guessing.
"""),
md("""
← Previous: [04 — I/O virtualization](04-io-virtualization.ipynb) ·
Next: [06 — Key activity and conclusion](06-activity-and-conclusion.ipynb) →
"""),
], title="05 — Impact on system performance")
