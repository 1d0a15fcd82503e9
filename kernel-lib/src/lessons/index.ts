// Barrel of kernel-lib/lessons: lesson-support helpers, one file per notebook.
export * from "./introduction"; // 01
export * from "./memory-virtualization"; // 02
export * from "./mmu-virtualization"; // 03
