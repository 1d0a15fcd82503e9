/**
 * kernel-lib: the simulation library behind the Computropolis lessons. This module is the
 * simulator's public API; the lessons' runs, notices and exercise checkers are in course/,
 * reached as `import { lesson03 } from "kernel-lib/course"`.
 *
 * The map of the library, one folder per concept:
 *   core/        errors that name the field and what is allowed; seeded random numbers; number
 *                formatting; where two sampled curves cross (crossing.ts)
 *   memory/      address layouts, PTE formats, physical memory of frames, page tables in memory
 *   mmu/         TLB, page walker (native 1D and nested 2D, permissions and A/D bits), page-fault
 *                error codes, the MMU
 *   hypervisor/  host, VMs, guest processes (copy-on-write fork), shadow paging (two models:
 *                "trap-all" and "kvm") and nested paging, dirty logging (write protection, PML), VM exits
 *   overcommit/  a host with less memory than its VMs: balloon driver, guest page cache and swap,
 *                content-based page sharing, host swapping (double paging), idle-memory tax
 *   io/          device emulation, virtio, passthrough with an IOMMU: a discrete-event simulation,
 *                one process per actor (guest driver, back end, device, completion)
 *   migration/   live migration: pre-copy rounds driven by dirty logging, post-copy with remote faults
 *   workloads/   seeded access-pattern generators; raw64 and lackey traces, streamed in chunks
 *   costs/       the cycle-cost model, every constant cited
 *   experiments/ the one place that builds machines, warms up, measures and caches results (frozen)
 *   charts/      Plotly figure builders from tidy rows; bar labels, log ticks, walk figures, labels,
 *                the colour-blind-safe palette
 *   display/     showing charts, tables and prose in a tslab notebook (Node only)
 *   playgrounds/ charts with sliders, re-run in the notebook and in the HTML handouts
 *   course/      the lessons (not exported here): kernel-lib/course, one namespace per lesson
 */
export * from "./core/errors";
export * from "./core/random";
export * from "./memory";
export * from "./mmu";
export * from "./hypervisor";
export * from "./overcommit";
export * from "./io";
export * from "./migration";
export * from "./workloads";
export * from "./costs";
export * from "./experiments";
export * from "./charts/figure";
export * from "./charts/builders";
export * from "./charts/palette";
export * from "./charts/bar-labels";
export * from "./charts/log-ticks";
export * from "./charts/ratio-figure";
export * from "./charts/walk-figures";
export * from "./charts/labels";
export * from "./display/bundle";
export * from "./display/show";
export * from "./display/playground";
