import sys; sys.path.insert(0, "tools")
from nbauthor import md, code, write, solution, tests, teacher, callout, uses_solution

# Notebook 06: key activity/discussion and conclusion & synthesis (lesson plan "Key Activity/Discussion",
# "Conclusion & Synthesis"). Every number the simulator can produce is printed by a cell, never typed here.

write("notebooks/06-activity-and-conclusion.ipynb", [
md("""
# 06 — Key activity and conclusion: be the MMU, read the hypervisor

*Exploring memory and I/O virtualization in hypervisors — lesson 6 of 6.*

*Lesson plan: a hands-on activity — simulate basic MMU operations and explore an open-source
hypervisor — followed by a group discussion of the performance you measured; then the conclusion
and synthesis of the whole lesson.*

← Previous: [05 — Impact on system performance](05-performance.ipynb) ·
Start again: [00 — Welcome](00-welcome.ipynb)
"""),
callout("objectives", """
**Learning objectives.** After this notebook you can

1. translate virtual addresses through a two-level page table by hand, and check your work with the simulator;
2. implement the page walk an MMU performs on a TLB miss, and explain what a TLB saves;
3. find the components of a real hypervisor (KVM and QEMU) that implement shadow paging, nested
   paging, device emulation, virtio, vhost, passthrough and the IOMMU;
4. discuss measured overheads with your group and connect them to code;
5. explain how memory and I/O virtualization make systems more **secure** and **manageable**, and
   what that costs.
"""),
teacher("""
**Timing (about 75 minutes).** Part A, being the MMU: 20 min (hand translation 10, graded walk 10 —
the walk can be finished as homework). Part B, the hypervisor map: 15 min in pairs, one row each,
reporting back. Part C, group discussion: 10–15 min in groups of 3–4, one prompt per group, then the
debate (10 min) and the what-if (5 min). Part D, conclusion: 10 min, teacher-led. Short of time, give
the what-if as homework.

**Before class.** Run the notebook once (*Run All*). For part B, have a browser tab open on the Linux
and QEMU source (elixir.bootlin.com for Linux, gitlab.com/qemu-project/qemu for QEMU), or a local
clone: `git clone --depth 1` of each is enough. Students need no kernel build.
"""),
code("""
import * as kl from "kernel-lib";
const SEED = 7;   // change the seed for a fresh machine and fresh addresses
"""),
md("""
## Part A. Be the MMU

Every memory access a program makes goes through the MMU: it looks the virtual page up in the TLB,
and on a miss it **walks the page table** in memory. In a VM it does this for the guest — with shadow
tables or with a second, nested table behind every step. Before we look at real hypervisor code, do
the MMU's job yourself on OSTEP's toy machine (figure D10): 32-byte pages, 15-bit virtual addresses
split **5 bits page-directory index · 5 bits page-table index · 5 bits offset**, 128 physical pages,
and one-byte entries whose top bit (0x80) is *valid* and whose low 7 bits are a frame number.

### A1. Translate by hand (seeded)

The cell prints the machine: the PDBR (the frame of the page directory), the full memory dump, and
a few virtual addresses. For each, write down the PDE you read, the PTE you read, and the physical
address and value — or which entry faulted.
"""),
code("""
const problem = kl.mmuTranslationProblem(SEED);
kl.showMarkdown(problem.parameters + "\\n\\n" + problem.prompt);
kl.showTable(problem.questions);
console.log(problem.dump);
"""),
md("""
### A2. Check with the library

The reveal runs kernel-lib's own page walker (`kl.solveOstepTranslation`, the same `PageTable` code
the hypervisor simulation uses) on the same memory. Compare each line with yours.
"""),
code("""
kl.showTable(problem.answers, { caption: "Answers (kernel-lib's page walk)" });
kl.showMarkdown(problem.stats);
"""),
code("""
// The walk of the first address that translates, step by step: which table, which index, which entry.
const solve = (va: number) => kl.solveOstepTranslation(problem.machine.memory, problem.pdbr, va);
const ok = problem.virtualAddresses.find((va) => solve(va).ok)!;
kl.showTable(solve(ok).steps.map((s) => ({ level: s.level, "table at": kl.hex(s.tableAddress), index: s.index,
  "entry at": kl.hex(s.entryAddress), entry: s.entryHex, valid: s.present })),
  { caption: `Walk of ${kl.hex(ok)}` });
"""),
teacher("""
**Common mistakes in A1.** Splitting the address in hex digits instead of 5-bit fields (a hex digit
is 4 bits); forgetting to multiply the PDBR or PFN by the page size (32); reading the valid bit as the
lowest bit; keeping the valid bit in the PFN (0x80 | pfn). Ask students who finish early to explain
why a fault at the PDE means the PTE is never read — and how many bytes a whole missing page table
saves.
"""),
md("""
### A3. Graded: implement the page walk

Now turn your procedure into code. Write `walk(readByte, pdbr, virtualAddress)`: it reads physical
memory only through `readByte(physicalAddress)` (as the MMU reads only memory) and returns the
**physical address**, or `null` if the walk faults. Use bit operations: `>>` shifts, `&` masks.
"""),
solution("""
function walk(
  readByte: (physicalAddress: number) => number, pdbr: number, virtualAddress: number,
): number | null {
  // BEGIN SOLUTION
  const pdIndex = (virtualAddress >> 10) & 0x1f;
  const ptIndex = (virtualAddress >> 5) & 0x1f;
  const offset = virtualAddress & 0x1f;
  const pde = readByte(pdbr * 32 + pdIndex);
  if ((pde & 0x80) === 0) return null;          // page directory entry not valid
  const pte = readByte((pde & 0x7f) * 32 + ptIndex);
  if ((pte & 0x80) === 0) return null;          // page table entry not valid
  return (pte & 0x7f) * 32 + offset;
  // END SOLUTION
}
""", grade_id="activity_walk"),
tests("""
kl.showMarkdown(kl.checkOstepWalk(walk).message);
// BEGIN HIDDEN TESTS
const hidden06 = kl.checkOstepWalk(walk, { seed: 4242, machines: 4 });
// END HIDDEN TESTS
""", grade_id="activity_walk_tests", points=4),
md("""
Your walk reads one entry per level of the toy machine's table. A real x86-64 walk has more levels,
and a nested walk in a VM reads far more, because every guest table pointer is itself translated by the
host's table. The playground counts them; move the sliders (in the HTML handout) to see how the count grows:
"""),
code("""
const walkKnobs = { guestLevels: 4, hostLevels: 4, guestPageKiB: 4, hostPageKiB: 4 };
kl.showPlayground("page-walk", walkKnobs);
kl.showMarkdown(kl.perfLessonPageWalkNotice(walkKnobs));
"""),
uses_solution("""
// Your walk at work: 200 accesses with locality, counting every page-table byte it reads.
let walkCost: kl.WalkCostReport | undefined;
try { walkCost = kl.walkReadsAndTlbSavings(walk, { seed: SEED, count: 200, tlbEntries: 8 }); }
catch (e) { kl.showMarkdown("Finish `walk` above to see what it costs."); }
if (walkCost) kl.showChart(kl.barChart([
  { MMU: "walk every access", reads: walkCost.pageTableReads },
  { MMU: `TLB of ${walkCost.tlbEntries} entries, walk on a miss`,
    reads: walkCost.pageTableReads * (1 - walkCost.walksSavedByTlb / walkCost.addresses) },
], { x: "MMU", y: "reads", title: `Page-table reads for ${walkCost.addresses} accesses: what a TLB saves`,
     xTitle: "how the MMU translates", yTitle: "page-table bytes read" }));
"""),
uses_solution("""
if (walkCost) kl.showMarkdown(kl.activityWalkCostNotice(walkCost));
"""),
teacher("""
**Reference answer** is in the solution cell (the student edition replaces it). The checker runs the
walk on several generated machines (its message says how many checks passed) and names the broken
rule: a missing valid-bit check,
the offset dropped, wrong index bits, or the valid bit left in the frame number (which reads outside
memory). Extension for fast students: add a 4-entry TLB in front of `walk` (a `Map` from VPN to PFN with
LRU eviction) and count the reads again; compare with the bar chart.
"""),
md("""
## Part B. Explore an open-source hypervisor

Everything you simulated exists in real code. **KVM** is the hypervisor inside the Linux kernel (it
handles VM exits, the MMU and interrupts); **QEMU** is the user-space process that emulates devices
and sets up the VM. The map below links each concept of the lessons to the file in `kernel-lib` that
models it and to the folders of the real thing. Folder and file names are those of current Linux
(6.x) and QEMU (8–9) trees; function names move between releases, so treat them as *things to look
for* with your editor's search or on elixir.bootlin.com.
"""),
code("""
kl.showMarkdown(kl.activityHypervisorMapMarkdown());
"""),
md("""
**Questions for your pair** (pick one row, then answer its questions; report back in two minutes):

1. **Exits.** In `arch/x86/kvm/vmx/vmx.c`, find the table that maps an exit reason to its handler.
   Which handler runs for an EPT violation? For port I/O? Which of the exit causes of `kernel-lib`
   (`kl.VmExitCause`) can you find there?
2. **Shadow paging.** In `arch/x86/kvm/mmu/paging_tmpl.h`, the guest's page table is walked *in
   software*. Why does KVM need to walk the guest's table itself under shadow paging, when the hardware
   walks it under nested paging? Why is the file a *template* (hint: which guest paging modes exist)?
3. **Nested paging.** `arch/x86/kvm/mmu/tdp_mmu.c` fills the EPT/NPT on demand. What event makes KVM
   add an entry there, and how does that compare with a hidden page fault under shadow paging?
4. **Emulation.** In QEMU's `hw/net/e1000.c`, find the register write table. Which register write
   starts a transmit? Count the register accesses a driver makes per packet and compare with
   `kl.IO_EMULATED_DEVICE_MODELS.e1000` (notebook 04).
5. **virtio and vhost.** Find `vring_need_event` in Linux's `include/uapi/linux/virtio_ring.h`. Is it
   the same formula as your `needKick` from notebook 04? Then open `drivers/vhost/net.c`: which thread
   does the work QEMU's `hw/net/virtio-net.c` would otherwise do?
6. **Passthrough.** Under `drivers/vfio/` and `drivers/iommu/`, where does the IOMMU get the mappings
   that keep a device's DMA inside its VM? What would happen (notebook 04, section 2c) without them?
"""),
teacher("""
**Answers for part B (for the teacher).**
1. `kvm_vmx_exit_handlers[]` in vmx.c maps `EXIT_REASON_*` to `handle_*` functions:
   `EXIT_REASON_EPT_VIOLATION → handle_ept_violation`, `EXIT_REASON_IO_INSTRUCTION → handle_io`,
   `EXIT_REASON_CR_ACCESS → handle_cr` (CR3 loads under shadow paging), `EXIT_REASON_INVLPG → handle_invlpg`,
   `EXIT_REASON_EXTERNAL_INTERRUPT`, `EXIT_REASON_EOI_INDUCED`… AMD's equivalent is `svm_exit_handlers[]`
   in svm.c (`npf_interception` for NPT faults).
2. With shadow paging the hardware walks the *shadow* table, so KVM must read the guest's own table to
   know what the guest meant (`FNAME(walk_addr_generic)`), then build the shadow entry (`FNAME(fetch)`).
   The template is included several times, once per guest paging mode (32-bit, PAE/64-bit, and EPT for
   nested virtualization).
3. An EPT violation (NPT fault): the guest touched a guest-physical page the host has not mapped yet;
   KVM maps it and resumes. A hidden page fault under shadow paging is the same idea one level up —
   but it happens for every guest-virtual page, and page-table writes must be tracked too.
4. The write to TDT (transmit descriptor tail) kicks the transmit in QEMU's e1000 model; each access to a
   register is an MMIO exit that reaches QEMU through KVM_EXIT_MMIO.
5. Yes — `vring_need_event(event_idx, new_idx, old)` is exactly `(u16)(new_idx - event_idx - 1) < (u16)(new_idx - old)`.
   vhost-net's worker thread (a kernel thread per device, `handle_tx`/`handle_rx`) takes the place of
   QEMU's virtio-net back end; kicks arrive through ioeventfd and interrupts leave through irqfd
   (`virt/kvm/eventfd.c`).
6. VFIO's type-1 IOMMU backend (`vfio_iommu_type1.c`) pins the guest's memory and maps it into the
   device's IOMMU domain (`iommu_map` in `drivers/iommu/iommu.c`, implemented by the Intel VT-d or AMD-Vi
   driver). Without the IOMMU, the rogue DMA of notebook 04 lands in another VM's memory.
"""),
md("""
## Part C. Group discussion: what did we measure?

The cell below runs a compact version of the experiments of notebooks 02–05 and fills in the
prompts with the class's numbers (and with the cost of *your* page walk from part A). Each group takes
one prompt, discusses for five minutes, and reports one sentence and one number.
"""),
code("""
const measured = kl.activityMeasurements({ seed: SEED });
kl.showMarkdown(kl.activityDiscussionPrompts(measured));
"""),
uses_solution("""
// The last prompt quotes your own page walk from part A.
if (walkCost) kl.showMarkdown(kl.activityYourMmuPrompt(measured, walkCost));
"""),
code("""
kl.showChart(kl.activityOverheadFigure(measured));
"""),
code("""
const rows = kl.activityOverheadRows(measured);
const dearest = rows.reduce((a, b) => (b.times > a.times ? b : a));
const cheapest = rows.reduce((a, b) => (b.times < a.times ? b : a));
kl.showMarkdown(`**What to notice:** the same goal, isolation, costs from ${kl.formatNumber(cheapest.times)}×
(*${cheapest.measurement}*) to ${kl.formatNumber(dearest.times)}× (*${dearest.measurement}*) of the
unvirtualized cost, depending on the mechanism and the workload.`);
"""),
teacher("""
**Steering the discussion.** Good answers connect a number to a mechanism: "shadow paging lost on
fork/exec because every page-table write exits"; "the TLB matters most because it hides the walk,
and nested paging makes walks longer". Push groups that stop at "virtualization is slow" to the
cheapest bars (the line under the chart names them) and to notebook 05's large-page result: the
overhead is a choice, not a law. The last prompt links back to part B: e.g. the fork/exec exits
run `handle_cr` (CR3 loads) and the write-protection path (`kvm_mmu_track_write`) in KVM.
"""),
callout("debate", """
**Debate.** *"Virtualization's overhead is a solved problem: with nested paging, large pages and
passthrough, isolation is practically free."*

Split the class. The *for* side argues from the cheap bars of the chart above and from the hardware
that made them cheap; the *against* side from the dear bars, and from what the cheap configurations
give up. Every speaker quotes one measured number from the evidence below and names the mechanism
and the workload it belongs to.
"""),
code("""
kl.showMarkdown(kl.activityDebateEvidence(measured));
"""),
teacher("""
**Running the debate (10 min).** 2 min preparation, 2 min per side, 4 min open floor. Good arguments:
*for*: hardware assists (EPT/NPT, VPIDs, posted interrupts, SR-IOV, IOMMUs) removed most exits; large
pages fix most of nested paging's walk cost (notebook 05); the bars within 10 % show it can be done.
*Against*: the dear bars; the cheap configurations give something up (passthrough loses easy live
migration and overcommit, shadow paging's cheap static case turns ruinous with churn, large pages need
contiguous memory); the overhead often *moves* rather than vanishes (nested paging pays on TLB misses
instead of page-table writes); and without an IOMMU isolation fails outright, whatever it costs. A
strong closing position: "solved for the common case, provided the mechanism is chosen for the
workload and someone measured it", which is part D's conclusion. Insist on the run a number came from
(steady stream or saturated run, warm or cold TLB).
"""),
callout("what-if", """
**What if…** one host must run both of part C's programs, the static, TLB-miss-heavy one and the
fork/exec one, and the hypervisor may use only **one** memory-virtualization mode for the whole host?
The table mixes your measurements: for each share of the host's memory accesses that come from the
fork/exec program, the average cost per access in each mode.

*Which mode would you choose, and what share of fork/exec work would change your mind? What could you
add so that the losing mode's bad case costs less (large pages, a second host, a hypervisor that picks
the mode per workload)?*
"""),
code("""
const mix = kl.activityModeMix(measured, [0, 10, 25, 50, 75, 100]);
kl.showTable(mix.rows,
  { caption: "One host, both programs, one mode: cycles per access (weighted from part C's runs)" });
kl.showMarkdown(kl.activityModeMixNotice(mix));
"""),
teacher("""
**A model answer.** Read the break-even share off the line under the table: below it shadow paging is
cheaper for the host as a whole, above it nested paging. But the share is rarely known in advance and
it changes (a tenant starts a build, a batch job ends), so a host that must pick once usually picks
nested paging: its bad case (static, TLB-miss-heavy programs) is cut by large pages in guest and host
(notebook 05), while shadow paging's bad case (churn) has no such cure. That is why KVM, Xen, Hyper-V
and VMware default to nested paging. Strong answers also say what the average hides: under shadow
paging the fork/exec tenant suffers even when the host-wide average looks fine (fairness between
tenants), and research designs such as agile paging switch between the two per region (A12).
Alternatives to name: separate hosts per workload class, large pages, or pinning the TLB-hungry
tenant to a host with huge pages.
"""),
md("""
## Part D. Conclusion and synthesis
"""),
callout("story", """
**Back in Computropolis and Virtuopolis.** Alex asked whether creating separate worlds inside one
machine could make it smarter and more efficient. Ava asked whether making a computer *dumber* could
make it smarter. You can now answer both — with numbers.

- **Separate worlds** (memory and MMU virtualization): each VM gets its own address space; the
  hypervisor's maps (shadow tables or the nested EPT/NPT table) make sure no VM can reach another's
  memory, and the VM-tagged TLB keeps translations apart. The price is extra work on page-table changes
  (shadow) or on TLB misses (nested), and you saw where each one wins.
- **A dumber computer** (I/O virtualization): each VM sees plain, standard devices instead of the real
  hardware; the smart part moved into the hypervisor, which routes, checks and shares. The price is a
  hop through the hypervisor per request, and you measured how large it is on each path: from an
  emulated device to passthrough with an IOMMU and posted interrupts (the table below repeats it).
"""),
md("""
**Security and manageability, and what they cost.** The table ties each mechanism to what it secures,
what it makes manageable, and the overhead *you* measured (filled in by the cell).
"""),
code("""
kl.showTable(kl.activitySynthesisTable(measured),
  { caption: "Synthesis: security and manageability versus overhead" });
"""),
md("""
Memory and I/O virtualization are what make cloud computing possible: thousands of customers'
machines on shared hardware, each isolated from the others, each movable, resizable and restartable
by software. Virtualization itself goes back to IBM's CP-40 and CP-67 in the 1960s; on x86 it took
off around 1999 with VMware, and the two decades since have added hardware and software to shrink the
overhead that isolation costs: EPT/NPT, VPIDs, large pages, virtio, vhost, SR-IOV, IOMMUs, posted
interrupts. Chosen for the workload and measured, much of the overhead can be avoided; chosen
carelessly (an emulated NIC for a trading engine, shadow paging for a build farm) it can dwarf the
work itself. Part C's chart shows the range you measured.
"""),
callout("summary", """
**Summary of the lesson.**
- **Virtualization** runs several isolated machines on one host; the hypervisor owns the real hardware.
- **Memory virtualization** gives each VM its own address space. **The MMU** translates every access;
  in a VM it is virtualized with **shadow page tables** (software: native-length walks, exits on guest
  page-table writes, CR3 loads and hidden page faults) or **nested paging** (hardware EPT/NPT: no exits on
  guest page-table writes, CR3 loads or guest page faults, longer walks; it still exits on EPT violations,
  e.g. the first touch of a page the host has not backed yet, or MMIO). Neither wins everywhere.
- **I/O virtualization** gives VMs standard virtual devices: **emulation** (every register access traps),
  **virtio/vhost** (shared rings, batching), **passthrough** (real device, IOMMU for isolation).
- **Performance**: isolation and flexibility cost overhead, but the size of the overhead depends on the
  mechanism and the workload. Measure it; then choose.
"""),
teacher("""
**Closing (5 min).** Ask each student to write one sentence: "The overhead of ___ buys ___, and can be
reduced by ___." Collect them as an exit ticket. Good examples: "The overhead of shadow paging's exits
buys isolation with short TLB-miss walks, and can be reduced by nested paging for fork-heavy work";
"The overhead of an emulated NIC buys compatibility with any guest OS, and can be reduced by virtio/vhost."
"""),
md("""
← Previous: [05 — Impact on system performance](05-performance.ipynb) ·
Start again: [00 — Welcome](00-welcome.ipynb)
"""),
], title="06 — Key activity and conclusion")
