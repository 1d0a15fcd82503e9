/**
 * The contract every I/O path fills in: which mechanism costs what, and on which CPU.
 *
 * The simulation (run.ts) moves requests; a path model only says what each step costs and
 * which exits it causes. Steps that run on the guest's vCPU: post, doorbell, interruptEntry,
 * reclaim, interruptExit. The step that runs on the host's shared back-end thread: backend.
 */
import type { IoResolvedConfig, IoPath } from "./config";
import type { IoCostMeter } from "./meter";

/** One path's mechanisms, as cost functions charged to a meter. */
export interface IoPathModel {
  /** Which path this models. */
  readonly path: IoPath;
  /** The host thread every VM's requests pass through, or null when the device is reached directly. */
  readonly backendName: string | null;
  /** True when requests travel through a virtqueue with kick/interrupt suppression. */
  readonly usesVirtqueue: boolean;
  /** True when the device's DMA goes through the IOMMU. */
  readonly usesIommu: boolean;
  /** Requests one VM can have outstanding at once (its ring, or the device's queue depth). */
  inFlightLimit(config: IoResolvedConfig): number;
  /** Most requests the driver posts before ringing the doorbell once. */
  batchLimit(config: IoResolvedConfig): number;
  /** vCPU: the guest prepares and posts `n` requests (stack, descriptors). */
  post(meter: IoCostMeter, n: number, config: IoResolvedConfig): void;
  /** vCPU: the doorbell for `n` requests just posted, with any exits and synchronous device-model work. */
  doorbell(meter: IoCostMeter, n: number, config: IoResolvedConfig): void;
  /** Back-end thread: takes `n` requests to the device; `woke` when it had been asleep. */
  backend(meter: IoCostMeter, n: number, woke: boolean, config: IoResolvedConfig): void;
  /** vCPU: taking one interrupt (delivery, injection, handler entry, device register reads). */
  interruptEntry(meter: IoCostMeter, config: IoResolvedConfig): void;
  /** vCPU: reclaiming `n` completed requests. */
  reclaim(meter: IoCostMeter, n: number, config: IoResolvedConfig): void;
  /** vCPU: finishing the interrupt (EOI, re-enabling the device's interrupt). */
  interruptExit(meter: IoCostMeter, config: IoResolvedConfig): void;
}

/** Guest work common to every path for `n` requests: protocol stack plus one descriptor each. */
export function chargeGuestPost(meter: IoCostMeter, n: number, config: IoResolvedConfig): void {
  const c = config.costs;
  meter.guest(n * (c.guestStackCyclesPerRequest + c.guestDescriptorCycles));
}

/** Guest work common to every path to reclaim `n` completions. */
export function chargeGuestReclaim(meter: IoCostMeter, n: number, config: IoResolvedConfig): void {
  meter.guest(n * config.costs.guestCompletionCyclesPerRequest);
}

/**
 * Delivering a virtual interrupt. "exiting": the vCPU must be kicked out of guest mode (an
 * "interrupt" exit) so the hypervisor can inject; "posted": the interrupt is posted into the
 * running guest, no exit (C3 ELI, C5 DID). `hostHandler` adds the host's handler of a
 * physical interrupt (passthrough: the device's MSI lands on the host first).
 */
export function chargeVirtualInterruptDelivery(meter: IoCostMeter, config: IoResolvedConfig, hostHandler: boolean): void {
  const c = config.costs;
  if (config.interrupts === "exiting") {
    meter.exit("interrupt", c.vmExitCycles, c.interruptInjectionCycles + (hostHandler ? c.hostInterruptHandlerCycles : 0));
  }
  meter.guest(c.guestInterruptHandlerCycles);
}

/** The guest's EOI: traps ("eoi" exit, B10) unless the APIC is virtualized (posted mode). */
export function chargeVirtualEoi(meter: IoCostMeter, config: IoResolvedConfig): void {
  if (config.interrupts === "exiting") meter.exit("eoi", config.costs.eoiExitCycles, 0);
}
