/**
 * The paravirtual path: virtio. The guest knows it is virtualized and talks to the hypervisor
 * through split virtqueues in its own memory (virtqueue.ts) instead of pretending to program
 * hardware registers. A request costs no exit by itself: the driver writes a descriptor and
 * an available-ring entry, and only the notification ("kick", a write to the notify register)
 * exits — once per batch, and not at all while the back end is already polling the ring
 * (flags / EVENT_IDX suppression, C8, C9). Completions come back through the used ring, with
 * interrupts suppressed the same way while the guest polls.
 *
 * Two back ends:
 *   "virtio"  in host user space (QEMU): waking it is a switch to user space (B11), and it
 *             pays up to four system calls per packet to reach the host network (C7).
 *   "vhost"   in the host kernel (vhost-net, C7): a kernel thread, no system calls.
 * In both, the kick is handled in the host kernel (ioeventfd) and the back end copies the
 * payload and pushes it through the host network stack.
 */
import type { IoResolvedConfig } from "./config";
import type { IoCostMeter } from "./meter";
import {
  chargeGuestPost,
  chargeGuestReclaim,
  chargeVirtualEoi,
  chargeVirtualInterruptDelivery,
  type IoPathModel,
} from "./path-model";

function virtioModel(inKernel: boolean): IoPathModel {
  return {
    path: inKernel ? "vhost" : "virtio",
    backendName: inKernel ? "vhost worker (host kernel)" : "QEMU I/O thread (host user space)",
    usesVirtqueue: true,
    usesIommu: false,
    inFlightLimit: (config) => Math.floor(config.ringSize / config.descriptorsPerRequest),
    batchLimit: (config) => config.batchSize,
    post: chargeGuestPost,
    doorbell(meter: IoCostMeter, _n: number, config: IoResolvedConfig) {
      // One kick for the whole batch: a trapping write to the notify register, completed in
      // the host kernel by signalling the back end's eventfd.
      meter.exit("virtio-notify", config.costs.vmExitCycles, config.costs.kernelExitHandlingCycles);
    },
    backend(meter: IoCostMeter, n: number, woke: boolean, config: IoResolvedConfig) {
      const c = config.costs;
      if (woke) meter.deviceModel(inKernel ? c.kernelBackendWakeCycles : c.userBackendWakeCycles);
      meter.copy(n * config.requestBytes * c.copyCyclesPerByte);
      const syscalls = inKernel ? 0 : c.userBackendSyscallsPerRequest * c.syscallCycles;
      meter.deviceModel(n * (c.virtqueueProcessCycles + syscalls + c.hostStackCyclesPerRequest));
    },
    interruptEntry: (meter, config) => chargeVirtualInterruptDelivery(meter, config, false),
    reclaim: chargeGuestReclaim,
    interruptExit: chargeVirtualEoi,
  };
}

/** virtio with the back end in host user space (QEMU). */
export const virtioPathModel: IoPathModel = virtioModel(false);

/** virtio with the back end in the host kernel (vhost). */
export const vhostPathModel: IoPathModel = virtioModel(true);
