/**
 * Bare metal, the baseline: the OS drives its own device. Same driver work as passthrough
 * (stack, descriptors, a doorbell write, DMA without copies) but no hypervisor: no exits, no
 * IOMMU translation, interrupts straight to the OS.
 */
import { chargeGuestPost, chargeGuestReclaim, type IoPathModel } from "./path-model";

/** The bare-metal path. */
export const bareMetalPathModel: IoPathModel = {
  path: "bare-metal",
  backendName: null,
  usesVirtqueue: false,
  usesIommu: false,
  inFlightLimit: (config) => config.ringSize,
  batchLimit: (config) => config.batchSize,
  post: chargeGuestPost,
  doorbell: (meter, _n, config) => meter.guest(config.costs.doorbellWriteCycles),
  backend() {
    // No back end.
  },
  interruptEntry: (meter, config) => meter.guest(config.costs.guestInterruptHandlerCycles),
  reclaim: chargeGuestReclaim,
  interruptExit() {
    // The EOI is a write to the real local APIC, part of the handler's cost.
  },
};
