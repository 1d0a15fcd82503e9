/**
 * What a run of the I/O simulation is given: the path, the request stream, the device and
 * the costs. Every field has a default; every value is checked, and a bad one gets a
 * ConfigError naming the field and what is allowed.
 */
import { ConfigError, requireInt, requireNumber, requireOneOf } from "../core/errors";
import { resolveIoCosts, type IoCosts } from "../costs/io";
import { requireVirtqueueSize, VIRTQUEUE_MAX_SIZE, VIRTQUEUE_SUPPRESSION_MODES, type VirtqueueSuppression } from "./virtqueue";

/**
 * How a VM's requests reach the device:
 *   "emulated"     a device model (e1000/IDE/Lance-like) in the hypervisor: every register access traps
 *   "virtio"       paravirtual virtio with the back end in user space (QEMU)
 *   "vhost"        virtio with the back end in the host kernel (vhost)
 *   "passthrough"  an assigned device (SR-IOV virtual function) doing DMA through the IOMMU
 *   "bare-metal"   no hypervisor: the baseline
 */
export type IoPath = "emulated" | "virtio" | "vhost" | "passthrough" | "bare-metal";

/** All paths, slowest first (the throughput order of section C of docs/virtualization-figures.md). */
export const IO_PATHS: readonly IoPath[] = ["emulated", "virtio", "vhost", "passthrough", "bare-metal"];

/** Emulated device models: which registers the guest driver touches, see emulated.ts. */
export type IoEmulatedDevice = "e1000" | "ide" | "lance";

/** All emulated device models. */
export const IO_EMULATED_DEVICES: readonly IoEmulatedDevice[] = ["e1000", "ide", "lance"];

/**
 * How interrupts reach a VM:
 *   "exiting"  the physical interrupt exits to the hypervisor, which injects a virtual one; the
 *              guest's EOI traps too (plain device assignment, no APIC virtualization)
 *   "posted"   delivered straight into the running guest and EOI virtualized: no exits
 *              (ELI C3, direct interrupt delivery C5, posted interrupts / APICv)
 */
export type IoInterruptDelivery = "exiting" | "posted";

/** All interrupt delivery modes. */
export const IO_INTERRUPT_DELIVERIES: readonly IoInterruptDelivery[] = ["exiting", "posted"];

/** How requests arrive: a Poisson stream at `offeredLoadRps`, or all at once (a saturating sender). */
export type IoArrivals = "poisson" | "backlog";

/** Options of one run. Only `path` is required. */
export interface IoRunConfig {
  /** The I/O path to simulate. */
  readonly path: IoPath;
  /** Seed of every random draw (arrival times). Default 1. */
  readonly seed?: number;
  /** Requests each VM sends. Default 2000. */
  readonly requestsPerVm?: number;
  /** Payload bytes per request (a packet or a block). Default 1500. */
  readonly requestBytes?: number;
  /** Poisson arrival rate per VM, requests per second. Default 100000. Ignored for "backlog". */
  readonly offeredLoadRps?: number;
  /** "poisson" (default) or "backlog" (all requests queued at time 0, to measure capacity). */
  readonly arrivals?: IoArrivals;
  /** VMs sharing the one physical device. Default 1. */
  readonly vmCount?: number;
  /** Most requests a driver posts per doorbell/kick (virtio batching; also e1000's TDT write). Default 32. */
  readonly batchSize?: number;
  /** Ring (queue) size Q per VM: a power of two from 1 to 32768. Default 256. */
  readonly ringSize?: number;
  /** Virtio descriptors per request (1 with ANY_LAYOUT or indirect descriptors, 2–3 for header/data/status chains). Default 1. */
  readonly descriptorsPerRequest?: number;
  /** Virtio kick/interrupt suppression: "none", "flags" or "event-idx" (default). */
  readonly notificationSuppression?: VirtqueueSuppression;
  /** Which device the emulated path models: "e1000" (default, MMIO), "ide" (port I/O, queue depth 1), "lance" (C1). */
  readonly emulatedDevice?: IoEmulatedDevice;
  /** Where the emulated device model runs: "user" (QEMU, default) or "kernel" (in-kernel device model). */
  readonly deviceModelIn?: "user" | "kernel";
  /** Interrupt delivery for the virtualized paths: "exiting" (default) or "posted" (exit-less, ELI). */
  readonly interrupts?: IoInterruptDelivery;
  /** Passthrough: is the IOMMU on? Default true. Off shows what an unchecked device can do. */
  readonly iommu?: boolean;
  /** Passthrough: DMA writes VM 0's device aims at VM 1's memory during the run (needs vmCount ≥ 2). Default 0. */
  readonly crossVmDmaAttempts?: number;
  /** Stop the clock here (ns); requests not finished by then stay queued. Default: run until all complete. */
  readonly maxTimeNs?: number;
  /** Keep a per-request log (arrival, completion, state) in the result. Default false. */
  readonly traceRequests?: boolean;
  /** Cost overrides, e.g. `{ vmExitCycles: 1000 }`. */
  readonly costs?: Partial<IoCosts>;
}

