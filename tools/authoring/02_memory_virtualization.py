import sys; sys.path.insert(0, "tools")
from nbauthor import md, code, write, solution, tests, teacher, callout

NAV = "[← 01 Introduction](01-introduction.ipynb) · **02 Memory virtualization** · [03 The MMU and MMU virtualization →](03-mmu-virtualization.ipynb)"

write("notebooks/02-memory-virtualization.ipynb", [
md(f"""
# 02 — Memory virtualization: Alex brings order to Computropolis

*Exploring memory and I/O virtualization in hypervisors — lesson 2 of 6.*

{NAV}

How does a hypervisor give every VM its own, private memory when they all share one set of RAM chips? We follow
Alex, an engineer in the city of Computropolis, from chaos to an idea (shadow page tables) to its price, and then
meet the hardware that most hypervisors use instead today.

Figure ids such as B1 or A12 refer to `docs/virtualization-figures.md` in the kit, which gives each published figure
its source and says how it was checked.
"""),
callout("objectives", """
**Learning objectives.** After this notebook you can

1. show, with the simulator, what goes wrong when VMs share physical memory without a hypervisor map;
2. explain how a hypervisor gives each VM an isolated address space (guest-physical → host-physical);
3. describe a **shadow page table** as the composition of the guest's table and the hypervisor's map, and how the
   hypervisor keeps it in sync (write-protected guest tables, VM exits);
4. measure the cost of that synchronisation as page-table activity grows;
5. compare shadow paging with hardware **nested paging** (Intel EPT, AMD NPT/RVI), today's default, and say which
   workloads favour each, citing published measurements.
"""),
teacher("""
**Timing (about 50 minutes).** §1 the chaos: 8 min (with the first pause) · §2 Alex's idea and shadow tables: 12 min
(second pause) · §3 the impact, the chart and the correction: 10 min · analogy: 3 min · debate: 10 min ·
what-if: 7 min · §5 exercises: in class if time allows, otherwise homework.

**Point of view.** Tell §1–§3 as Alex's story, in the first person if you like ("I'm Alex, and my city is falling
apart"). Run each demo cell *after* the story paragraph it proves: the story makes a claim, the cell shows it.
"""),
md("""
## 1. The problem: chaos in Computropolis
"""),
code("""
import * as kl from "kernel-lib";
"""),
callout("story", """
**Computropolis** is a busy city that lives inside one large host machine. Its citizens are virtual machines: the
Records Office keeps the city's data, Traffic Control runs the signals, the Library serves the public. Each VM has its
own job and its own operating system.

But they all share the host's physical memory, and nobody stands between them. When one VM changes its memory mapping
or writes to "its" memory, it may be writing into a neighbour's. Records get corrupted, signals flicker, programs crash
for no visible reason. Worse, any VM can *read* what another wrote: the city's secrets are open to all. Without
isolation, Computropolis is neither safe nor efficient.
"""),
md("""
The simulator has a **no-isolation** mode that builds exactly this city: each VM's guest-physical addresses are used
as host-physical addresses, unchecked. Two VMs, each with its own guest OS and process, write their data.
"""),
code("""
const chaos = kl.chaosDemo();
kl.showTable(chaos.rows, { caption: "No isolation: every guest-physical address is a host address" });
kl.showMarkdown(chaos.summary);
"""),
md("""
**What to notice:** both guest kernels did nothing wrong; each picked a free frame *in its own view*. Without a
hypervisor map, "free in my view" says nothing about the other VM, so the second write lands on the first VM's data.
"""),
callout("pause", """
**Pause.** Close your eyes for ten seconds and picture a city where any building's mail can end up in any other
building's mailbox. Then: **how do you think each VM could operate without affecting the others?**
"""),
teacher("""
**Delivery tip:** pause for real here (20–30 s of silence is fine) before taking answers.
**Answers to steer towards:** give every VM its own range of memory that nobody else may touch; put a referee (the
hypervisor) between the VMs and the RAM; translate each VM's addresses through a map only the referee can change;
check every access against that map. Students often propose "give each VM a fixed slice" (base and bounds): good,
and note it is what segmentation did for processes. Page-granular maps (next section) are more flexible: the hypervisor
can give a VM any free frame and take it back later.
"""),
callout("story", """
**The dramatic question.** *Could creating separate worlds within a single machine make it smarter and more efficient?*

**Point of view.** We follow **Alex**, an engineer whose job is to bring order to this chaotic digital city.
"""),
md("""
## 2. The 'aha!': Alex's idea
"""),
callout("story", """
One evening Alex watched the skyline of Computropolis and wondered aloud: *"What if every VM had a memory space of its
own, that nobody else could reach?"* That was the idea of **memory virtualization**.

Alex compared the hypervisor to the **conductor of an orchestra**. The musicians (the VMs) each read their own part; the
conductor decides who plays which note on the one shared stage. The hypervisor takes the host's physical memory and
hands each VM its own *guest-physical* memory: addresses from zero up, which the hypervisor maps to host frames only it
can choose. A VM can name only its own memory.
"""),
code("""
const calm = kl.isolationDemo();
kl.showTable(calm.rows, { caption: "With isolation: each VM's guest-physical memory is backed by its own host frames" });
kl.showMarkdown(calm.summary);
"""),
md("""
**What to notice:** the same two guests, the same guest-physical addresses, now land in different host frames, and a
guest that tries to reach beyond its own memory gets a **modeled fault** (the hypervisor refuses and counts it) instead
of someone else's data.

### The quick reference sheet: shadow page tables

Now each address is translated twice: the guest's page table maps guest-virtual → guest-physical, and the hypervisor's
map takes guest-physical → host-physical. The hardware MMU of 2005 could walk only *one* page table. So the hypervisor
builds, for every guest process, a **shadow page table** that maps guest-virtual **directly** to host-physical: the
two maps combined into one quick reference sheet. The CPU walks the shadow table, and a TLB miss costs no more than on
bare metal.

The catch: the guest keeps editing its own table (new processes, `mmap`, page faults, `fork`). To keep the sheet right
the hypervisor **write-protects** the guest's page-table pages. Every guest write to one of them causes a **VM exit**;
the hypervisor emulates the write and fixes the shadow entry. Switching processes (loading CR3) exits too, and so does
the first touch of a page whose shadow entry is not built yet (a *hidden page fault*).

*Footnote for the curious:* that is the textbook scheme, and the one the simulator models. Real hypervisors relax it.
KVM's shadow MMU lets some last-level guest tables go *unsync*: it leaves them writable, so the guest edits them
without exiting, and it brings the shadow back in line when the guest flushes the TLB (INVLPG) or loads CR3, which the
guest must do anyway before it relies on a changed entry. VT-x's CR3-target list lets a guest switch to a few known
page tables without an exit. Notebook 06 points at the KVM code.
"""),
code("""
const sheet = kl.shadowSheetDemo();
kl.showTable(sheet.rows, { caption: "One guest page, three tables" });
kl.showMarkdown(sheet.summary);
"""),
callout("story", """
Like a conductor who keeps every musician's part in step with the score, the hypervisor keeps each shadow table in step
with its guest's page table. And **MMU virtualization** finishes the job: the hardware TLB caches the combined
translation (guest-virtual → host-physical), so that most accesses need no table at all.
"""),
md("""
Keeping one VM from hitting another VM's cached translations is a separate job, whichever way the tables are built.
The first VT-x processors flushed the whole TLB on every VM entry and exit. Tagged TLBs removed that flush: AMD-V tags
each entry with an address-space id (ASID), and Intel added VPIDs with Nehalem in 2008. With tags, entries from
different VMs can sit in the TLB together, and a VM only ever hits its own.
"""),
callout("pause", """
**Pause again.** Take two minutes. On paper, draw the guest page table, the hypervisor's map and the shadow table for
the page in the table above. Then answer: **which of the three tables may the guest write, and what happens when it does?**
"""),
teacher("""
**Answer:** the guest writes only its own page table (GVA → GPA). The hypervisor owns the map (GPA → HPA) and the shadow
table (GVA → HPA); the CPU's CR3 points at the shadow table while the guest runs. Because the guest's table pages are
write-protected, each guest write traps (a VM exit of cause `guest-pt-write`); the hypervisor performs the write on the
guest's behalf and updates (or drops) the matching shadow entry, then resumes the guest.
**Common confusion:** students think the guest "knows" about the shadow table. It does not; it is fully transparent.
"""),
md("""
## 3. The impact
"""),
callout("story", """
With memory virtualization in place, Computropolis became a city of well-organised VMs, each working on its own without
disturbing the others. Changes inside one VM no longer touched another: a big step for security and stability.

The story also claims that the shadow page tables *reduced overhead and improved performance compared to older
methods*. Alex admitted the price: keeping all those reference sheets correct took care, mistakes were easy to make,
and every edit a guest made to its own page table now cost a trip to the hypervisor. Still, Alex's verdict was that
**the benefits far outweighed the drawbacks**, and memory virtualization became a cornerstone of efficient, secure
computing in Computropolis. Let us check that verdict with measurements.
"""),
code("""
const sync = kl.shadowSyncOverhead();
kl.showChart(sync.figure);
kl.showMarkdown(sync.summary);
"""),
md("""
**What to notice:** with a static page table, shadow paging costs almost nothing over native: its TLB misses are
native-length walks. As the guest edits its page tables more often (processes starting, memory mapped and unmapped),
shadow paging's VM exits grow in proportion, while nested paging's overhead stays flat, because under nested paging the
guest edits its own table without exiting.

**Alex's verdict, measured.** The isolation half holds for every workload: §2 showed each VM confined to its own
frames, and isolation is what justified the complexity. The performance half holds only in part. Shadow tables match
bare metal while page tables stay still (the left of the chart), and for years they were the only way to run an
unmodified guest OS on x86. But from the crossing printed above onwards, shadow paging costs more than nested paging, the hardware
technique that later replaced it as the default. So isolation was worth the price; shadow tables were a good way to
pay it only for some workloads.
"""),
md("""
**Try it yourself.** The playground below runs the same kind of experiment with a fork/exec-heavy child process; in the
HTML handout you can slide the fork/exec rate, the working set and the host page size and watch the crossover move.
"""),
code("""
kl.showPlayground("page-table-churn", { forkExecPer10k: 5, workingSetPages: 1024 });
"""),
md("""
**What to notice**, at any position of the sliders: with no fork/exec, shadow paging runs at bare-metal speed. Each
fork, exec and exit rewrites page tables, and under shadow paging every such write is a VM exit, so shadow's bar
climbs with the fork/exec rate. Nested paging never exits for those writes; the few exits its label may show are EPT
violations, the host backing memory that a child touches for the first time. Nested's bar depends mostly on the
working set: once the pages outgrow the TLB, every miss is a 2D walk. 2 MiB host pages can only lower nested's bar
(shorter walks, memory backed in bigger pieces), and they leave shadow's bar where it was.
"""),
code("""
kl.showChart(sync.exitsFigure);
"""),
md("""
**What to notice:** a server that forks a worker per request (each fork copies the parent's page table, each worker's
exit tears one down) exits for every cause the story named: guest page-table writes, CR3 loads (process switches),
hidden page faults (shadow entries rebuilt on first touch) and true guest page faults reflected into the guest. Under
nested paging none of these exit.

### What the story simplifies (read this)

The original story says shadow page tables "significantly reduced overhead compared to older methods". Keep the spirit
(shadow tables were the breakthrough that let x86 hypervisors run unmodified guest OSes), but know the full picture:

- **Shadow paging** is the classic *software* technique. It goes back to IBM's CP-67 and VM/370 mainframe
  hypervisors, and on x86 before about 2008 VMware, KVM and Xen's fully virtualized (HVM) guests used it. TLB misses
  are cheap (a native-length walk), but page-table edits, CR3 loads and hidden faults cost VM exits.
- **Paravirtual direct paging** was the other pre-2008 technique on x86. Xen's paravirtualized guests used it:
  the guest knows it runs on Xen, and the hardware walks the guest's own tables, which hold host frame numbers. Xen
  validates those tables and keeps them read-only, and the guest changes them through `mmu_update` hypercalls (or
  Xen's writable page tables). The catch is that the guest OS must be modified. Xen used shadow paging only for its
  HVM guests and for log-dirty tracking during live migration.
- **Hardware-assisted nested paging** (AMD NPT/RVI from 2007–2008 Opterons, Intel EPT from the 2008 Nehalem generation)
  is **today's default** in KVM, Xen, Hyper-V and VMware. The MMU walks both tables itself (a 2D walk, notebook 03):
  no exits for page-table edits, but each TLB miss reads many more entries.
- **Each wins on different workloads.** VMware measured EPT **up to 48%** faster than its shadow paging on MMU-intensive
  benchmarks and **up to 600%** on microbenchmarks, while "EPT increases memory access latencies for a few workloads"
  (figure B1, VMware, *Performance Evaluation of Intel EPT Hardware Assist*, 2009); AMD RVI: **up to 42%** and **500%**
  (B2). VMware's guidance (B3): workloads with little page-table activity had little shadow-paging overhead, so they
  gain little from hardware assist. A separate point is that a hardware-assisted TLB miss is "significantly" slower,
  which can make hardware assist a loss on TLB-miss-heavy work; large pages in both stages help most. Wang et al.
  found no noticeable gap in over half the cases and gaps up to **34%** either way on a few (B4, VEE 2011). Agile
  paging combines both and beats the best of the two by **>12%** (A12, Gandhi et al., ISCA 2016).
- The *first* hardware VMs (VT-x without EPT, 2006) still used shadow paging, and paid for it. A guest PTE write
  cost **12,733** cycles in the hardware VMM against **391** in VMware's software VMM, and a page fault cost **11,242**
  against 3,927, with 1,093 native (B5: Adams & Agesen, ASPLOS 2006). A secondary summary of the same paper reports a
  fork/wait loop of 106.4 s (hardware VMM), 36.9 s (software VMM) and 6.0 s (native) (B6, [V2]: not yet checked
  against the paper). The software VMM won on these operations because binary translation and adaptive tracing *avoided* most exits,
  not because its exits were faster. Hardware VMMs caught up later with fewer exits (nested paging removed the
  page-table ones) and cheaper exits, whose latency fell with each CPU generation (B9).
"""),
callout("analogy", """
**The apartment building.** Computropolis is an apartment building. Each VM is a tenant with a private room (its
isolated memory). The hypervisor is the landlord and holds the keys (the shadow page tables and the memory map): a
tenant's key opens only that tenant's room. Tenants live independently without disturbing each other.
*Extend it:* a tenant who wants to move furniture into another room (edit a page table) must ask the landlord, who
comes up the stairs every time: that visit is the VM exit. With nested paging, each tenant gets a master key ring the
building's doors check automatically; no visits, but every door takes longer to open.
"""),
callout("debate", """
**Debate.** *"The use of shadow page tables in memory virtualization significantly enhances system performance by
reducing overhead but also introduces complexity and potential error risks that outweigh these benefits."*

Do the performance gains of shadow page tables justify the complexity and the risk of errors in keeping them in sync?
Use the chart above: **when** does shadow paging reduce overhead, and compared with **what**? Consider that the
hypervisor code that maintains shadow tables is large, subtle and security-critical (a missed write-protect is an
isolation bug).
"""),
teacher("""
**Running the debate (10 min).** Split the room: *pro* (shadow tables are worth it), *con* (complexity outweighs).
Give each side 3 minutes to prepare with the charts, 2 minutes each to argue, 3 minutes of open discussion.
**Pro points:** native-length TLB misses, so TLB-miss-heavy work with static page tables runs near native (the flat
left part of the chart; B3, B4); works on any CPU with no hardware support; before 2008 the only option for unmodified guests; agile paging (A12)
and selective schemes (B4) still use shadow tables where they win.
**Con points:** every page-table write, CR3 load and hidden fault exits (the right part of the chart; B5: a trapped
PTE write cost 12,733 cycles in the first hardware VMM); memory for one shadow table per guest process; the sync code
is complex and a bug breaks isolation; hardware nested paging removed most of it, which is why KVM, Xen, Hyper-V and ESXi default to EPT/NPT.
**Close** by asking "reduces overhead compared with what?". Shadow tables are not newer than binary translation:
they date back to CP-67 and VM/370, and binary translation is a CPU-virtualization technique that VMware used
*together with* shadow tables. The real alternatives are Xen's paravirtual direct paging (fewer traps, but the guest
must be modified) and hardware nested paging, today's baseline. Against nested paging, shadow tables reduce overhead
only for TLB-miss-heavy work whose page tables rarely change (the left of the chart).
"""),
callout("what-if", """
**What if?** You are designing the OS for a new line of **high-performance servers**. Your team is considering shadow
page tables to optimise memory virtualization and improve overall performance; some colleagues worry about the added
complexity and error risk.

If your goal is maximum server performance with reliability, how would you decide between shadow page tables and
"traditional methods" (today: hardware nested paging)? Weigh the performance gain against the complexity; consider the
system architecture, the typical workloads and your team's ability to maintain the code. Run the cell below for evidence.
"""),
code("""
const servers = kl.serverWhatIf();
kl.showChart(servers.figure);
kl.showMarkdown(servers.summary);
"""),
md("""
**What to notice:** the answer depends on the workload. A server whose page tables rarely change but whose working set
overflows the TLB favours shadow paging; a server that starts processes or maps and unmaps memory all the time favours
nested paging, by a wide margin. Large pages shrink nested paging's main cost (notebook 03).
"""),
code("""
kl.showMarkdown(kl.memoryCostsNote());
"""),
teacher("""
**A model answer.** "Measure the workload first. On the CPUs we will ship (all have EPT/NPT), default to nested paging:
it needs no synchronisation code in our hypervisor, so less risk, and it wins on anything with process churn (the
chart's fork-heavy server). Use large pages in guest and host to cut its TLB-miss cost (B1, B3; notebook 03). Consider
shadow paging only for a known, static, TLB-miss-heavy workload where the chart shows a real gain, and only if we can
afford to test the sync code thoroughly; or adopt a hybrid like agile paging (A12) or selective switching (B4)."
Reward answers that ask for measurements and name a maintenance plan.
"""),
md("""
## 4. Exercises

### Exercise 1 (seeded): fill in Alex's reference sheet

A seed generates a guest page table and the VM's map. Work out the shadow table, then reveal.
"""),
code("""
const seed02 = 1;
const p02 = kl.shadowTableProblem(seed02);
kl.showMarkdown(`${p02.parameters}\\n\\n${p02.prompt}`);
kl.showTable(p02.questions);
"""),
md("*Write your answers down, then reveal:*"),
code("""
kl.showTable(p02.answers);
kl.showMarkdown(p02.stats);
"""),
md("""
### Exercise 2 (graded): compute a shadow entry

Write `shadowEntry(gvpn, guestTable, p2m)`: the host frame that the shadow table should map guest-virtual page `gvpn`
to, or `null` when there must be no shadow entry. `guestTable[gvpn]` is the guest frame (missing = not mapped);
`p2m[g]` is the host frame of guest frame `g`. Remember that a guest may put *any* number in its own table.
"""),
solution("""
function shadowEntry(
  gvpn: number, guestTable: Record<number, number>, p2m: number[],
): number | null {
  // BEGIN SOLUTION
  const guestFrame = guestTable[gvpn];
  if (guestFrame === undefined) return null;                      // the guest has no mapping: its own page fault
  if (guestFrame < 0 || guestFrame >= p2m.length) return null;    // outside the VM: never map it
  return p2m[guestFrame];
  // END SOLUTION
}
""", grade_id="ex02_shadow_entry"),
tests("""
kl.showMarkdown(kl.checkShadowEntry(shadowEntry).message);
// BEGIN HIDDEN TESTS
const hidden02 = kl.checkShadowEntry(shadowEntry, 4242);
// END HIDDEN TESTS
""", grade_id="test02_shadow_entry", points=3),
callout("summary", """
**Summary.**
- Without a hypervisor map, VMs that share physical memory overwrite and read each other's data (the chaos, shown above).
- Memory virtualization gives each VM guest-physical memory that the hypervisor maps to host frames only it chooses;
  an access outside a VM's memory is refused.
- A **shadow page table** composes the guest's table with the hypervisor's map (guest-virtual → host-physical), so the
  hardware walks one table and TLB misses stay native-length. Keeping it in sync costs a VM exit per guest page-table
  write, per CR3 load and per hidden fault: cheap for static page tables, expensive under churn.
- **Nested paging** (EPT/NPT), the hardware alternative and today's default, removes those exits (it still exits on an
  EPT/NPT violation, such as the first touch of a guest page the host has not backed yet) but makes each TLB miss a
  longer 2D walk. Neither wins everywhere (B1–B4); notebook 03 opens the MMU to see why.
"""),
md(f"""
---
{NAV}
"""),
], title="02 — Memory virtualization: Alex brings order to Computropolis")
