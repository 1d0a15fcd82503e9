/**
 * The physical device process: it fetches a request's descriptor and data over PCIe (a fixed
 * latency), then moves the request onto the link. On passthrough every DMA address is
 * translated by the IOMMU first; the DMA engine waits for each IOTLB miss (an I/O page walk),
 * so misses cost throughput as well as latency. When the request is on the wire the device completes
 * it: into the used ring (virtio, whose suppression decides whether to interrupt) or into its
 * completion list, interrupting unless the handler has it masked or its interrupt moderation
 * holds the interrupt back (completion.ts).
 */
import { deviceInterrupt, raiseInterrupt } from "./completion";
import { ioAssignedDeviceDma } from "./iommu";
import type { IoRunState, IoVmState } from "./run-state";
import { IO_PRIORITY_NORMAL } from "./server";

/** Starts the DMA of one posted request of `vm`. */
export function startDeviceDma(s: IoRunState, vm: IoVmState, id: number): void {
  s.sim.schedule(s.cfg.costs.deviceLatencyNs, () => {
    s.link.submit(
      IO_PRIORITY_NORMAL,
      () => s.wireNs + translationNs(s, vm, id),
      () => deviceCompleted(s, vm, id),
    );
  });
}

/**
 * How long the IOMMU stalls the DMA of the request's buffer (0 without an IOMMU): each IOTLB
 * miss is a walk the DMA engine waits for; hits overlap with the transfer. Buffers are reused
 * by ring slot.
 */
function translationNs(s: IoRunState, vm: IoVmState, id: number): number {
  if (s.iommu === null) return 0;
  const slot = id % s.inFlightLimit;
  const dma = ioAssignedDeviceDma(
    s.iommu,
    s.memoryLayout,
    `vf${vm.index}`,
    vm.index,
    slot * s.bufferStrideBytes,
    s.cfg.requestBytes,
    "read",
    s.sim.nowNs,
  );
  return dma.walks * s.cfg.costs.iommuWalkNs;
}

function deviceCompleted(s: IoRunState, vm: IoVmState, id: number): void {
  if (vm.ring !== null) {
    if (vm.ring.pushUsedAndCheckInterrupt(id)) raiseInterrupt(s, vm);
  } else {
    vm.completedAtDevice.push(id);
    deviceInterrupt(s, vm);
  }
}