/** A run configuration with every default filled in and every value checked. */
export interface IoResolvedConfig {
  /** The I/O path. */
  readonly path: IoPath;
  /** Seed of the arrival draws. */
  readonly seed: number;
  /** Requests each VM sends. */
  readonly requestsPerVm: number;
  /** Payload bytes per request. */
  readonly requestBytes: number;
  /** Poisson arrival rate per VM, requests/s (unused with "backlog"). */
  readonly offeredLoadRps: number;
  /** "poisson" or "backlog". */
  readonly arrivals: IoArrivals;
  /** VMs sharing the device. */
  readonly vmCount: number;
  /** Most requests posted per doorbell. */
  readonly batchSize: number;
  /** Ring size Q per VM. */
  readonly ringSize: number;
  /** Virtio descriptors per request. */
  readonly descriptorsPerRequest: number;
  /** Virtio kick/interrupt suppression. */
  readonly notificationSuppression: VirtqueueSuppression;
  /** Device the emulated path models. */
  readonly emulatedDevice: IoEmulatedDevice;
  /** Where the emulated device model runs. */
  readonly deviceModelIn: "user" | "kernel";
  /** Interrupt delivery for virtualized paths. */
  readonly interrupts: IoInterruptDelivery;
  /** Passthrough: IOMMU on. */
  readonly iommu: boolean;
  /** Passthrough: rogue cross-VM DMA writes attempted. */
  readonly crossVmDmaAttempts: number;
  /** Time limit in ns, or null for none. */
  readonly maxTimeNs: number | null;
  /** Keep a per-request log. */
  readonly traceRequests: boolean;
  /** Costs with overrides applied. */
  readonly costs: IoCosts;
}

const KNOWN_FIELDS = new Set([
  "path", "seed", "requestsPerVm", "requestBytes", "offeredLoadRps", "arrivals", "vmCount", "batchSize", "ringSize",
  "descriptorsPerRequest", "notificationSuppression", "emulatedDevice", "deviceModelIn", "interrupts", "iommu",
  "crossVmDmaAttempts", "maxTimeNs", "traceRequests", "costs",
]);

/** Fills in defaults and checks every field; throws ConfigError naming the first bad one. */
export function resolveIoConfig(config: IoRunConfig): IoResolvedConfig {
  if (config === null || typeof config !== "object") throw new ConfigError("config", config, "an object with at least a path");
  for (const key of Object.keys(config)) {
    if (!KNOWN_FIELDS.has(key)) throw new ConfigError(key, (config as unknown as Record<string, unknown>)[key], `a known option: ${[...KNOWN_FIELDS].join(", ")}`);
  }
  const path = requireOneOf("path", config.path, IO_PATHS);
  const ringSize = requireVirtqueueSize("ringSize", config.ringSize ?? 256);
  const descriptorsPerRequest = requireInt("descriptorsPerRequest", config.descriptorsPerRequest ?? 1, 1, ringSize);
  const vmCount = requireInt("vmCount", config.vmCount ?? 1, 1, 64);
  const crossVmDmaAttempts = requireInt("crossVmDmaAttempts", config.crossVmDmaAttempts ?? 0, 0, 1_000_000);
  if (crossVmDmaAttempts > 0 && (path !== "passthrough" || vmCount < 2)) {
    throw new ConfigError("crossVmDmaAttempts", crossVmDmaAttempts, "0 unless path is \"passthrough\" with vmCount of at least 2");
  }
  const maxTimeNs = config.maxTimeNs === undefined ? null : requireNumber("maxTimeNs", config.maxTimeNs, 0);
  const iommu = config.iommu ?? true;
  if (typeof iommu !== "boolean") throw new ConfigError("iommu", iommu, "true or false");
  const traceRequests = config.traceRequests ?? false;
  if (typeof traceRequests !== "boolean") throw new ConfigError("traceRequests", traceRequests, "true or false");
  return {
    path,
    seed: requireInt("seed", config.seed ?? 1, 0, 0xffffffff),
    requestsPerVm: requireInt("requestsPerVm", config.requestsPerVm ?? 2000, 1, 10_000_000),
    requestBytes: requireInt("requestBytes", config.requestBytes ?? 1500, 1, 1 << 24),
    offeredLoadRps: requirePositive("offeredLoadRps", config.offeredLoadRps ?? 100_000, "a positive finite number of requests per second per VM"),
    arrivals: requireOneOf("arrivals", config.arrivals ?? "poisson", ["poisson", "backlog"] as const),
    vmCount,
    batchSize: requireInt("batchSize", config.batchSize ?? 32, 1, VIRTQUEUE_MAX_SIZE),
    ringSize,
    descriptorsPerRequest,
    notificationSuppression: requireOneOf("notificationSuppression", config.notificationSuppression ?? "event-idx", VIRTQUEUE_SUPPRESSION_MODES),
    emulatedDevice: requireOneOf("emulatedDevice", config.emulatedDevice ?? "e1000", IO_EMULATED_DEVICES),
    deviceModelIn: requireOneOf("deviceModelIn", config.deviceModelIn ?? "user", ["user", "kernel"] as const),
    interrupts: requireOneOf("interrupts", config.interrupts ?? "exiting", IO_INTERRUPT_DELIVERIES),
    iommu,
    crossVmDmaAttempts,
    maxTimeNs,
    traceRequests,
    costs: resolveIoCosts(config.costs),
  };
}

/** Throws a ConfigError unless `value` is a finite number above 0. */
function requirePositive(field: string, value: unknown, allowed: string): number {
  if (typeof value !== "number" || !Number.isFinite(value) || value <= 0) throw new ConfigError(field, value, allowed);
  return value;
}
