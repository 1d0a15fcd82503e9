import sys; sys.path.insert(0, "tools")
from nbauthor import md, code, write, solution, tests, teacher, callout

# Notebook 05: impact on system performance (lesson plan "Impact on System Performance").
# Every number the simulator can produce is printed by a cell (kl.showMarkdown), never typed here.
# Published figures (B1–B6, A8–A9, C3–C5 of docs/virtualization-figures.md) are quoted with their ids.

write("notebooks/05-performance.ipynb", [
md("""
# 05 — Impact on system performance: what isolation costs

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

**What the numbers mean.** The memory model charges 1 cycle for a memory access itself (the native
CPI of 1 in Patterson & Hennessy's exercise, figure B13), so "cycles per access" here is the cost of
the *mechanism* — translation and VM exits — not of a whole application. Real programs do much more
work per memory access, so their slowdowns are tens of percent, not multiples (B1, B2, B4). Say this
out loud before showing the first chart; students otherwise conclude that virtualization makes
everything several times slower.
"""),
code("""
import * as kl from "kernel-lib";
const SEED = 5;   // change the seed for fresh problems in the exercises
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

So which is faster? Run the same six workloads in all three modes (native is the baseline).
Static workloads keep their page tables fixed; the last two create and destroy mappings all the time.
"""),
code("""
const workloads = kl.perfLessonWorkloadComparison({ seed: SEED });
kl.showChart(kl.lessonLogTicks(kl.barChart(workloads, {
  x: "workload", y: "cyclesPerAccess", color: "mode", logY: true,
  title: "Cost per memory access: native, shadow and nested paging",
  xTitle: "workload", yTitle: "cycles per access (log scale)",
})));
"""),
code("""
kl.showMarkdown("**What to notice:** the winner flips with the workload.\\n\\n" + kl.perfLessonWinners(workloads));
"""),
md("""
This is what the measurements on real machines say too:
- **Hardware assist wins on MMU-intensive work with churn.** VMware measured Intel EPT up to **48 %**
  faster than its shadow paging on MMU-intensive benchmarks and up to **600 %** on microbenchmarks
  (B1); AMD RVI up to **42 %** / **500 %** (B2).
- **Shadow can win when tables rarely change and the TLB misses a lot.** VMware warns that with hardware
  assist "the TLB miss latency ... is significantly higher" (B3), and EPT "increases memory access
  latencies for a few workloads" (B1).
- **Often it barely matters.** A Xen study found no noticeable gap in more than half the cases, and up to
  **34 %** either way for a few benchmarks (B4).
- **Exits were the original problem.** On the first VT-x processors (shadow paging only), 40,000
  fork/wait iterations took 6.0 s native, 36.9 s under VMware's software VMM and **106.4 s** under the
  hardware VMM (B6): a guest page-table write cost 12,733 cycles (B5).
"""),
callout("pause", """
**Pause.** Look at *fork/exec* and *random 1024 pages* in the chart. Why does shadow paging lose
so badly on one and win on the other? What is each workload doing to its page tables?
"""),
teacher("""
**Answer.** *random 1024 pages* touches more pages than the TLB holds, so it misses constantly, but
its page table never changes after the warm-up: under shadow paging each miss is a native-length walk
and there are no exits; under nested paging each miss is a 2D walk of (n+1)² − 1 references. *fork/exec* creates
and destroys address spaces: every page-table write by the guest kernel (copying the parent's
table, exec's new mappings, demand faults) is a write to a write-protected page → a VM exit of a few
thousand cycles under shadow paging; nested paging lets the guest write its tables for free.
*Context switches* sit in between: CR3 loads exit under shadow paging.
"""),
md("""
## 2. The crossover: how much churn before nested wins?

Take one program that misses the TLB on almost every access (random reads over 1024 pages) and add
page-table churn: every so often it maps a scratch page, writes it and unmaps it. The x axis is the
measured rate of guest page-table-entry writes.
"""),
code("""
const churn = kl.perfLessonChurnSweep({ seed: SEED });
kl.showChart(kl.lineChart(churn, {
  x: "pteWritesPerThousand", y: "cyclesPerAccess", color: "mode",
  title: "The crossover as page-table churn grows",
  xTitle: "guest page-table entry writes per 1000 accesses", yTitle: "cycles per access",
}));
"""),
code("""
const cross = kl.perfLessonCrossover(churn);
const flat = churn.filter((r) => r.mode === "nested");
kl.showMarkdown(cross === null ? "No crossover in this range: try more churn levels." :
  `**What to notice:** nested paging is a flat line (${kl.formatNumber(flat[0]!.cyclesPerAccess)}–${kl.formatNumber(flat[flat.length - 1]!.cyclesPerAccess)}
cycles per access): page-table writes cost it nothing. Shadow paging starts at the native cost and climbs with every write.
They cross at about **${kl.formatNumber(cross.pteWritesPerThousand)} page-table writes per 1000 accesses**. Below that, shadow
wins for this program; above it, nested. A program that misses the TLB less would cross much earlier.`);
"""),
md("""
**Try it.** The playground reruns a fork/exec-heavy program for the churn, working set and host page
size you choose (sliders in the HTML handout). Where does the crossover move when the working set
shrinks? When host pages are 2 MiB?
"""),
code("""
kl.showPlayground("page-table-churn", { forkExecPer10k: 5, workingSetPages: 1024, hostPageKiB: 4 });
"""),
md("""
## 3. TLB reach and large pages

Both modes hurt most when the TLB misses. The **TLB reach** is how much memory the TLB covers:
entries × page size: with 4 KiB pages even a TLB of a few dozen entries covers well under a megabyte,
while 2 MiB pages multiply its reach hundreds of times (the table shows the numbers). Large pages help twice under nested paging: fewer misses, and each 2D walk is
shorter, because a 2 MiB leaf ends a walk one level early (figure A8). The simulated TLB is shaped
like a Skylake L1 data TLB for 4 KiB pages; real cores back it with a second-level TLB of about 1,500
entries (figures D1, D2) — the `tlb-size` playground below lets you grow it.
"""),
code("""
const pages = kl.perfLessonLargePages({ seed: SEED });
kl.showTable(kl.lessonTable(pages), { caption: "Random reads over 16 MiB with 4 KiB and 2 MiB pages (simulated)" });
"""),
code("""
kl.showChart(kl.lessonLogTicks(kl.barChart(pages, {
  x: "configuration", y: "cyclesPerAccess", logY: true,
  title: "Large pages: fewer TLB misses and shorter nested walks",
  xTitle: "configuration", yTitle: "cycles per access (log scale)",
})));
"""),
code("""
const p = (c: string) => pages.find((r) => r.configuration === c)!;
const n44 = p("nested, guest 4 KiB / host 4 KiB"), n42 = p("nested, guest 4 KiB / host 2 MiB"), n22 = p("nested, guest 2 MiB / host 2 MiB");
kl.showMarkdown(`**What to notice:** host 2 MiB pages shorten each nested walk from ${kl.formatNumber(n44.walkReferences)} to
${kl.formatNumber(n42.walkReferences)} references, but the TLB still misses (${kl.formatNumber(n42.tlbHitPercent)} % hits). With 2 MiB pages in the guest
as well, the TLB reach grows from ${kl.formatNumber(n44.tlbReachKiB)} KiB to ${kl.formatNumber(n22.tlbReachKiB)} KiB, the whole working set fits,
${kl.formatNumber(n22.tlbHitPercent)} % of accesses hit, and the rare walk is ${kl.formatNumber(n22.walkReferences)} references.`);
"""),
code("""
kl.showPlayground("tlb-size", { tlbEntries: 64, workingSetPages: 1024, hostPageKiB: 4 });
"""),
md("""
The walk lengths for every page-size mix are in the playground below (in the HTML handout it has
sliders). Published context: a hypervisor-side page-walk cache gave **+15–38 %** guest performance
and hypervisor large pages **a further +3–22 %** (A9); VMware's EPT and RVI papers recommend large
pages in both stages (B1–B3).
"""),
code("""
kl.showPlayground("page-walk", { guestLevels: 4, hostLevels: 4, guestPageKiB: 4, hostPageKiB: 2048 });
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
"""),
md("""
**What to notice:** on the software paths most of the bill is world switches and host work; vhost trims
the host part, passthrough removes it, and posted interrupts remove the last exits. The published
measurements agree: plain device assignment reached about 60–65 % of bare metal and exit-less
interrupts **97–100 %** (C3); ELVIS cut paravirtual I/O exits from about 142,000 per second to under 800
(C4); direct interrupt delivery cut exits about **100×** (C5).
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
kl.showTable(kl.lessonTable(summary), { caption: "Cost of each mechanism (× no virtualization) and what it buys" });
"""),
code("""
kl.showChart(kl.perfLessonSummaryFigure(summary));
"""),
code("""
const worst = summary.reduce((a, b) => (b.slowdown > a.slowdown ? b : a));
const best = summary.filter((r) => r.area === "I/O").reduce((a, b) => (b.slowdown < a.slowdown ? b : a));
kl.showMarkdown(`**What to notice:** the same isolation can cost almost nothing or a lot. The dearest bar is
*${worst.scenario}* (${kl.formatNumber(worst.slowdown)}×); the cheapest I/O path is *${best.scenario}* (${kl.formatNumber(best.slowdown)}×).
The overhead is not a fixed tax on virtualization: it depends on the **mechanism** (shadow vs nested, emulated vs
passthrough) and on the **workload** (churn, TLB misses, I/O rate). Choosing well is the engineer's job.`);
"""),
teacher("""
**Presenting the summary chart.** Read it left to right as a story: memory first — shadow is free
for a static program and ruinous for fork/exec; nested is the reverse, and large pages pull it back
down. Then I/O — each step from emulation to passthrough removes a layer of the hypervisor and its
cost, and with it some flexibility (notebook 04's trade-off table). Ask: "which bar would you pay for
a bank's trading engine? a university's student VMs? a CI build farm?"
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
function crossover(tlbMissesPerThousand: number, levels: number, walkRefCycles: number, exitCycles: number): number {
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
kl.checkCrossover(crossover, 2027);
// END HIDDEN TESTS
// Passed? Then apply your formula to the program of section 2 (its measured TLB misses, the default costs):
const calm = churn.find((r) => r.mode === "shadow" && r.pteWritesPerThousand === 0)!;
const missesPerThousand = 1000 * (1 - calm.tlbHitPercent / 100);
const predicted = crossover(missesPerThousand, 4, kl.MEMORY_COSTS_DEFAULT.walkRefCycles, kl.exitCycles(kl.MEMORY_COSTS_DEFAULT, "guest-pt-write"));
kl.showMarkdown(`With ${kl.formatNumber(missesPerThousand)} TLB misses per 1000 accesses your formula predicts a crossover at
${kl.formatNumber(predicted)} page-table writes per 1000 accesses; the simulator found ${cross === null ? "none" : kl.formatNumber(cross.pteWritesPerThousand)}.
Why does the simulator cross earlier? Each map/unmap there also causes hidden page faults and INVLPG exits, not only the PTE-write exit your model counts.`);
""", grade_id="perf_crossover_tests", points=3),
teacher("""
**Reference answer.** crossover = m · ((n+1)² − 1 − n) · walkRefCycles / exitCycles: the extra
references of a nested walk over a native one, per miss, priced in exits. The follow-up cell compares the formula with the simulator: the
formula's crossover is higher because a real map/write/unmap costs several exits (hidden page fault
on the first touch, the PTE writes, INVLPG), not one.
"""),
md("""
## 7. Discussion
"""),
callout("debate", """
**Debate.** *"Hardware-assisted nested paging has made shadow paging obsolete."*

*For:* nested paging is the default in KVM, Xen, Hyper-V and VMware; it removes the exits of fork,
exec, mmap and context switches; large pages remove most of its walk cost. *Against:* shadow paging
still wins for TLB-miss-heavy programs with static tables (section 1), research designs such as agile
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
  guest and host, nested paging's walk cost nearly disappears.
- I/O overhead is mostly exits and host work; virtio/vhost and passthrough with posted interrupts remove
  most of it.
- Security and flexibility are bought with overhead, but the price depends on the mechanism and the
  workload — which is why measuring beats guessing.
"""),
md("""
← Previous: [04 — I/O virtualization](04-io-virtualization.ipynb) ·
Next: [06 — Key activity and conclusion](06-activity-and-conclusion.ipynb) →
"""),
], title="05 — Impact on system performance")
