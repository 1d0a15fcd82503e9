import sys; sys.path.insert(0, "tools")
from nbauthor import md, code, write, solution, tests, teacher, callout

# Notebook 04: I/O virtualization (teaching module "I/O Virtualization", lesson plan "I/O Virtualization").
# Every number the simulator can produce is printed by a cell (kl.showMarkdown), never typed here.

write("notebooks/04-io-virtualization.ipynb", [
md("""
# 04 — I/O virtualization: Ava and the traffic of Virtuopolis

*Exploring memory and I/O virtualization in hypervisors — lesson 4 of 6.*

*Lesson plan, core content 4: how hypervisors abstract hardware so that virtual machines reach
physical devices only indirectly, and what that indirection costs.*

← Previous: [03 — The MMU and MMU virtualization](03-mmu-virtualization.ipynb) ·
Next: [05 — Impact on system performance](05-performance.ipynb) →
"""),
callout("objectives", """
**Learning objectives.** After this notebook you can

1. explain why virtual machines cannot simply share a physical device, and what goes wrong when they try;
2. describe three ways a hypervisor gives a VM a device — **device emulation**, **paravirtual virtio**
   (with its in-kernel variant **vhost**) and **device passthrough** (IOMMU, SR-IOV) — and where each one traps;
3. read throughput, latency and VM-exits-per-request charts and explain the order of the paths;
4. show how an IOMMU stops a passed-through device from writing into another VM's memory;
5. argue the trade-off between flexibility/isolation and latency for a concrete customer.
"""),
teacher("""
**Timing (about 50 minutes).** Story and traffic jam 10 min · emulation/virtio/passthrough 15 min ·
comparison charts and IOMMU 10 min · exercises 10 min (graded one can be homework) · debate and
what-if 5–10 min. Run the whole notebook once before class (*Run → Run All Cells*, a few seconds)
so every chart is on screen.

**Point of view.** Tell sections 1–2 as Ava's story, in the first person if you like ("I'm Ava, I run the
busiest server in Virtuopolis, and this morning the hospital's VM stalled because the game server got
busy"). At each pause, ask the class what *they* would do in Ava's place before reading on, and run each
demo cell right after the story paragraph it proves (the jam, the rogue DMA, the IOMMU).

**Setup.** Every simulated number in this notebook comes from `kernel-lib`'s discrete-event I/O
simulation: requests arrive, queue at vCPUs, back-end threads and the wire, and every VM exit is
charged by cause. The cost constants are cited one by one (`kl.ioCostSources`, shown in section 3).
Section 3 uses two runs per path, a *saturated* backlog (throughput) and a *steady stream* (latency,
exits, cycles): whenever a student quotes an exit count, ask which run it comes from.
"""),
code("""
import * as kl from "kernel-lib";
const SEED = 4;   // change the seed to get fresh problems in the exercises
"""),
md("""
## 1. The problem: a traffic jam at the device
"""),
callout("story", """
**The problem.** Virtuopolis is a city of servers, and its servers are intersections. Every
virtual machine is a car that has to get somewhere — to the network card, to the disk. In the old
Virtuopolis each car drove straight onto the physical roads: every VM talked to the real hardware
itself, fighting for the same few roads. Cars cut each other off, and a reckless driver could steer
into someone else's lane (a device told to copy data can copy it *anywhere* in memory), so no VM's
work was safe from its neighbours. Resources were shared badly — one VM hogged a card while others
waited — and nothing was flexible: a VM was tied to the exact hardware it had been given. The
administrators spent their days handing out devices by hand, trying to give every VM its fair share
without letting any of them interfere with the others.

This lesson follows Ava, the engineer who has to fix it, and we see Virtuopolis through her eyes. She
gets the call when the hospital's VM stalls because the game server next to it got busy, and she has to
explain to the city council how one buggy driver could scribble over a neighbour's data. Every fix she
tries will cost something, and she must decide whether it is worth the price. Watching the dashboards
of the city's busiest server, she asks an odd question:

> *Could making a computer dumber actually make it smarter?*

What if each VM no longer knew the real device at all — if it saw only a simple, standard,
*pretend* device — and someone smart stood in the middle?
"""),
md("""
First, the jam itself. Below, a growing number of VMs (the counts are in the cell) share **one**
physical network card. Each VM sends
packets as a steady stream, and every request has to pass through the same shared parts: the
hypervisor's device back end and the wire. The cell runs the simulator once per VM count
(here with the device emulated, the way the first hypervisors did it).
"""),
code("""
const jam = kl.ioLessonTrafficJam({ path: "emulated", vmCounts: [1, 2, 4, 8], seed: SEED });
kl.showTable(kl.lessonTable(jam), { caption: "VMs sharing one emulated network card (simulated)" });
"""),
code("""
kl.showChart(kl.lessonLogTicks(kl.lineChart(jam, {
  x: "vms", y: "p99LatencyUs", logY: true,
  title: "More VMs on one device: the slowest requests wait longer",
  xTitle: "VMs sharing the device", yTitle: "99th-percentile latency (µs, log scale)",
})));
"""),
code("""
const [one, most] = [jam[0]!, jam[jam.length - 1]!];
kl.showMarkdown(`**What to notice:** with ${one.vms} VM a request's 99th-percentile latency is
${kl.formatNumber(one.p99LatencyUs)} µs; with ${most.vms} VMs it is ${kl.formatNumber(most.p99LatencyUs)} µs,
and each VM gets ${kl.formatNumber(most.perVmThroughputGbps)} Gbit/s instead of
${kl.formatNumber(one.perVmThroughputGbps)}. The shared back end is the intersection: it is busy
${kl.formatNumber(most.backendBusyPercent)} % of the time,
so requests queue behind each other.`);
"""),
md("""
Queueing is the polite part of the jam. The rude part: a device does **DMA** — it reads and writes
memory by address, on its own. Suppose each VM programs a real device directly and nobody checks the
addresses. Below, two VMs each own a device; VM 0's driver is buggy (or malicious) and aims some of
its DMA writes at VM 1's memory while both VMs carry on with ordinary traffic.
"""),
code("""
const chaos = kl.ioLessonDirectAccessChaos({ seed: SEED, rogueWrites: 100 });
const unchecked = chaos.find((r) => r.iommu === "off")!;
kl.showMarkdown(`With nobody checking, **${unchecked.landedInOtherVm} of ${unchecked.rogueWrites}** rogue writes
landed in VM 1's memory, silently, while ${unchecked.requestsCompleted} ordinary requests completed as if
all was well.
That is the chaos of Virtuopolis: one bad driver corrupts a neighbour.`);
"""),
callout("pause", """
**Pause.** Picture the intersection: many cars, one lane, and each car trying to steer the traffic
lights itself. *What challenges do you think arise when VMs directly access physical hardware?*
Take a minute with your neighbour before reading on.
"""),
teacher("""
**Answers to expect (and to draw out).**
- *Conflicts:* two drivers programming the same device registers leave it in a state neither
  expected; a device has one set of queues and one interrupt line, not one per VM.
- *Security:* a device does DMA — it reads and writes physical memory by address. A VM that can
  program a device can make it write into another VM's memory, or the hypervisor's (section 2c shows this).
- *Fairness and management:* nothing stops one VM from hogging the device; admins must hand
  devices out by hand, and a VM tied to one card cannot move to another host.
- *Portability:* each VM would need a driver for the exact hardware of whatever host it lands on.

The table above shows the *queueing* part: even with a hypervisor in the middle, a shared back end
is a shared resource. Ask: "what would it look like with no one in the middle at all?" (chaos —
the point of the story).
"""),
md("""
## 2. The 'aha': a traffic controller in the middle
"""),
callout("story", """
**The 'aha'.** Ava's idea was a traffic controller that knows every car's route. The hypervisor
becomes that controller: it **abstracts** the physical devices. Every VM gets *virtual* devices —
standard, well-known, the same on every host, like giving every car the same navigation system —
and the hypervisor translates their requests into commands for the real hardware. No VM touches
the real roads; the controller routes every request, keeps the lanes apart and decides who goes next.

That is the "dumber" computer: the guest sees a plain standard device instead of the real one. The
"smarter" part lives in the hypervisor. But *how* does the controller intercept a request? There
are three answers, and they are three different trade-offs.
"""),
md("""
### 2a. Device emulation: every register access traps

The oldest answer pretends to be a real, well-known device, an Intel **e1000** network card or an
**IDE** disk controller, so an unmodified guest driver works. The device's registers do not exist, and
every access to them **traps** (a VM exit), in one of two ways:

- **memory-mapped registers (MMIO)**, like the e1000's: the hypervisor maps nothing at their
  guest-physical addresses (in KVM, an EPT entry that faults), so each load or store exits;
- **I/O ports (port I/O)**, like IDE's and the AMD Lance's: the driver uses `IN` and `OUT`
  instructions, which the CPU traps through the hypervisor's I/O bitmap (exit reason `IO_INSTRUCTION`).

Either way the hypervisor's *device model* (in KVM: QEMU, a user-space process) works out what the
real device would have done. The cell lists what each driver touches per packet and per interrupt,
and what one trap costs in the simulator's model.
"""),
code("""
kl.showTable(kl.ioLessonRegisterAccesses(),
  { caption: "Register accesses that trap, per request and per interrupt" });
kl.showMarkdown(kl.ioLessonExitCostNotice());
"""),
code("""
const emulatedExits = kl.ioLessonExitBreakdown({ seed: SEED });
kl.showChart(kl.barChart(emulatedExits, {
  x: "cause", y: "exitsPerRequest", color: "device",
  title: "Emulated devices: where the VM exits come from",
  xTitle: "exit cause", yTitle: "VM exits per request",
}));
"""),
code("""
kl.showMarkdown(kl.ioLessonEmulatedExitsNotice(emulatedExits));
"""),
md("""
This is not a new observation. VMware measured it in 2001 on an emulated AMD Lance card: each access
to the card's data port switched out to a user-level process at **7.45 µs** a time, and a VM could
only push **64 Mb/s** through a 100 Mb/s link, CPU-bound (figures C1, C2; every figure id in these
lessons is keyed, with its source, in `docs/virtualization-figures.md` in the kit).
"""),
md("""
### 2b. virtio: a standard device designed for virtual machines

If the guest is going to see a pretend device anyway, why pretend to be one built for silicon?
**virtio** (Russell, 2008, figure C9) is a device *designed to be virtual*: the guest driver knows it
runs in a VM (*paravirtualization*). Guest and host share **rings** in memory (a *virtqueue*): the
guest writes descriptors of many requests into the ring and then **kicks** the host once — one exit
for a whole batch. The host can even say "don't kick me, I'm already busy" (notification
suppression, `EVENT_IDX`), and it completes many requests per interrupt.

The ring's memory layout (C8) comes straight from the virtio specification:
"""),
code("""
kl.showTable(kl.ioLessonVirtqueueLayouts([16, 256, 1024]),
  { caption: "Split virtqueue: bytes per part for queue size Q (virtio 1.x)" });
"""),
md("""
Two tricks cut the exits. **Batching**: the driver posts up to *batch size* requests, then kicks once.
**Notification suppression**: while the host's back end is busy draining the ring it sets a flag
(`flags`) or publishes the ring index it will look at next (`event-idx`), and the driver skips the
kick altogether. The chart sweeps the batch size for a guest sending as fast as it can (a saturated
sender, so the host's back end is nearly always busy), once per suppression mode.
"""),
code("""
const batching = kl.ioLessonBatchingSweep({ batchSizes: [1, 4, 16, 64], seed: SEED });
kl.showChart(kl.lessonLogTicks(kl.lineChart(batching, {
  x: "batchSize", y: "exitsPerRequest", color: "suppression", logX: true,
  title: "virtio: batching and suppression cut the exits",
  xTitle: "most requests per kick (batch size, log scale)", yTitle: "VM exits per request",
})));
"""),
code("""
kl.showMarkdown(kl.ioLessonBatchingNotice(batching));
"""),
md("""
### 2c. Passthrough: hand the VM a real device — safely

The fastest controller is the one that steps out of the way. With **device passthrough** (in Linux,
VFIO) a VM's driver programs a real device directly: the device's data-path registers (its BARs) are
mapped into the guest, so sending and receiving need **no exits on the data path**. Not everything is
direct: the device's PCI configuration space and its MSI-X table are still trapped and emulated (by
VFIO and QEMU), and unless interrupts are posted every interrupt still exits. A modern card can split
itself into many small virtual cards with **SR-IOV** (single-root I/O virtualization), one *virtual
function* per VM, so one card serves many VMs this way.

But now the guest programs a device that does **DMA** with guest-physical addresses. What stops a
buggy or malicious guest from pointing its device at another VM's memory? The **IOMMU** (Intel VT-d,
AMD-Vi): an MMU for devices. Each assigned device gets an I/O page table that maps *only its own
VM's* memory; any other address faults. The cell makes VM 0's device try to write into VM 1's memory,
first with the IOMMU on, then off.
"""),
code("""
const dma = kl.ioLessonCrossVmDma();
kl.showTable(dma, { caption: "VM 0's device aims a DMA write at VM 1's memory" });
"""),
code("""
const on = dma.find((r) => r.iommu === "on")!, off = dma.find((r) => r.iommu === "off")!;
const guarded = chaos.find((r) => r.iommu === "on")!;
kl.showMarkdown(`**What to notice:** with the IOMMU on, the outcome of the write: **${on.outcome}**
(${on.detail}).
With it off: **${off.outcome}** (${off.detail}). Back in the run of section 1, turning the
IOMMU on blocked ${guarded.blocked} of ${guarded.rogueWrites} rogue writes and let
${guarded.landedInOtherVm} through.
Passthrough is only as safe as the IOMMU behind it, which is why Linux's VFIO normally refuses to
assign a device without one.`);
"""),
callout("pause", """
**Pause.** You have now seen three traffic controllers: one that checks every car at every
intersection (emulation), one that lets cars travel in convoys and checks the convoy (virtio), and
one that gives a car its own private lane with a barrier at the end (passthrough + IOMMU).
*How does this abstraction change the way resources are managed?*
"""),
teacher("""
**Answers to draw out.**
- Resources are managed **centrally**: the hypervisor (or the IOMMU it programs) decides who may use
  what, instead of each VM grabbing hardware. Fair sharing, quotas and accounting become possible
  (the back end schedules requests from all VMs).
- VMs become **hardware-independent**: an e1000 or a virtio-net card looks the same on every host,
  so VMs can be moved (live migration), snapshotted, cloned.
- Isolation is **enforced**, not hoped for: by trapping (emulation/virtio) or by the IOMMU (passthrough).
- The price moves: emulation pays per register access, virtio per batch, passthrough gives up most
  of the flexibility (a VM bound to a physical function is hard to migrate or overcommit).
"""),
md("""
## 3. Comparing the paths: throughput, latency and exits

Now the same workload on every path, in **two runs** that answer different questions: a
*saturated* run (the VM has a backlog and sends as fast as the path allows) for throughput, and a
*steady stream* (requests arriving at random, below every path's capacity) for latency, exits and
CPU cycles. The cell prints the parameters of both. *bare-metal* is the same machine without a
hypervisor. Interrupts reach the VM the classic way, each one exiting, except in
`passthrough + posted`, where they are delivered straight into the running guest (exit-less
interrupts: ELI, figure C3; direct interrupt delivery, C5; Intel posted interrupts).
"""),
code("""
const RUNS = { seed: SEED, requestBytes: 1500 };   // payload bytes per request: try 64 or 9000
kl.showMarkdown(kl.ioLessonRunsDescription(RUNS));
const paths = kl.ioLessonPathComparison(RUNS);
kl.showTable(kl.lessonTable(paths), { caption: kl.ioLessonRunsCaption(RUNS) });
"""),
code("""
kl.showChart(kl.barChart(paths, {
  x: "path", y: "throughputGbps",
  title: "Throughput of one VM on each I/O path (saturated run)",
  xTitle: "I/O path", yTitle: "throughput (Gbit/s)",
}));
"""),
code("""
const exitCauses = kl.ioLessonExitCauses(RUNS);
const exitFig = kl.barChart(exitCauses, {
  x: "path", y: "exitsPerRequest", color: "cause",
  title: "VM exits per request on each I/O path, by cause (steady stream)",
  xTitle: "I/O path", yTitle: "VM exits per request",
});
exitFig.layout.barmode = "stack";
kl.showChart(exitFig);
"""),
code("""
kl.showMarkdown(kl.ioLessonExitRunsNotice(exitCauses, RUNS));
"""),
code("""
kl.showChart(kl.barChart(paths, {
  x: "path", y: "meanLatencyUs",
  title: "Mean latency of one request on each I/O path (steady stream)",
  xTitle: "I/O path", yTitle: "mean latency (µs)",
}));
"""),
code("""
kl.showMarkdown(kl.ioLessonPathSummary(paths));
"""),
md("""
**Try it.** The playground runs the same simulation for one set of knobs; in the HTML handout the
sliders re-run it in your browser. Make the requests small (64 bytes): which path falls behind first?
Make them large (64 KiB): do the paths get closer, and why? Put eight VMs on the device and raise the load.
"""),
code("""
const knobs = { requestBytes: 1500, offeredLoadKrps: 100, vmCount: 1 };
kl.showPlayground("io-paths", knobs);
kl.showMarkdown(kl.ioLessonPlaygroundNotice(knobs));
"""),
md("""
Compare passthrough with posted interrupts and bare metal in the throughput chart: what is left between
them? One candidate is the IOMMU. It is an **MMU for devices**, and like the CPU's MMU it caches
translations in a TLB (the *IOTLB*). When a device's buffers span more pages than the IOTLB holds, DMAs
pay I/O page walks. The cell varies the IOTLB size; the same *TLB reach* problem returns in notebook 05.
"""),
code("""
const iotlb = kl.ioLessonIotlbReach({ seed: SEED, iotlbEntries: [16, 64, 256] });
kl.showTable(kl.lessonTable(iotlb),
  { caption: "Passthrough + posted interrupts, saturated run, by IOTLB size" });
kl.showMarkdown(kl.ioLessonIotlbNotice(iotlb));
"""),
md("""
**How this compares with the published measurements.** Researchers measured throughput in this order:
emulated < virtio < vhost < passthrough < passthrough with exit-less interrupts. Compare it with the
ranking printed under the charts above.
- Emulated devices were CPU-bound far below line rate (C2).
- Optimizing the software path pays: Xen's driver-domain work cut the receive-path cost of conventional
  NICs by 56 % and came close to direct I/O with multi-queue NICs (C6); vhost-net removes "up to four
  system calls per packet" from the virtio data path, as a copy of the linux-kvm.org vhost page puts it
  (C7, reported by a secondary source).
- With exit-less interrupts (ELI), device assignment improved 1.3–1.6× and reached **97–100 %** of bare
  metal (C3); an I/O-heavy guest sees over 150,000 interrupts per second even with coalescing (C3). A
  secondary note on that paper puts plain device assignment at about 60–65 % of bare metal.
- The same idea helps paravirtual I/O: direct interrupt delivery cut exits about 100× and interrupt
  latency by 80 % (C5); ELVIS is reported, by a secondary source, to have cut exits from about 142,000
  per second to under 800 (C4).

Is the story's *"slight latency"* right? The cell checks it against the steady stream:
"""),
code("""
kl.showMarkdown(kl.ioLessonSlightLatencyVerdict(paths));
"""),
md("""
The simulator's cost model is not made up: every constant names its source, or says that it is an
assumption. These are the ones the paths above charge most. The *checked* column says how far each cited
figure has been verified (`docs/virtualization-figures.md`): a figure *reported by a secondary source*
was seen only in a note quoting the paper, so treat the constants built on it as indicative.
"""),
code("""
const constants = ["vmExitCycles", "userSpaceSwitchCycles", "kernelExitHandlingCycles",
  "eoiExitCycles", "emulatedTransmitCycles", "userBackendSyscallsPerRequest"] as const;
kl.showTable(kl.ioLessonCostSources(constants), { caption: "Cost constants and their sources" });
"""),
callout("story", """
**The impact.** Ava's controller changed Virtuopolis:

- **Flexibility:** the same virtual devices work on any host, whatever hardware is underneath — VMs
  can be moved, cloned and restored.
- **Security and isolation:** no VM reaches another's lane; the controller (or the IOMMU) blocks it.
- **Simpler management:** administrators set policies instead of handing out hardware by hand.

The price is the extra hop through the controller. The story calls it a *slight* latency; you have
measured how slight it is on each path (section 3), and the answer depends on the path.
"""),
md("""
### The trade-off at a glance

What each path gives you, and what it costs (the simulated columns are computed in the cell, from the
steady stream).
"""),
code("""
kl.showTable(kl.ioLessonTradeoffTable(paths), { caption: "Flexibility and isolation versus latency" });
"""),
callout("analogy", """
**Analogy: the traffic controller.** The VMs are cars that cannot drive onto the roads themselves.
They radio the city's traffic control (the hypervisor), which knows every car's route and moves them
through the intersections (the physical devices). *Emulation* is a controller who stops every car at
every light and inspects it. *virtio* lets cars travel in convoys and waves a whole convoy through at
once. *Passthrough* gives a car its own lane, with a barrier at the end (the IOMMU) so it cannot turn
into anyone else's street. Traffic stays separate and safe in all three; what differs is how long
the trip takes.
"""),
teacher("""
**Using the analogy.** Ask students to map each part: cars = VMs, controller = hypervisor,
intersections = devices, convoy = a batch in a virtqueue, private lane = SR-IOV virtual function,
barrier = IOMMU. Then ask where the analogy breaks: a real controller does not make the car *slower
per meter driven*, but a trap does cost time on every register access; and a private lane means the
controller can no longer reroute the car (no easy live migration with passthrough).
"""),
md("""
## 4. Exercises

### 4a. Predict, then reveal (seeded)

The cell below makes a fresh problem from `SEED`: a path, a batch size and a number of requests.
**Predict** the number of VM exits per request (write it down!), then run the next cell.
Change `SEED` at the top for a new problem, as in OSTEP's homework simulators.
"""),
code("""
const problem = kl.ioExitsProblem(SEED);
kl.showMarkdown(problem.parameters + "\\n\\n" + problem.prompt);
kl.showTable(problem.questions);
"""),
code("""
kl.showTable(problem.answers, { caption: "Answers (from the simulator)" });
kl.showMarkdown(problem.stats);
"""),
teacher("""
**How to solve it by hand.** Exits per request = (exits per doorbell ÷ requests per doorbell)
\\+ (exits per interrupt ÷ requests per interrupt). Emulated: every register access in the list of
section 2a exits, once per request, plus the interrupt's register reads, the interrupt itself and the
EOI. virtio: one kick per batch plus the interrupt and EOI per batch of completions. Passthrough
with exiting interrupts: only interrupt + EOI. The reveal runs the same configuration through the
simulator, so the answer is what the model measures, not a formula typed in.
"""),
md("""
### 4b. Graded: should the driver kick? (`vring_need_event`)

With `EVENT_IDX`, the host writes into the ring the index of the request after which it wants to be
notified (`eventIdx`). The guest driver has just moved its *available index* from `oldIdx` to `newIdx`
(it added `newIdx − oldIdx` requests). It must kick — pay a VM exit — only if the host's `eventIdx`
lies among the entries just added, i.e. `oldIdx ≤ eventIdx < newIdx`.

The catch: the indices are **16-bit counters that wrap around** (after 65535 comes 0). Write
`needKick(eventIdx, newIdx, oldIdx)` that returns `true` when the driver must notify the host.
Hint: compare *distances* modulo 2¹⁶ rather than the raw numbers.
"""),
solution("""
function needKick(eventIdx: number, newIdx: number, oldIdx: number): boolean {
  // BEGIN SOLUTION
  // Distances counted forward from newIdx, modulo 2^16: the event index was passed
  // if it lies fewer steps behind newIdx than oldIdx does.
  return ((newIdx - eventIdx - 1) & 0xffff) < ((newIdx - oldIdx) & 0xffff);
  // END SOLUTION
}
""", grade_id="io_need_kick"),
tests("""
kl.showMarkdown(kl.checkNeedKick(needKick).message);
// BEGIN HIDDEN TESTS
const hidden04 = kl.checkNeedKick(needKick, 2027);
// END HIDDEN TESTS
""", grade_id="io_need_kick_tests", points=3),
teacher("""
**Reference answer** (Linux `vring_need_event` in `include/uapi/linux/virtio_ring.h`):
`return (u16)(new_idx - event_idx - 1) < (u16)(new_idx - old_idx);` — in TypeScript,
`((newIdx - eventIdx - 1) & 0xffff) < ((newIdx - oldIdx) & 0xffff)`. Common wrong answers the checker
catches: `oldIdx <= eventIdx && eventIdx < newIdx` (breaks at wrap-around), `<=` instead of `<`
(kicks one request too late or early), forgetting the mask (negative numbers).
"""),
md("""
## 5. Discussion
"""),
callout("debate", """
**Debate.** *"The benefits of enhanced system flexibility through I/O virtualization outweigh the
drawbacks of increased latency."*

Split the class. The *for* side argues from portability, migration, isolation and easier management;
the *against* side argues from the latency and CPU numbers of section 3. Both sides must use at least
one number from this notebook — and say **which I/O path** their number belongs to, because the answer
changes with the path.
"""),
teacher("""
**Running the debate (10 min).** 2 min preparation, 2 min per side, 4 min open floor. Good
arguments: *for* — virtio/vhost already come close for most workloads; passthrough with an IOMMU keeps
isolation; flexibility saves money (consolidation, migration, disaster recovery). *Against* — emulated
devices are many times slower; passthrough gives back speed but loses migration/overcommit; tail
latency matters more than averages for some customers (the what-if below). A strong closing position:
"it depends on the path and the workload" — which is what the trading firm scenario tests.
"""),
callout("what-if", """
**What if…** you are an IT consultant for a large financial institution. Its high-frequency trading
systems run on specialized hardware and need **ultra-low latency** and high throughput. Management
wants the flexibility of virtualization: lower costs and better disaster recovery.

*Would you recommend I/O virtualization in their data center?* Weigh flexibility against latency,
say how it would affect their critical operations, and name strategies that reduce the drawbacks.
Use the chart below: for a trader the **tail** (99th percentile) matters more than the average.
"""),
code("""
const tails = kl.ioLessonLatencyPercentiles({ seed: SEED, percentiles: [50, 99, 99.9] });
kl.showChart(kl.barChart(tails, {
  x: "path", y: "latencyUs", color: "percentile",
  title: "Latency percentiles per I/O path (steady stream, one VM)",
  xTitle: "I/O path", yTitle: "request latency (µs)",
}));
"""),
code("""
kl.showMarkdown(kl.ioLessonTailSummary(tails));
"""),
teacher("""
**A model answer.** Split the estate. Put the latency-critical trading engines on **bare metal** or
on **passthrough (SR-IOV) with posted/exit-less interrupts**, pinned vCPUs and polling drivers (ask
the class how close that path's tail comes to bare metal's in the chart). Virtualize everything around them (risk,
reporting, back office, development) with virtio/vhost for flexibility and disaster recovery.
Never an emulated NIC on the trading path. Mitigations to name: SR-IOV, posted interrupts (APICv/
AVIC), vhost or user-space polling (DPDK), CPU pinning and isolation, large pages, and measuring
p99/p99.9, not averages. The trade-off to state explicitly: passthrough VMs are harder to live-migrate,
so disaster recovery for the trading tier relies on standby capacity rather than migration.
"""),
callout("summary", """
**Summary.**
- VMs cannot share devices safely on their own: conflicting registers, DMA anywhere, no fairness.
- The hypervisor abstracts devices ("makes the computer dumber"): VMs see standard virtual devices and
  the hypervisor routes their I/O ("smarter").
- **Emulation** traps on every register access: most compatible, slowest. **virtio** shares rings and
  kicks once per batch; **vhost** keeps the back end in the kernel. **Passthrough** (VFIO, SR-IOV) hands
  over a real device; the **IOMMU** keeps its DMA inside its own VM.
- Section 3 ranked the paths: throughput from a saturated run, latency and exits from a steady
  stream. Exits per request depend on the run: when requests queue up, virtio's notification
  suppression and shared interrupts cut them; one request at a time, each pays its own kick and
  interrupt. Say which run a number comes from.
- Published measurements put passthrough with exit-less interrupts at 97–100 % of bare metal (C3);
  whether the story's "slight latency" holds depends on the path, as your measurements show.
"""),
md("""
← Previous: [03 — The MMU and MMU virtualization](03-mmu-virtualization.ipynb) ·
Next: [05 — Impact on system performance](05-performance.ipynb) →
"""),
], title="04 — I/O virtualization")
