// Barrel of kernel-lib/memory: layouts and PTE formats, physical memory, frames, page tables.
export * from "./layout";
export * from "./physical-memory";
export * from "./frame-allocator";
export * from "./walk-step";
export * from "./page-table";
// solveOstepTranslation stays in its module: it answers lesson 06's graded exercise (walk).
export { parseOstepMemoryDump } from "./ostep";
export type { OstepAnswer, OstepMemoryImage } from "./ostep";
