/**
 * kernel-lib: the simulation library behind the Computropolis lessons.
 *
 * The map of the library, one folder per concept:
 *   core/        errors that name the field and what is allowed; seeded random numbers
 *   memory/      address layouts, PTE formats, physical memory of frames, page tables in memory
 *   mmu/         TLB, page walker (native 1D and nested 2D), the MMU
 *   hypervisor/  host, VMs, guest processes, shadow and nested paging, VM exits
 *   io/          device emulation, virtio, passthrough with an IOMMU (discrete-event simulation)
 *   workloads/   seeded access-pattern generators and trace readers
 *   costs/       the cycle-cost model, every constant cited
 *   experiments/ runs that return tidy rows for charts
 *   exercises/   seeded problems with answers, and checkers with feedback
 *   charts/      Plotly figure builders from tidy rows
 *   display/     showing charts, tables and prose in a tslab notebook (Node only)
 */
export * from "./core/errors";
export * from "./core/random";
export * from "./memory";
export * from "./mmu";
export * from "./hypervisor";
export * from "./io";
export * from "./workloads";
export * from "./costs";
export * from "./experiments";
export * from "./exercises";
export * from "./lessons";
export * from "./charts/figure";
export * from "./charts/builders";
export * from "./display/bundle";
export * from "./display/show";
export * from "./display/playground";
// One playground computation is useful on its own: the reads of one TLB miss, from real walks.
export { pageWalkReads, type PageWalkReads } from "./playgrounds";
