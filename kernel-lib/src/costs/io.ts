/**
 * The I/O cost model: every constant the I/O simulation charges, named, documented and cited.
 *
 * Each constant's source is in IO_COST_TABLE, said one way (costs/source.ts): rows of
 * docs/virtualization-figures.md (B = VM exits, C = I/O virtualization), or, where no published
 * figure exists, an assumption with its reason and the lesson text that depends on it. Cycle figures come from different CPUs and years; the model cares
 * about their relative sizes (user-space exit > kernel exit > nothing), which the figures agree
 * on, not about any one absolute value. Override any constant per run with `costs: {...}`.
 */
import { ConfigError, requireNumber } from "../core/errors";
import { costSourceText, type CitedValue } from "./source";

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
  /** Large IOMMU page the guest's memory is mapped with when aligned (bytes; 4096 maps everything with 4 KiB pages). */
  readonly iommuPageBytes: number;
  /** Most requests a host back end takes from one VM's queue before serving the next VM (a poll budget). */
  readonly backendBudgetRequests: number;
  /** Physical link bandwidth in Gbit/s. */
  readonly linkGbps: number;
  /** Bytes on the wire per request beyond its payload (preamble, inter-frame gap, FCS). */
  readonly wireOverheadBytes: number;
  /** Interrupt moderation of a NIC-like device (ITR): least time between two of its interrupts, ns. */
  readonly deviceInterruptIntervalNs: number;
  /** Fixed device latency per request: descriptor fetch and data DMA over PCIe. */
  readonly deviceLatencyNs: number;
}

/** Lesson 04's sections, named once for the `usedBy` of each assumption. */
const L04_PATHS = "04 §3 'Comparing the paths' (throughput, latency and cycles per request of every path)";
const L04_EXITS = "04 §2a/§3 exit-cost breakdowns and the share of cycles spent in exits";
const L04_PASSTHROUGH = "04 §2c passthrough vs bare metal, and the IOTLB-reach table";
const L04_SOFTWARE = "04 §2b virtio vs vhost (where the back end runs) and §3's ordering of the software paths";

/**
 * Every I/O cost constant with its default and its source (costs/source.ts): a row of
 * docs/virtualization-figures.md, or an assumption with its reason and the lesson text that
 * depends on it. `defaultIoCosts` and `ioCostSources` are read from this table.
 */
