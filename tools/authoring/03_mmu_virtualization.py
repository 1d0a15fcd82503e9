import sys; sys.path.insert(0, "tools")
from nbauthor import md, code, write, solution, tests, teacher, callout

NAV = "[← 02 Memory virtualization](02-memory-virtualization.ipynb) · **03 The MMU and MMU virtualization** · [04 I/O virtualization →](04-io-virtualization.ipynb)"

write("notebooks/03-mmu-virtualization.ipynb", [
md(f"""
# 03 — The MMU and MMU virtualization: the city planner's map

*Exploring memory and I/O virtualization in hypervisors — lesson 3 of 6.*

{NAV}

Every load and store a program makes goes through the **memory-management unit (MMU)**. This notebook opens it: a
page walk drawn step by step, the TLB that makes walks rare, and then the two ways a hypervisor virtualizes the MMU:
**shadow paging** (the city planner's single map) and **nested paging** (Intel EPT, AMD NPT/RVI), whose two-dimensional
walk we draw reference by reference.

Figure ids such as A9 or B3 refer to `docs/virtualization-figures.md` in the kit, which gives each published figure
its source and says how it was checked.
"""),
callout("objectives", """
**Learning objectives.** After this notebook you can

1. split a virtual address into page-table indices and an offset, and follow a page walk level by level;
2. explain what the TLB caches and predict hits and misses for a short access sequence;
3. draw the two-dimensional walk of nested paging and count its memory references for any number of levels;
4. explain how large pages shorten both native and nested walks;
5. compare shadow and nested paging (TLB-miss cost vs. page-table-update cost) and choose between them for a workload.
"""),
teacher("""
**Timing (about 55 minutes).** §1 the MMU, the walk, the TLB: 15 min · §2 the city planner's story and the first
pause: 5 min · §3 shadow vs nested, the 2D walk, large pages, second pause: 15 min · analogy: 3 min · debate: 10 min ·
what-if: 7 min · §5 exercises: homework or a lab session (the seeded problems work well as a quiz: give each
student a different seed).

**Delivery.** Draw the 4-level walk on the board while the first table is on screen; let students predict the next
row before you scroll. For the 2D walk, point at the grid column by column: "to read the guest's table at this level,
the CPU first has to find where that table really is".
"""),
md("""
## 1. What the MMU does
"""),
code("""
import * as kl from "kernel-lib";
"""),
md("""
A program only ever sees **virtual addresses**. On every memory access the MMU translates the virtual page number to a
physical frame and checks the permission bits (present, writable, user). First it looks in the **TLB**
(translation lookaside buffer), a small cache of recent translations. On a **TLB miss** the hardware **page walker**
reads the page table in memory, one entry per level, starting from the root whose address is in the CR3 register. On
x86-64 with 4-level paging a virtual address is split into four 9-bit indices (one per table of 512 entries) and a
12-bit offset in a 4 KiB page. If an entry is not present, the walk stops with a **page fault** and the OS takes over.

### One address, step by step

The cell below builds a bare-metal machine, lets a process write "Hi" at one address, and asks the MMU to walk that
address with the TLB bypassed, recording every entry it reads.
"""),
code("""
const walk03 = kl.nativeWalkDemo();
kl.showTable(walk03.rows, { caption: "The page walk, one row per memory reference" });
kl.showMarkdown(walk03.summary);
kl.showChart(walk03.figure);
"""),
md("""
**What to notice:** each level's entry holds the physical address of the next table; only the last one (red) maps the
data page. The index at each level is just a slice of the address's bits, so the walk needs no arithmetic beyond
shifting, but it does need one memory read per level, and those reads are what the TLB saves.

### The TLB: remembering translations

An example after OSTEP's TLB chapter (chapter 19): a loop reads ten 4-byte integers starting at virtual address 100,
with tiny 16-byte pages and an empty TLB. Neighbouring integers share a page, so after the first miss on each page the next
accesses hit: *spatial locality*.
"""),
code("""
const ostep03 = kl.ostepArrayTlbExample();
kl.showTable(ostep03.rows, { caption: "An array walk through a TLB (16-byte pages, after OSTEP chapter 19)" });
const secondPass03 = kl.ostepArrayTlbExample({ passes: 2 }).steps.slice(ostep03.rows.length);
const secondHits03 = secondPass03.filter((s) => s.hit).length;
kl.showMarkdown(`Hit rate on the first pass: **${Math.round(100 * ostep03.firstPassHitRate)}%**. Run it twice ` +
  `(\\`passes: 2\\`) and the second pass hits **${secondHits03} of ${secondPass03.length}** times (*temporal locality*).`);
"""),
md("""
How large must the TLB be? It depends on the **working set**: how many pages a program touches in a while. Real L1
data TLBs hold about 64 entries for 4 KiB pages, backed by a second-level TLB of 1,000–2,000 entries (figures D1, D4:
Skylake, Zen 2). The sweep below runs random accesses over growing working sets (`workingSets`, in pages) on each
TLB size listed in `tlbEntries`; edit either list and run the cell again.
"""),
code("""
const tlb03 = kl.tlbHitRateSweep({ tlbEntries: [16, 64, 256], workingSets: [8, 16, 32, 64, 128, 256, 512, 1024] });
kl.showChart(tlb03.figure);
kl.showMarkdown(tlb03.summary);
"""),
md("""
**What to notice:** the hit rate stays at the top while the working set fits in the TLB and collapses once it does not;
a bigger TLB only moves the cliff. Every miss costs a walk, which is where virtualization will hurt. The playground
below (sliders in the HTML handout) shows what a miss costs in each mode for a TLB size and working set you choose.
"""),
code("""
const tlbParams03 = { tlbEntries: 64, workingSetPages: 1024 };
kl.showPlayground("tlb-size", tlbParams03);
kl.showMarkdown(kl.tlbSizeNotice(tlbParams03));
"""),
md("""
## 2. MMU virtualization: the city planner's problem
"""),
callout("story", """
**The problem.** Picture a city of skyscrapers, each one a virtual machine. Every building has its own floor plan, but
all of them stand on the same land, and they share its parking spaces (the physical memory). Before MMU virtualization
there was no common system to coordinate them: each building drew its own map of where its floors and parking spots
were, as if it owned the ground. The maps contradicted each other, cars were sent to spots that belonged to another
building, and nobody could find anything.

**The dramatic question.** *Could making a computer dumber actually make it smarter?* (Could hiding the real hardware
from each guest, so that it knows *less*, make the whole machine work better?)

**Point of view.** We follow an engineer whose job is to run many virtual machines on one host, efficiently.
"""),
md("""
The simulator can build this city: two VMs (the Records Office and Traffic Control of notebook 02), each with its own
page table, its floor plan, and no common map of the land under them (the machine's no-isolation mode). Each guest
maps the same virtual address to a frame that is free *in its own view*, and writes its record.
"""),
code("""
const planner03 = kl.chaosDemo();
kl.showTable(planner03.rows, { caption: "Two floor plans, no common map of the land" });
kl.showMarkdown(planner03.summary);
"""),
md("""
**What to notice:** each VM's page table is correct on its own terms, and each MMU walk does exactly what its table
says. The maps contradict each other only because nothing translates a VM's "frame" into a plot of the real land, so
two cars are sent to the same spot. Both of the planner's designs below add that translation.
"""),
callout("pause", """
**Pause.** Picture the chaos for a moment: every building directing cars with its own map of land it does not own.
**How would you handle such a situation?**
"""),
teacher("""
**Answers to steer towards:** one authority owns the land map (the hypervisor); each building keeps its own floor plan
(the guest page table) but the authority translates plan positions to real plots (guest-physical → host-physical).
Two designs then appear, and students usually propose both: (a) the authority pre-combines each building's plan with the
land map into one map the drivers use (shadow page tables), or (b) drivers consult the building's plan and then the
land map every time (nested paging). Write both on the board; §3 measures each.
"""),
callout("story", """
**The 'aha!'** A city planner, the hypervisor, had an idea: draw one **comprehensive map** for each building that
translates its own floor plan *directly* to plots on the ground. No driver would ever need two maps. That is MMU
virtualization with **shadow page tables**: the guest keeps its own page tables, and the VMM (virtual machine monitor)
keeps, for each of them, a shadow that maps guest-virtual addresses straight to host-physical ones.

Whenever a building changed its layout or added rooms, the planner updated its comprehensive map. Each VM stayed in
control of its own memory mappings, while the hypervisor coordinated the whole: like a universal translator who speaks
every building's language fluently.
"""),
md("""
## 3. Two ways to virtualize the MMU

**Shadow paging** (notebook 02) hands the hardware the planner's comprehensive map: CR3 points at the shadow table, so a
TLB miss is an ordinary walk of native length. The price is paid when maps change: every guest page-table write, CR3
load and hidden fault is a VM exit.

**Nested paging** (AMD NPT/RVI since 2007–2008, Intel EPT since 2008; today's default) teaches the hardware to read
*both* maps. The CPU walks the guest's own table, but every address in it is guest-physical, so before reading each
guest entry, and finally the data page, it walks the hypervisor's table (EPT/NPT) to find where that guest-physical
address really is. No exits when the guest edits its tables; a much longer walk on every TLB miss.

### The 2D walk, drawn
"""),
code("""
const nested03 = kl.nestedWalkDemo();
kl.showChart(nested03.figure);
kl.showMarkdown(nested03.summary);
"""),
md("""
**What to notice:** read the grid left to right, and each column from top to bottom. Each column is one guest-physical
address: the orange squares are the host walk that locates it, the blue square below them is the guest entry read
there, which yields the next column's address.
The last column has no blue square: it locates the data page itself. The 24 is the count that papers on nested
paging quote (A1–A3, e.g. Gandhi et al., MICRO 2014). The general rule, (n+1)(m+1)−1 references for an n-level guest
over an m-level host, is attributed to Bhargava et al. (ASPLOS 2008) by secondary notes (A4, [V2]: not yet checked
against the paper); you can check it yourself in Exercise 5. Every reference, with its address:
"""),
code("""
kl.showTable(nested03.rows, { caption: "Every memory reference of one nested TLB miss" });
"""),
md("""
### Large pages shorten the walk

A large page ends a walk early: an x86 2 MiB page is mapped by a level-2 entry, a 1 GiB page by a level-3 entry. In a
nested walk a large page on the guest side removes a guest step (and its host walk); a large page on the host side
shortens every host walk. The simulator builds real tables for each combination:
"""),
code("""
const large03 = kl.largePageWalks();
kl.showChart(large03.figure);
kl.showMarkdown(large03.summary);
"""),
md("""
**What to notice:** host large pages help every column of the grid, which is why hypervisors back guest memory with
2 MiB or 1 GiB pages whenever they can; published measurements give large pages in the hypervisor a further **3–22%**
on top of page-walk caches (figure A9, Bhargava et al. 2008). Real CPUs also cache partial walks (page-walk caches:
about **1.5** references per walk natively and **4.4** virtualized on average, A10, Park et al., ASPLOS 2022), so the
uncached counts here are upper bounds.

Try it yourself: the playground below is the same simulation with parameters (in the HTML handout it has sliders).
"""),
code("""
const walkParams03 = { guestLevels: 4, hostLevels: 4, guestPageKiB: 2048, hostPageKiB: 2048 };
kl.showPlayground("page-walk", walkParams03);
kl.showMarkdown(kl.pageWalkNotice(walkParams03));
"""),
callout("pause", """
**Pause.** You have now seen both of the planner's designs. **What do you think about this solution?** Which one would
you want for a city whose buildings change their floor plans every few minutes? For one whose plans never change but
whose drivers constantly visit new places?
"""),
teacher("""
**Answer:** frequent floor-plan changes (page-table writes: process creation, fork/exec, mmap/munmap) favour nested
paging, because shadow paging pays a VM exit per change. Stable plans with many new destinations (TLB misses over a
large working set) favour shadow paging, whose walks are native-length, unless large pages make the nested walk short
and the TLB reach large. This matches VMware's guidance (figure B3: little page-table activity leaves little for hardware
assist to gain, and its TLB misses cost more) and the result of Wang et al. (B4): neither wins everywhere.
"""),
callout("story", """
**The impact.** With MMU virtualization the city ran like clockwork. Each building operated on its own, without
interfering with the others, keeping its privacy and security; and the planner could allocate land to buildings
efficiently. Independence and coordination, in balance.

The planner admitted a cost, though: keeping all the comprehensive maps up to date and translating every address took
work, and performance suffered a little. The story judged the benefits far greater than the costs. Let us check that
judgement with numbers.
"""),
md("""
### What the story simplifies (read this)

The story presents shadow page tables as *the* way MMU virtualization is done. On x86 before 2008 they were the main
way (VMware, KVM, and Xen's fully virtualized HVM guests), but not the only one. Xen's paravirtualized guests used
*direct paging*: the hardware walks the guest's own tables, which Xen validates and keeps read-only, and the guest
changes them through hypercalls (notebook 02). That needs a modified guest OS. Today the picture is:

| | shadow paging (software) | nested paging: EPT / NPT (hardware) |
|---|---|---|
| what the MMU walks on a TLB miss | the shadow table, native length | guest table + host table (the 2D walk above) |
| guest page-table write, CR3 load | VM exit, hypervisor updates the shadow | no exit |
| memory for translation tables | one shadow table per guest process | one host table per VM |
| complexity in the hypervisor | high (write-protection, sync, hidden faults) | low |
| used by | VMware, KVM, Xen HVM guests before 2008; today a fallback without hardware support | KVM, Xen, Hyper-V, ESXi by default today |

Published measurements: EPT **up to 48%** faster than shadow paging on MMU-intensive benchmarks and **up to 600%** on
microbenchmarks, but slower on "a few workloads" whose TLB misses dominate (B1, VMware 2009); AMD RVI **up to 42% /
500%** (B2); no noticeable gap in over half the cases and up to **34%** either way on a few (B4, Wang et al., VEE 2011);
combining the two (agile paging) beats the better of them by **more than 12%** (A12, Gandhi et al., ISCA 2016).
"""),
callout("analogy", """
**The parking garage.** A big garage where each floor is a different company's offices. Without a master map, every
company manages "its" parking spots on the ground level by itself: double bookings and chaos. MMU virtualization is a
master digital system that translates any car's destination, given in its company's own layout, directly to a free spot
in real time, so parking is smooth for everyone.
*Extend it:* shadow paging prints each company a combined directory (fast to read, but reprinted at every change);
nested paging makes every driver look up the company's directory and then the garage's, for each turn (slow to read,
never reprinted). Large pages are reserved whole floors: far fewer lookups.
"""),
callout("debate", """
**Debate.** *"The introduction of MMU virtualization in modern computing systems enhances system flexibility by
allowing guest operating systems to manage their memory mappings effectively, despite the performance overhead caused
by managing shadow page tables and translating addresses."*

- **Pro:** MMU virtualization lets several guest OSes run at once with little interference: a flexible multi-tenant
  platform. Each guest controls its own memory space while the VMM manages the physical resources efficiently.
- **Con:** the extra complexity and overhead of shadow tables and address translation can degrade performance, making
  MMU virtualization a poor fit for high-performance computing where every millisecond counts.

Use the charts of this notebook: which overhead does each side mean, and does nested paging change the argument?
"""),
teacher("""
**Running the debate (10 min).** Pro team: flexibility, isolation, guests unchanged, live migration and
overcommit need the hypervisor to own the GPA → HPA map. Con team: the 2D walk (nested grid above), exits under shadow
paging (notebook 02), HPC codes with huge working sets (the gaming-server bars below).
**Strong closing points:** (1) the statement names shadow tables, but today's overhead is mostly the 2D walk, which
large pages and page-walk caches shrink (A9, A10); (2) HPC and big-memory servers do run virtualized in clouds, using
large pages and sometimes device passthrough. Natively, big-memory workloads spend up to 10% of their execution cycles on
TLB misses *even with large pages* (A16, Basu et al., ISCA 2013), so translation overhead is not unique to VMs.
"""),
callout("what-if", """
**What if?** You are the CTO of a startup whose cloud service hosts both **lightweight applications** and
**resource-intensive gaming servers**. Your team considers MMU virtualization to manage this mixed workload.

Would you implement it? Weigh its flexibility and control against its performance cost, especially for the gaming
servers. Consider alternatives. The cell below simulates both workloads under each option.
"""),
code("""
const cto03 = kl.ctoWhatIf();
kl.showChart(cto03.figure);
kl.showMarkdown(cto03.summary);
"""),
md("""
**What to notice:** compare each virtualized bar with the bare-metal bar of the same page size (dark bars 4 KiB,
light bars 2 MiB). The light apps create processes all the time, so shadow paging drowns in VM exits whatever the page
size, while nested paging stays within a small factor of bare metal. (Their short-lived processes keep 4 KiB pages,
so 2 MiB pages change only nested paging's host walks there.) With 4 KiB pages the gaming server's large static state
misses the TLB constantly: bare metal and shadow paging pay a native walk per miss, nested paging a 2D walk, so it
looks worst. With 2 MiB pages the TLB covers the whole state and the three setups cost the same. Large pages help bare
metal just as much, so by themselves they are no virtualization win; what they remove is nested paging's handicap.
The worst-case line above gives the CTO's answer: nested paging with large pages comes closest to bare metal on both
workloads, and leaves no shadow code to maintain. (As in notebook 02, the cycles count only the memory system's work,
so compare setups with each other, not with a real server.)
"""),
teacher("""
**A model answer.** "Yes, with hardware nested paging (EPT/NPT) as the default for every VM, and 2 MiB (or 1 GiB) host
pages backing guest memory; ask the gaming tenants to use large pages in their guests too (transparent huge pages or
hugetlbfs). The light apps churn page tables, which shadow paging turns into VM exits; the gaming servers' cost is the
2D walk, which large pages remove. Keep shadow paging out of the platform: it would only help a static, TLB-bound
workload *without* large pages, and it adds complex, security-critical code. For the most demanding game servers,
offer dedicated hosts or bare-metal instances." Give credit for mentioning page-walk caches (A10), agile paging (A12)
or measuring before deciding.
"""),
md("""
## 4. Exercises

### Exercise 1 (seeded): split the address

Work out each index (root first) and the offset by hand, then reveal. Change the seed for a fresh problem; try
`{ layout: "ostep-2level" }` for OSTEP's tiny machine.
"""),
code("""
const seed03 = 1;
const split03 = kl.addressSplitProblem(seed03);
kl.showMarkdown(`${split03.parameters}\\n\\n${split03.prompt}`);
kl.showTable(split03.questions);
"""),
md("*Write your prediction down, then reveal:*"),
code("""
kl.showTable(split03.answers);
kl.showMarkdown(split03.stats);
"""),
md("""
### Exercise 2 (seeded): hit or miss?
"""),
code("""
const tlbp03 = kl.tlbReplayProblem(seed03);
kl.showMarkdown(`${tlbp03.parameters}\\n\\n${tlbp03.prompt}`);
kl.showTable(tlbp03.questions);
"""),
md("*Write your prediction down, then reveal:*"),
code("""
kl.showTable(tlbp03.answers);
kl.showMarkdown(tlbp03.stats);
"""),
md("""
### Exercise 3 (seeded): count the references
"""),
code("""
const walkp03 = kl.nestedWalkProblem(seed03);
kl.showMarkdown(`${walkp03.parameters}\\n\\n${walkp03.prompt}`);
kl.showTable(walkp03.questions);
"""),
md("*Write your prediction down, then reveal:*"),
code("""
kl.showTable(walkp03.answers);
kl.showMarkdown(walkp03.stats);
"""),
md("""
### Exercise 4 (graded): split an address for any layout

Write `splitAddress(address, indexBits, offsetBits)`. `indexBits` lists the index widths root first (x86-64:
`[9, 9, 9, 9]`; OSTEP's toy machine: `[5, 5]`). Return `{ indices, offset }` with the indices root first.
Careful: addresses can be wider than 32 bits.
"""),
solution("""
function splitAddress(
  address: number, indexBits: number[], offsetBits: number,
): { indices: number[]; offset: number } {
  // BEGIN SOLUTION
  const offset = address % 2 ** offsetBits;
  let rest = Math.floor(address / 2 ** offsetBits);
  const indices: number[] = [];
  for (let d = indexBits.length - 1; d >= 0; d--) {
    indices.unshift(rest % 2 ** indexBits[d]);
    rest = Math.floor(rest / 2 ** indexBits[d]);
  }
  return { indices, offset };
  // END SOLUTION
}
""", grade_id="ex03_split_address"),
tests("""
kl.showMarkdown(kl.checkSplitAddress(splitAddress).message);
// BEGIN HIDDEN TESTS
const hidden03a = kl.checkSplitAddress(splitAddress, 99);
// END HIDDEN TESTS
""", grade_id="test03_split_address", points=2),
md("""
### Exercise 5 (graded): the nested-walk formula

Write `nestedWalkRefs(guestLevels, hostLevels, guestPageBytes, hostPageBytes)`: the page-table references of one
uncached nested TLB miss (the final data access not counted). Page sizes are 4096, 2097152 (2 MiB) or 1073741824
(1 GiB). Derive the rule from the grid in §3; the checker compares you with kernel-lib on every combination.
"""),
solution("""
function nestedWalkRefs(
  guestLevels: number, hostLevels: number, guestPageBytes: number, hostPageBytes: number,
): number {
  // BEGIN SOLUTION
  const skipped = (bytes: number) => (bytes === 2 ** 30 ? 2 : bytes === 2 ** 21 ? 1 : 0);
  const n = guestLevels - skipped(guestPageBytes);
  const m = hostLevels - skipped(hostPageBytes);
  return (n + 1) * (m + 1) - 1;
  // END SOLUTION
}
""", grade_id="ex03_nested_walk_refs"),
tests("""
kl.showMarkdown(kl.checkNestedWalkRefs(nestedWalkRefs).message);
// BEGIN HIDDEN TESTS
const hidden03b = kl.checkNestedWalkRefsOnMachines(nestedWalkRefs, { seed: 2027, machines: 6 });
// END HIDDEN TESTS
""", grade_id="test03_nested_walk_refs", points=2),
callout("summary", """
**Summary.**
- The MMU translates every access: a TLB hit costs almost nothing, a miss walks the page table, one entry per level.
  The TLB's hit rate depends on the working set versus the TLB's reach.
- Virtualizing the MMU means two maps (guest-virtual → guest-physical, guest-physical → host-physical).
  **Shadow paging** precombines them (native-length walks, VM exits on every page-table change);
  **nested paging** (EPT/NPT) walks both in hardware: no exits for guest page-table writes, CR3 loads or guest page
  faults (only EPT/NPT violations exit, such as the first touch of a page the host has not backed yet), but a 2D walk
  whose length you measured above.
- Large pages shorten walks on either side and extend the TLB's reach; with them, nested paging serves both light,
  process-heavy apps and big static working sets, which is why it is today's default.
"""),
md(f"""
---
{NAV}
"""),
], title="03 — The MMU and MMU virtualization: the city planner's map")
