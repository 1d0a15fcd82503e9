/**
 * The I/O cost model: every constant the I/O simulation charges, named, documented and cited.
 *
 * Citations refer to docs/virtualization-figures.md (B = VM exits,
 * C = I/O virtualization). Where no published figure exists the constant says "Assumption" and
 * why the value is plausible. Cycle figures come from different CPUs and years; the model cares
 * about their relative sizes (user-space exit > kernel exit > nothing), which the figures agree
 * on, not about any one absolute value. Override any constant per run with `costs: {...}`.
 */
import { ConfigError, requireNumber } from "../core/errors";

/** Cycle and time costs of the I/O paths. Cycles are CPU cycles at `cpuClockGhz`. */
export interface IoCosts {
  /** CPU clock in GHz, to turn cycles into time (3 GHz: cycles / 3 = ns). */
  readonly cpuClockGhz: number;
  /** Hardware world switch of one VM exit plus the VM entry back (B7: about 2,000 cycles). */
  readonly vmExitCycles: number;
  /** Extra hypervisor work when an I/O exit is handled inside the host kernel (KVM). */
  readonly kernelExitHandlingCycles: number;
  /** Extra cost when an exit is bounced out to a user-space device process (QEMU) and back. */
  readonly userSpaceSwitchCycles: number;
  /** Whole cost of the guest's EOI write trapping to complete a virtual interrupt. */
  readonly eoiExitCycles: number;
  /** Hypervisor work to inject a virtual interrupt into a vCPU (beyond the exit itself). */
  readonly interruptInjectionCycles: number;
  /** Host interrupt handler for a physical interrupt that belongs to a guest. */
  readonly hostInterruptHandlerCycles: number;
  /** Guest (or bare-metal OS) protocol stack and driver work to send one request. */
  readonly guestStackCyclesPerRequest: number;
  /** Guest driver work to fill one descriptor and publish it in a ring. */
  readonly guestDescriptorCycles: number;
  /** Guest interrupt handler entry and exit (once per interrupt, not per request). */
  readonly guestInterruptHandlerCycles: number;
  /** Guest work to reclaim one completed request (free the buffer, wake the sender). */
  readonly guestCompletionCyclesPerRequest: number;
  /** An uncached MMIO write to a real device's doorbell register (no exit). */
  readonly doorbellWriteCycles: number;
  /** Device-model work to emulate one register access (decode, update device state). */
  readonly deviceModelRegisterCycles: number;
  /** Device-model work to emulate an e1000/Lance-like transmit of one request (descriptor fetch, checks). */
  readonly emulatedTransmitCycles: number;
  /** Back-end work to take one request from a virtqueue and return it to the used ring. */
  readonly virtqueueProcessCycles: number;
  /** Waking an idle user-space back-end thread (QEMU) after a notification. */
  readonly userBackendWakeCycles: number;
  /** Waking an idle in-kernel back-end thread (vhost worker) after a notification. */
  readonly kernelBackendWakeCycles: number;
  /** One host system call (a user-space back end pays several per request). */
  readonly syscallCycles: number;
  /** System calls per request a user-space virtio back end makes that vhost does not. */
  readonly userBackendSyscallsPerRequest: number;
  /** Host network path for one request of a software path (tap, bridge, physical NIC driver). */
  readonly hostStackCyclesPerRequest: number;
  /** CPU cost of copying one byte between guest and host buffers. */
  readonly copyCyclesPerByte: number;
  /** IOMMU translation when the IOTLB hits, per DMA. */
  readonly iotlbHitNs: number;
  /** IOMMU page-table walk when the IOTLB misses. */
  readonly iommuWalkNs: number;
  /** IOTLB entries (direct-mapped by page number). */
  readonly iotlbEntries: number;
  /** Physical link bandwidth in Gbit/s. */
  readonly linkGbps: number;
  /** Bytes on the wire per request beyond its payload (preamble, inter-frame gap, FCS). */
  readonly wireOverheadBytes: number;
  /** Fixed device latency per request: descriptor fetch and data DMA over PCIe. */
  readonly deviceLatencyNs: number;
}

/** The default costs. Frozen: pass overrides as `costs: { vmExitCycles: 1000 }` to a run. */
export const defaultIoCosts: IoCosts = Object.freeze({
  cpuClockGhz: 3,
  vmExitCycles: 2000,
  kernelExitHandlingCycles: 565,
  userSpaceSwitchCycles: 4167,
  eoiExitCycles: 1556,
  interruptInjectionCycles: 1100,
  hostInterruptHandlerCycles: 1000,
  guestStackCyclesPerRequest: 2000,
  guestDescriptorCycles: 100,
  guestInterruptHandlerCycles: 1500,
  guestCompletionCyclesPerRequest: 300,
  doorbellWriteCycles: 200,
  deviceModelRegisterCycles: 1000,
  emulatedTransmitCycles: 3812,
  virtqueueProcessCycles: 300,
  userBackendWakeCycles: 4167,
  kernelBackendWakeCycles: 1500,
  syscallCycles: 1000,
  userBackendSyscallsPerRequest: 4,
  hostStackCyclesPerRequest: 5000,
  copyCyclesPerByte: 0.25,
  iotlbHitNs: 2,
  iommuWalkNs: 100,
  iotlbEntries: 64,
  linkGbps: 10,
  wireOverheadBytes: 24,
  deviceLatencyNs: 1000,
});

