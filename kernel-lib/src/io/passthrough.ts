/**
 * Passthrough: the VM owns a real device — a whole PCI device or an SR-IOV virtual function.
 * Its registers are mapped straight into the guest, so the doorbell is a plain MMIO write (no
 * exit), and the device moves data by DMA into guest memory itself (no CPU copy). What keeps a
 * guest-programmed device from writing anywhere is the IOMMU (iommu.ts), which translates and
 * checks every DMA; its translation time is charged to the device, per request, in run.ts.
 *
 * What is left of the hypervisor is interrupts. "exiting": the device's MSI lands on the host,
 * which exits the guest, handles it and injects a virtual interrupt, and the guest's EOI traps
 * (plain device assignment; reported at about 60–65% of bare metal on interrupt-heavy
 * benchmarks, C3 [V2]). "posted": the interrupt is delivered straight into the guest and EOI
 * is virtualized (ELI C3, DID C5: 97–100% of bare metal). At the paper's kind of workload (a
 * CPU-bound guest at C3's 150K interrupts/s, eli.ts) the cited costs give 69.5% and 100%;
 * where the link is the limit (full-size frames) both reach bare metal.
 */
import {
  chargeGuestPost,
  chargeGuestReclaim,
  chargeVirtualEoi,
  chargeVirtualInterruptDelivery,
  type IoPathModel,
} from "./path-model";

/** The passthrough (device assignment / SR-IOV VF) path. */
export const passthroughPathModel: IoPathModel = {
  path: "passthrough",
  backendName: null,
  usesVirtqueue: false,
  usesIommu: true,
  inFlightLimit: (config) => config.ringSize,
  batchLimit: (config) => config.batchSize,
  post: chargeGuestPost,
  doorbell: (meter, _n, config) => meter.guest(config.costs.doorbellWriteCycles),
  backend() {
    // No software back end: the device reads guest memory itself.
  },
  interruptEntry: (meter, config) => chargeVirtualInterruptDelivery(meter, config, true),
  reclaim: chargeGuestReclaim,
  interruptExit: chargeVirtualEoi,
};
