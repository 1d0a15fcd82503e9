// Barrel of kernel-lib/io: I/O virtualization as a discrete-event simulation. See DESIGN.md.
export * from "./event-queue";
export * from "./simulation";
export * from "./server";
export * from "./config";
// vringNeedEvent stays inside the I/O model: it is lesson 04's graded answer (needKick), so the
// public API does not hand it to a student's solution cell.
export { VIRTQUEUE_MAX_SIZE, VIRTQUEUE_SUPPRESSION_MODES, Virtqueue, requireVirtqueueSize, virtqueueLayout } from "./virtqueue";
export type { VirtqueueLayout, VirtqueueStats, VirtqueueSuppression } from "./virtqueue";
export * from "./iommu";
export * from "./meter";
export * from "./path-model";
export * from "./emulated";
export * from "./virtio";
export * from "./passthrough";
export * from "./bare-metal";
export * from "./metrics";
export * from "./run";
export * from "./sweep";
export * from "./path-properties";
export * from "./eli";
