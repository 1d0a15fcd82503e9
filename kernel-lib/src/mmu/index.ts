// Barrel of kernel-lib/mmu: the TLB, the page walker (1D and 2D) and the MMU that ties them.
export * from "./tlb";
export * from "./walk-steps";
export * from "./walker";
export * from "./mmu";
export * from "./page-fault";
