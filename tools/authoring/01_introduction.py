import sys; sys.path.insert(0, "tools")
from nbauthor import md, code, write, solution, tests, teacher, callout

NAV = "[← 00 Welcome](00-welcome.ipynb) · **01 Introduction** · [02 Memory virtualization →](02-memory-virtualization.ipynb)"

write("notebooks/01-introduction.ipynb", [
md(f"""
# 01 — Introduction: many machines inside one machine

*Exploring memory and I/O virtualization in hypervisors — lesson 1 of 6.*

{NAV}

A cloud server runs dozens of virtual machines (VMs) at once. Each VM believes it owns a whole
computer: its memory, its memory-management unit (MMU), its network card and disk. This lesson
is about how a **hypervisor** keeps that promise for **memory**, the **MMU** and **I/O**, and
what it costs. Everything you see is computed by `kernel-lib`, a small simulator you can read
and change.
"""),
callout("objectives", """
**Learning objectives.** After this notebook you can

1. explain why a cloud provider cares about both *isolation* and *overhead* of memory and I/O virtualization;
2. define host, hypervisor (VMM), guest, VM and VM exit, and name where hypervisors run today;
3. tell apart the three kinds of address in a virtualized machine: guest-virtual, guest-physical and host-physical;
4. translate a guest-physical address to a host address with a VM's frame map, and say why an address outside the map must be refused;
5. find your way through the rest of the lesson (notebooks 02–06).
"""),
teacher("""
**Timing (about 45 minutes).** Hook §1: 8 min · What virtualization is §2: 10 min · Tiny hypervisor §3: 10 min ·
Exercises §4: 12 min · Map of the lesson §5: 5 min.

**Delivery.** Open with the story in §1 *before* running any cell: ask the class who has used a cloud VM,
a container on a laptop, WSL or an Android phone (all run on hypervisors). Run the hook cells live and let the
two numbers (reads per TLB miss, throughput per I/O path) sink in: the rest of the course explains them.
Keep §2 brisk; students who took an OS course know page tables, so spend the time on the three address kinds.
"""),
md("""
## 1. The hook: a Monday morning at a cloud provider

Run the first cell: it loads the simulator.
"""),
code("""
import * as kl from "kernel-lib";
"""),
callout("story", """
**CloudCity Hosting, 9:00 on a Monday.** One rack server, 40 customers. The city hall's payroll, an online game's
match servers, a hospital's appointment system and a student's web shop each run in their own VM on the same
machine. The operations team has two promises to keep:

- **Nobody sees anybody else.** A bug (or an attacker) in the web shop must never read the payroll's memory or
  the hospital's packets. *Isolation* is the product being sold.
- **Nobody notices the sharing.** A VM should run almost as fast as the bare machine. Every extra cycle the
  hypervisor spends on memory lookups or on shuttling packets is a cycle nobody pays for, across thousands of servers.

The two promises pull against each other: every check that keeps VMs apart is work the bare machine would not do.
The cell below measures two places where that work shows up.
"""),
code("""
const hook = kl.cloudHookNumbers();
kl.showMarkdown(kl.cloudHookSummary(hook));
"""),
code("""
kl.showChart(kl.cloudHookIoFigure(hook));
"""),
md("""
**What to notice:** the same VM doing the same work gets a very different share of the machine depending on *how*
the hypervisor gives it a network card. Notebook 04 explains each bar; notebook 05 puts all the costs side by side.
Mind which run the numbers come from: a VM with a full backlog (it always has requests waiting). Notebook 04
measures the same paths on a steady stream of requests arriving one by one, where the exit counts differ.
The second chart (a *playground*: in the HTML handout you can move its sliders) counts the memory reads of one TLB
miss natively, under shadow paging and under nested paging.
"""),
code("""
kl.showPlayground("page-walk", { guestLevels: 4, hostLevels: 4 });
kl.showMarkdown(kl.cloudHookWalkNotice(hook));
"""),
callout("pause", """
**Pause and think (2 minutes).** Forty customers, one machine, one memory, one network card. List three things that
could go wrong if their programs shared the hardware with no referee at all.
"""),
teacher("""
**Answers to expect:** one VM overwrites another's memory (corruption, crashes); one VM *reads* another's memory
(secrets leak: the payroll); one VM's device programming clobbers another's (a network card sending the wrong VM's
buffers, DMA into someone else's memory); one greedy VM starves the others (no fair share of the device); no way to
move or restart a VM without touching the hardware. Sort the answers into *isolation* and *performance/management*
on the board: the lesson returns to both columns in notebook 06.
"""),
md("""
## 2. What virtualization is, and where it runs today

**Virtualization** makes one physical computer look like several. A thin layer of software, the **hypervisor** or
**virtual machine monitor (VMM)**, runs on the real hardware (the **host**) and gives each **virtual machine** a
complete imitation of a computer. The operating system inside a VM, the **guest**, runs unchanged: it believes it
programs real page tables and real devices.

Popek and Goldberg (1974) asked three things of a VMM: **equivalence** (a program behaves as on the real machine),
**resource control** (the VMM, not the guest, stays in charge of the hardware) and **efficiency** (most instructions
run directly on the CPU, without the VMM). The guest runs directly on the CPU until it does something only the VMM may
do; then the CPU stops the guest and enters the hypervisor: a **VM exit** (a *trap*). The hypervisor handles it and
resumes the guest. VM exits are the unit of overhead throughout this lesson.

| kind | runs on | examples |
|---|---|---|
| type 1 (bare metal) | the hardware itself | Xen, VMware ESXi, Microsoft Hyper-V, KVM (inside Linux) |
| type 2 (hosted) | an ordinary OS | VirtualBox, VMware Workstation, QEMU without KVM |

**Where it runs today.** Public clouds (Amazon EC2's Nitro hypervisor and Google Cloud build on KVM; Azure on Hyper-V),
serverless platforms (AWS Lambda runs each function in a Firecracker micro-VM), company data centers, developer
laptops (WSL 2 and Docker Desktop run a Linux VM), CI runners, and phones (Android's virtualization framework uses
protected KVM).

A hypervisor virtualizes three things: the **CPU** (privileged instructions trap), **memory and the MMU** (each VM gets
its own "physical" memory and page tables; notebooks 02 and 03) and **I/O devices** (network cards, disks;
notebook 04). This lesson is about the last two.
"""),
md("""
### Three kinds of address

A program in a VM uses **guest-virtual addresses (GVA)**. The guest OS's page table maps them to
**guest-physical addresses (GPA)**: what the guest *thinks* is RAM. The hypervisor maps guest-physical memory to
**host-physical addresses (HPA)**, the real RAM. Two maps, one behind the other:

| map | kept by | from → to |
|---|---|---|
| guest page table | the guest OS | GVA → GPA |
| the VM's memory map (p2m; in hardware: EPT on Intel, NPT/RVI on AMD) | the hypervisor | GPA → HPA |
| shadow page table (notebook 02) | the hypervisor | GVA → HPA, both maps combined |
"""),
md("""
## 3. A first tiny hypervisor: two VMs

The cell below builds a small host with `kernel-lib`: a hypervisor, two VMs, and in each VM a guest OS with one
process. Each process writes a message at the **same** guest-virtual address. Watch where the bytes land.
"""),
code("""
// A host with 64 MiB of RAM, run by a hypervisor using hardware nested paging (EPT/NPT).
const host = new kl.Machine({ mode: "nested", hostMemoryBytes: 64 * 2 ** 20 });
// Two VMs with 8 MiB of guest-physical memory each, and one process in each guest OS.
const payroll = host.createVm({ name: "Payroll", memoryBytes: 8 * 2 ** 20 });
const game = host.createVm({ name: "Game server", memoryBytes: 8 * 2 ** 20 });
payroll.kernel.createProcess(1);
game.kernel.createProcess(1);
// Each process writes a message at the same guest-virtual address.
const faults01 = host.writeString(payroll, 1, 0x400000, "SALARIES")
  + host.writeString(game, 1, 0x400000, "HISCORES");
"""),
code("""
const chain01 = kl.addressChainRows(host, [payroll, game], 1, 0x400000);
kl.showTable(chain01, { caption: "One write per VM: the same addresses inside, different frames outside" });
kl.showMarkdown(kl.addressChainSummary(chain01));
"""),
md("""
**What to notice:** inside both VMs the addresses are identical; only the hypervisor's map (GPA → HPA) differs. That
map is the whole trick of memory virtualization, and keeping it fast is the whole difficulty.
"""),
callout("pause", """
**Pause and think.** Both VMs wrote to the same guest-physical address. Why did neither overwrite the other? Who
decided which host frame each VM got, and could a guest change that decision?
"""),
teacher("""
**Answer:** the guest-physical address is only a name *inside* the VM. The hypervisor allocated different host frames
to each VM and keeps the GPA → HPA map where the guest cannot write it (in the hypervisor's memory; with EPT/NPT in a
table only the hypervisor can modify). A guest can change its own GVA → GPA table as it likes; it can never name a host
frame directly. Notebook 02 shows what happens when that map is missing.
"""),
md("""
## 4. Exercises

### Exercise 1 (seeded): where does the byte really go?

As in the OSTEP homework simulators, a **seed** generates a problem. Change `seed` to get a fresh one, work the
answers out on paper, then run the reveal cell.
"""),
code("""
const seed01 = 1;
const p01 = kl.hostAddressProblem(seed01);
kl.showMarkdown(`${p01.parameters}\\n\\n${p01.prompt}`);
kl.showTable(p01.questions);
"""),
md("*Predict each host address first. Then reveal:*"),
code("""
kl.showTable(p01.answers);
kl.showMarkdown(p01.stats);
"""),
md("""
### Exercise 2 (graded): write the hypervisor's translation

Write `hostAddressOf(guestPhysicalAddress, p2m, pageSizeBytes)`. `p2m[i]` is the host frame that holds the VM's guest
frame `i`. Return the host byte address, or `null` when the address lies outside the VM's memory (that refusal is
isolation). The test cell checks your function on many VMs and addresses and tells you what kind of mistake it found.
"""),
solution("""
function hostAddressOf(
  guestPhysicalAddress: number, p2m: number[], pageSizeBytes: number,
): number | null {
  // BEGIN SOLUTION
  const guestFrame = Math.floor(guestPhysicalAddress / pageSizeBytes);
  const offset = guestPhysicalAddress % pageSizeBytes;
  if (guestFrame < 0 || guestFrame >= p2m.length) return null;
  return p2m[guestFrame] * pageSizeBytes + offset;
  // END SOLUTION
}
""", grade_id="ex01_host_address_of"),
tests("""
kl.showMarkdown(kl.checkHostAddressOf(hostAddressOf).message);
// BEGIN HIDDEN TESTS
const hidden01 = kl.checkHostAddressOf(hostAddressOf, 12345);
// END HIDDEN TESTS
""", grade_id="test01_host_address_of", points=2),
callout("summary", """
**Summary.**
- A hypervisor gives each VM the illusion of a whole machine; the guest OS runs unchanged. When the guest does
  something only the hypervisor may do, the CPU leaves the guest: a **VM exit**, the basic unit of overhead.
- Memory is mapped twice: guest-virtual → guest-physical by the guest, guest-physical → host-physical by the hypervisor.
  Isolation means a guest can only ever reach host frames the hypervisor gave it.
- Both promises of a cloud, isolation and low overhead, depend on how memory, the MMU and I/O are virtualized.
"""),
callout("debate", """
**Quick debate (5 minutes).** *"A cloud customer should always get a whole physical server: sharing hardware through a
hypervisor is never worth the risk."* One side argues cost, flexibility and utilisation; the other argues isolation
bugs and noisy neighbours. Keep your arguments: notebooks 02–05 give you numbers for both sides.
"""),
callout("what-if", """
**What if** the hypervisor had no map at all, and every VM used guest-physical addresses as host addresses directly?
Predict what the two VMs of §3 would see. Notebook 02 runs exactly that experiment.
"""),
md("""
## 5. The map of the lesson

| notebook | question it answers | story |
|---|---|---|
| [02 Memory virtualization](02-memory-virtualization.ipynb) | How does each VM get its own isolated memory, and what do shadow page tables cost? | Alex in Computropolis |
| [03 The MMU and MMU virtualization](03-mmu-virtualization.ipynb) | What does the MMU do on every access, and how do shadow and nested (EPT/NPT) paging virtualize it? | the city planner's map |
| [04 I/O virtualization](04-io-virtualization.ipynb) | How do VMs share devices: emulation, virtio, passthrough? | Ava in Virtuopolis |
| [05 Impact on performance](05-performance.ipynb) | Where does each technique win, and what does security cost? | the trade-offs side by side |
| [06 Key activity and conclusion](06-activity-and-conclusion.ipynb) | Simulate the MMU by hand; find these parts in KVM and QEMU | synthesis |
"""),
teacher("""
**Running the whole lesson.** Notebooks 02 and 03 together make one 90-minute session on memory and the MMU;
04 and 05 a second session; 06 is the hands-on lab and the wrap-up. If time is short, assign §4 of each notebook
as homework: the graded cells work with `npm run assign` (see README).
"""),
md(f"""
---
{NAV}
"""),
], title="01 — Introduction: many machines inside one machine")
