// Barrel of kernel-lib/lessons: lesson-support helpers, one file per notebook.
export * from "./introduction"; // 01
export * from "./memory-virtualization"; // 02
export * from "./mmu-virtualization"; // 03
export * from "./io-virtualization"; // 04
export * from "./performance"; // 05
export * from "./tables"; // readable headers for 04–06
export * from "./activity-and-conclusion"; // 06
export * from "./charts"; // chart touches for 04–06
