// Barrel of kernel-lib/io: I/O virtualization as a discrete-event simulation. See DESIGN.md.
export * from "./event-queue";
export * from "./simulation";
export * from "./server";
export * from "./config";
export * from "./virtqueue";
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