export const IO_COST_TABLE: Readonly<Record<keyof IoCosts, CitedValue>> = Object.freeze({
  cpuClockGhz: {
    value: 3,
    source: { assumption: "a typical server clock; B7's Nehalem ran at 2.93 GHz.", usedBy: L04_PATHS },
  },
  vmExitCycles: {
    value: 2000,
    source: { figure: ["B7"], how: "[B7] direct cost of a VM exit plus entry, about 2,000 cycles (Xeon X5570, KVM)." },
  },
  kernelExitHandlingCycles: {
    value: 565,
    source: {
      figure: ["B11", "B7"],
      how: "[B11] minus [B7]: an I/O exit handled in the host kernel costs 2,565 cycles in total, 2,000 of them the world switch.",
    },
  },
  userSpaceSwitchCycles: {
    value: 4167,
    source: { figure: ["B11"], how: "[B11] 6,732 (exit handled in user space) minus 2,565 (handled in the kernel) = 4,167 cycles." },
  },
  eoiExitCycles: {
    value: 1556,
    source: { figure: ["B10"], how: "[B10] x86 KVM virtual IRQ completion, 1,556 cycles (the trapping EOI)." },
  },
  interruptInjectionCycles: {
    value: 1100,
    source: {
      figure: ["B11", "B7"],
      how: "[B11] minus [B7]: a virtual IPI costs 3,102 cycles; without the 2,000-cycle exit about 1,100 remain for injection.",
    },
  },
  hostInterruptHandlerCycles: {
    value: 1000,
    source: { assumption: "a short host IRQ handler that only forwards the interrupt to the VM (~0.3 µs).", usedBy: L04_PASSTHROUGH },
  },
  guestStackCyclesPerRequest: {
    value: 2000,
    source: { assumption: "~0.7 µs of protocol stack and driver per packet or block, the same on every path.", usedBy: L04_PATHS },
  },
  guestDescriptorCycles: {
    value: 100,
    source: { assumption: "writing a 16-byte descriptor and a ring index, a few cache lines.", usedBy: L04_PATHS },
  },
  guestInterruptHandlerCycles: {
    value: 1500,
    source: { assumption: "interrupt entry, NAPI scheduling and exit, ~0.5 µs.", usedBy: L04_PASSTHROUGH },
  },
  guestCompletionCyclesPerRequest: {
    value: 300,
    source: { assumption: "freeing a buffer and waking its sender, ~0.1 µs.", usedBy: L04_PATHS },
  },
  doorbellWriteCycles: {
    value: 200,
    source: { assumption: "an uncached posted MMIO write to a PCIe device, a few hundred cycles.", usedBy: L04_PASSTHROUGH },
  },
  deviceModelRegisterCycles: {
    value: 1000,
    source: { figure: ["C2"], how: "[C2] derived: an IN/OUT handled inside the VMM took 1.36 µs at 733 MHz, about 1,000 cycles." },
  },
  emulatedTransmitCycles: {
    value: 3812,
    source: { figure: ["C2"], how: "[C2] derived: emulating the Lance transmit path took 5.2 µs at 733 MHz = 3,812 cycles." },
  },
  virtqueueProcessCycles: {
    value: 300,
    source: { assumption: "read an available-ring entry and a descriptor, write a used-ring entry: a few cache lines.", usedBy: L04_SOFTWARE },
  },
  userBackendWakeCycles: {
    value: 4167,
    source: { figure: ["B11"], how: "[B11] derived: taken equal to the user-space switch (a context switch to QEMU and back)." },
  },
  kernelBackendWakeCycles: {
    value: 1500,
    source: { assumption: "waking a kernel thread costs less than reaching user space (the [B11] ordering), ~0.5 µs.", usedBy: L04_SOFTWARE },
  },
  syscallCycles: {
    value: 1000,
    source: { assumption: "one system call with today's mitigations, ~0.3 µs.", usedBy: L04_SOFTWARE },
  },
  userBackendSyscallsPerRequest: {
    value: 4,
    source: { figure: ["C7"], how: "[C7] vhost-net removes 'up to four system calls per packet' from the QEMU back end." },
  },
  hostStackCyclesPerRequest: {
    value: 5000,
    source: {
      assumption: "a second trip through a network stack in the host (tap, bridge, NIC driver), ~1.7 µs; [C2] measured 13.8 µs for VMNet on a 2001 host.",
      usedBy: L04_PATHS,
    },
  },
  copyCyclesPerByte: {
    value: 0.25,
    source: { assumption: "memcpy at ~12 GB/s on a 3 GHz core.", usedBy: L04_SOFTWARE },
  },
  backendBudgetRequests: {
    value: 64,
    source: {
      figure: ["C13"],
      how: "[C13] Linux's default NAPI poll weight: a back end takes at most 64 requests from one VM before serving the next.",
    },
  },
  iotlbHitNs: {
    value: 2,
    source: { assumption: "an IOTLB hit adds almost nothing to a DMA.", usedBy: L04_PASSTHROUGH },
  },
  iommuWalkNs: {
    value: 100,
    source: {
      assumption: "with the IOMMU's paging-structure caches a miss usually needs about one memory read (~100 ns); an uncached 4-level walk would take ~4×.",
      usedBy: L04_PASSTHROUGH,
    },
  },
  iotlbEntries: {
    value: 64,
    source: { assumption: "a small IOTLB per device context; vendors do not publish its size.", usedBy: L04_PASSTHROUGH },
  },
  iommuPageBytes: {
    value: 2 * 1024 * 1024,
    source: {
      figure: ["C14"],
      how: "[C14] VFIO maps guest memory with IOMMU huge pages unless disable_hugepages is set; 2 MiB, the huge page backing an assigned VM's memory.",
    },
  },
  linkGbps: {
    value: 10,
    source: { figure: ["C6"], how: "[C6] the driver-domain study measured 10 GbE NICs; 10 Gbit/s is still a common server link." },
  },
  wireOverheadBytes: {
    value: 24,
    source: { figure: ["C12"], how: "[C12] IEEE 802.3: 8 bytes preamble and start delimiter + 12 bytes inter-packet gap + 4 bytes FCS." },
  },
  deviceInterruptIntervalNs: {
    value: 1e9 / 150_000,
    source: {
      figure: ["C3"],
      how: "[C3] derived: an I/O-intensive guest's core sees over 150K interrupts/s even with coalescing; the NIC's moderation allows one per 1/150,000 s ≈ 6.7 µs.",
    },
  },
  deviceLatencyNs: {
    value: 1000,
    source: { assumption: "PCIe round trips for descriptor fetch and data DMA, ~1 µs.", usedBy: L04_PATHS },
  },
});

function tableColumn<T>(pick: (entry: CitedValue) => T): Readonly<Record<keyof IoCosts, T>> {
  const out: Record<string, T> = {};
  for (const [name, entry] of Object.entries(IO_COST_TABLE)) out[name] = pick(entry);
  return Object.freeze(out) as Record<keyof IoCosts, T>;
}

/** The default costs. Frozen: pass overrides as `costs: { vmExitCycles: 1000 }` to a run. */
export const defaultIoCosts: IoCosts = tableColumn((entry) => entry.value);

/**
 * Where each default comes from, one line per constant, for a notebook table
 * ("constant, value, source"): "[B7] …" names rows of virtualization-figures.md, "Assumption: …"
 * marks a value of the model's own (its `usedBy` is in IO_COST_TABLE).
 */
export const ioCostSources: Readonly<Record<keyof IoCosts, string>> = tableColumn((entry) => costSourceText(entry.source));

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
    const positive = name === "cpuClockGhz" || name === "linkGbps" || name === "iotlbEntries" || name === "backendBudgetRequests";
    if (positive && !(typeof value === "number" && Number.isFinite(value) && value > 0)) {
      throw new ConfigError(`costs.${name}`, value, "a finite number above 0");
    }
    requireNumber(`costs.${name}`, value, 0);
    costs[name] = value;
  }
  for (const name of ["iotlbEntries", "backendBudgetRequests"] as const) {
    if (!Number.isInteger(costs[name])) throw new ConfigError(`costs.${name}`, costs[name], "a whole number, at least 1");
  }
  requireIommuPageBytes(costs.iommuPageBytes!);
  return costs as unknown as IoCosts;
}

/** Checks a large IOMMU page size: a power of two from the 4 KiB base page to 1 GiB. */
export function requireIommuPageBytes(pageBytes: number, field = "costs.iommuPageBytes"): number {
  if (!(Number.isInteger(pageBytes) && pageBytes >= 4096 && pageBytes <= 2 ** 30 && (pageBytes & (pageBytes - 1)) === 0)) {
    throw new ConfigError(field, pageBytes, "a power of two from 4096 to 1073741824 (4 KiB, 2 MiB, 1 GiB)");
  }
  return pageBytes;
}
