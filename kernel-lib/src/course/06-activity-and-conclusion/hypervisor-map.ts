/**
 * Notebook 06, part B: the guided map from the lesson's concepts to kernel-lib's files and to
 * real hypervisor code (Linux/KVM and QEMU source folders).
 */

/** One row of the guided map from the lesson's concepts to real hypervisor code. */
export interface HypervisorMapRow {
  /** The concept, as the lessons name it. */
  concept: string;
  /** Where kernel-lib models it (a path under kernel-lib/src). */
  simulator: string;
  /** Where Linux/KVM implements it (paths in the Linux source tree). */
  linuxKvm: string;
  /** Where QEMU implements it (paths in the QEMU source tree), or "—". */
  qemu: string;
  /** What to look for there (names of functions or structures, to search for). */
  lookFor: string;
}

/**
 * The guided map of part B: concept → kernel-lib file → Linux/KVM and QEMU source folders.
 * Folder and file names are those of the upstream trees (Linux 6.x, QEMU 8–9); function names
 * are hints to search for, since they move between releases.
 */
export const HYPERVISOR_SOURCE_MAP: readonly HypervisorMapRow[] = Object.freeze([
  {
    concept: "VM exits and their handlers",
    simulator: "hypervisor/vm-exit.ts",
    linuxKvm: "arch/x86/kvm/vmx/vmx.c (Intel), arch/x86/kvm/svm/svm.c (AMD), arch/x86/kvm/x86.c",
    qemu: "accel/kvm/kvm-all.c",
    lookFor: "the exit-handler tables (kvm_vmx_exit_handlers, svm_exit_handlers); in QEMU kvm_cpu_exec and its KVM_EXIT_IO / KVM_EXIT_MMIO cases",
  },
  {
    concept: "shadow paging",
    simulator: "hypervisor/shadow.ts",
    linuxKvm: "arch/x86/kvm/mmu/mmu.c, arch/x86/kvm/mmu/paging_tmpl.h, arch/x86/kvm/mmu/page_track.c",
    qemu: "—",
    lookFor: "FNAME(walk_addr_generic) and FNAME(page_fault) in paging_tmpl.h (the guest walk and the hidden fault); kvm_mmu_track_write in mmu.c (a write to a write-protected guest page table)",
  },
  {
    concept: "nested paging (EPT/NPT, 'TDP')",
    simulator: "mmu/walker.ts (2D walk), hypervisor/machine.ts (mode nested)",
    linuxKvm: "arch/x86/kvm/mmu/tdp_mmu.c, arch/x86/kvm/mmu/tdp_iter.c, arch/x86/kvm/mmu/spte.c",
    qemu: "—",
    lookFor: "kvm_tdp_mmu_map (filling the EPT/NPT on a violation); handle_ept_violation in vmx.c, npf_interception in svm.c",
  },
  {
    concept: "TLB tags per VM (VPID/ASID)",
    simulator: "mmu/tlb.ts",
    linuxKvm: "arch/x86/kvm/vmx/vmx.c, arch/x86/kvm/svm/svm.c",
    qemu: "—",
    lookFor: "vpid allocation (allocate_vpid) and ASID handling; the INVVPID/INVEPT flushes",
  },
  {
    concept: "device emulation (e1000, IDE, Lance/PCnet)",
    simulator: "io/emulated.ts",
    linuxKvm: "— (the exit reaches QEMU in user space)",
    qemu: "hw/net/e1000.c, hw/net/pcnet.c, hw/ide/core.c",
    lookFor: "the register read/write tables of e1000.c (macreg_readops / macreg_writeops), set_ics, the TDT write that starts a transmit",
  },
  {
    concept: "virtio rings and notification suppression",
    simulator: "io/virtqueue.ts, io/virtio.ts",
    linuxKvm: "drivers/virtio/virtio_ring.c (guest driver side), include/uapi/linux/virtio_ring.h",
    qemu: "hw/virtio/virtio.c, hw/net/virtio-net.c",
    lookFor: "vring_need_event (your needKick of notebook 04); virtqueue_pop and virtio_notify in QEMU",
  },
  {
    concept: "vhost: virtio back end in the host kernel",
    simulator: "io/virtio.ts (path vhost)",
    linuxKvm: "drivers/vhost/net.c, drivers/vhost/vhost.c, virt/kvm/eventfd.c",
    qemu: "hw/net/vhost_net.c",
    lookFor: "handle_tx / handle_rx in net.c; ioeventfd and irqfd in eventfd.c (kicks and interrupts without QEMU)",
  },
  {
    concept: "passthrough (VFIO, SR-IOV)",
    simulator: "io/passthrough.ts",
    linuxKvm: "drivers/vfio/pci/vfio_pci_core.c, drivers/vfio/vfio_iommu_type1.c",
    qemu: "hw/vfio/pci.c",
    lookFor: "how a device's BARs are mapped into the guest and how DMA mappings are pinned and handed to the IOMMU",
  },
  {
    concept: "IOMMU (VT-d, AMD-Vi)",
    simulator: "io/iommu.ts",
    linuxKvm: "drivers/iommu/intel/, drivers/iommu/amd/, drivers/iommu/iommu.c",
    qemu: "hw/i386/intel_iommu.c (an emulated IOMMU for guests)",
    lookFor: "domain attach and map/unmap operations; the fault reporting of a blocked DMA",
  },
  {
    concept: "posted / exit-less interrupts",
    simulator: "io/path-model.ts (interrupts: \"posted\")",
    linuxKvm: "arch/x86/kvm/vmx/posted_intr.c, arch/x86/kvm/svm/avic.c, arch/x86/kvm/lapic.c",
    qemu: "—",
    lookFor: "the posted-interrupt descriptor; APICv / AVIC enabling",
  },
]);

/** The map as table rows with readable headers. */
export function hypervisorMap(): Record<string, string>[] {
  return HYPERVISOR_SOURCE_MAP.map((r) => ({
    concept: r.concept,
    "kernel-lib (src/)": r.simulator,
    "Linux / KVM": r.linuxKvm,
    QEMU: r.qemu,
    "look for": r.lookFor,
  }));
}

/** The map as markdown: one block per concept (reads better than a five-column table). */
export function hypervisorMapMarkdown(): string {
  const code = (list: string) => list.split(/,\s*/).map((p) => (p.startsWith("—") ? p : `\`${p.replace(/ \(.*\)$/, "")}\`${/ \(.*\)$/.test(p) ? p.match(/ \(.*\)$/)![0] : ""}`)).join(", ");
  return HYPERVISOR_SOURCE_MAP.map(
    (r) =>
      `**${r.concept}**  \n` +
      `kernel-lib: ${code(r.simulator)} · Linux/KVM: ${code(r.linuxKvm)} · QEMU: ${code(r.qemu)}  \n` +
      `*Look for:* ${r.lookFor}`,
  ).join("\n\n");
}
