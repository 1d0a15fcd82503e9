/**
 * What each path buys and what it gives up, beyond speed: the lesson's "flexibility and
 * isolation versus latency" trade-off as data a notebook can put in a table next to the
 * simulated numbers. Qualitative facts of the mechanisms, not measurements.
 */
import type { IoPath } from "./config";

/** The non-performance properties of one I/O path. */
export interface IoPathProperties {
  /** The path. */
  readonly path: IoPath;
  /** What driver the guest needs. */
  readonly guestDriver: string;
  /** Who stands between the VM and the hardware on each request. */
  readonly mediatedBy: string;
  /** What keeps one VM from touching another's memory through the device. */
  readonly isolationBy: string;
  /** Can several VMs share one physical device? */
  readonly deviceSharing: string;
  /** Can the VM be live-migrated to another host without special support? */
  readonly liveMigration: boolean;
  /** Does the VM depend on the host having this exact hardware? */
  readonly tiedToHardware: boolean;
}

/** Properties of every path, slowest first. */
export const IO_PATH_PROPERTIES: Readonly<Record<IoPath, IoPathProperties>> = {
  emulated: {
    path: "emulated",
    guestDriver: "any OS's stock driver for a well-known device (e1000, IDE)",
    mediatedBy: "the hypervisor's device model, on every register access",
    isolationBy: "the hypervisor: the device is software, guests never touch hardware",
    deviceSharing: "yes, any number of VMs through the host's software switch",
    liveMigration: true,
    tiedToHardware: false,
  },
  virtio: {
    path: "virtio",
    guestDriver: "a paravirtual virtio driver (the guest knows it is virtualized)",
    mediatedBy: "a user-space back end (QEMU), once per batch",
    isolationBy: "the hypervisor: the back end copies from guest rings it validates",
    deviceSharing: "yes, through the host's software switch",
    liveMigration: true,
    tiedToHardware: false,
  },
  vhost: {
    path: "vhost",
    guestDriver: "a paravirtual virtio driver",
    mediatedBy: "an in-kernel back end (vhost), once per batch",
    isolationBy: "the hypervisor: the back end copies from guest rings it validates",
    deviceSharing: "yes, through the host's software switch",
    liveMigration: true,
    tiedToHardware: false,
  },
  passthrough: {
    path: "passthrough",
    guestDriver: "the real device's (or SR-IOV virtual function's) vendor driver",
    mediatedBy: "nobody on the data path; the hypervisor only sees interrupts (none if posted)",
    isolationBy: "the IOMMU, which checks every DMA address against the VM's domain",
    deviceSharing: "only by SR-IOV virtual functions, a fixed number per device",
    liveMigration: false,
    tiedToHardware: true,
  },
  "bare-metal": {
    path: "bare-metal",
    guestDriver: "the real device's driver",
    mediatedBy: "nobody",
    isolationBy: "none between tenants: one OS owns the machine",
    deviceSharing: "no VMs to share with",
    liveMigration: false,
    tiedToHardware: true,
  },
};