/**
 * Where each default comes from, one line per constant, for a notebook table
 * ("constant, value, source"). [B7] etc. are rows of virtualization-figures.md.
 */
export const ioCostSources: Readonly<Record<keyof IoCosts, string>> = Object.freeze({
  cpuClockGhz: "Assumption: a typical server clock; B7's Nehalem ran at 2.93 GHz.",
  vmExitCycles: "[B7] direct cost of a VM exit plus entry, about 2,000 cycles (Xeon X5570, KVM).",
  kernelExitHandlingCycles:
    "[B11] minus [B7]: an I/O exit handled in the host kernel costs 2,565 cycles in total, 2,000 of them the world switch.",
  userSpaceSwitchCycles: "[B11] 6,732 (exit handled in user space) minus 2,565 (handled in the kernel) = 4,167 cycles.",
  eoiExitCycles: "[B10] x86 KVM virtual IRQ completion, 1,556 cycles (the trapping EOI).",
  interruptInjectionCycles:
    "[B11] minus [B7]: a virtual IPI costs 3,102 cycles; without the 2,000-cycle exit about 1,100 remain for injection.",
  hostInterruptHandlerCycles: "Assumption: a short host IRQ handler that only forwards the interrupt (~0.3 µs).",
  guestStackCyclesPerRequest: "Assumption: ~0.7 µs of protocol stack and driver per packet or block, the same on every path.",
  guestDescriptorCycles: "Assumption: writing a 16-byte descriptor and a ring index, a few cache lines.",
  guestInterruptHandlerCycles: "Assumption: interrupt entry, NAPI scheduling and exit, ~0.5 µs.",
  guestCompletionCyclesPerRequest: "Assumption: freeing a buffer and waking its sender, ~0.1 µs.",
  doorbellWriteCycles: "Assumption: an uncached posted MMIO write to a PCIe device, a few hundred cycles.",
  deviceModelRegisterCycles:
    "[C2] derived: an IN/OUT handled inside the VMM took 1.36 µs at 733 MHz, about 1,000 cycles.",
  emulatedTransmitCycles: "[C2] derived: emulating the Lance transmit path took 5.2 µs at 733 MHz = 3,812 cycles.",
  virtqueueProcessCycles: "Assumption: read an available-ring entry and a descriptor, write a used-ring entry.",
  userBackendWakeCycles: "[B11] derived: taken equal to the user-space switch (a context switch to QEMU and back).",
  kernelBackendWakeCycles: "Assumption: waking a kernel thread costs less than reaching user space ([B11] ordering).",
  syscallCycles: "Assumption: one system call with today's mitigations, ~0.3 µs.",
  userBackendSyscallsPerRequest: "[C7] vhost-net removes 'up to four system calls per packet' from the QEMU back end.",
  hostStackCyclesPerRequest:
    "Assumption: a second trip through a network stack in the host (tap, bridge, NIC driver), ~1.7 µs; [C2] measured 13.8 µs for VMNet on a 2001 host.",
  copyCyclesPerByte: "Assumption: memcpy at ~12 GB/s on a 3 GHz core.",
  iotlbHitNs: "Assumption: an IOTLB hit adds almost nothing.",
  iommuWalkNs:
    "Assumption: with the IOMMU's paging-structure caches a miss usually needs about one memory read (~100 ns); an uncached 4-level walk would take ~4×.",
  iotlbEntries: "Assumption: a small IOTLB per device context.",
  linkGbps: "[C6] the driver-domain study measured 10 GbE NICs; 10 Gbit/s is still a common server link.",
  wireOverheadBytes: "IEEE 802.3: 8 bytes preamble + 12 bytes inter-frame gap + 4 bytes FCS.",
  deviceLatencyNs: "Assumption: PCIe round trips for descriptor fetch and data DMA, ~1 µs.",
});

/**
 * The defaults with `overrides` applied, checked: every value a finite number, at least 0
 * (clock, bandwidth and IOTLB size above 0). Unknown names are errors, so a typo does not
 * silently leave the default in place.
 */
export function resolveIoCosts(overrides: Partial<IoCosts> = {}): IoCosts {
  const costs: Record<string, number> = { ...defaultIoCosts };
  for (const [name, value] of Object.entries(overrides)) {
    if (value === undefined) continue;
    if (!(name in defaultIoCosts)) {
      throw new ConfigError(`costs.${name}`, value, `one of the IoCosts names: ${Object.keys(defaultIoCosts).join(", ")}`);
    }
    const positive = name === "cpuClockGhz" || name === "linkGbps" || name === "iotlbEntries";
    if (positive && !(typeof value === "number" && Number.isFinite(value) && value > 0)) {
      throw new ConfigError(`costs.${name}`, value, "a finite number above 0");
    }
    requireNumber(`costs.${name}`, value, 0);
    costs[name] = value;
  }
  if (!Number.isInteger(costs.iotlbEntries)) {
    throw new ConfigError("costs.iotlbEntries", costs.iotlbEntries, "a whole number of entries, at least 1");
  }
  return costs as unknown as IoCosts;
}
