/**
 * Lesson 02, memory virtualization (notebooks/02-memory-virtualization.ipynb): Alex in
 * Computropolis, the chaos without isolation, shadow page tables and the cost of keeping them in
 * sync, and the exercise on shadow entries (`shadowEntry`).
 * Tests: kernel-lib/test/course/02-memory-virtualization/.
 */
export { chaosDemo, type MemoryDemoRow } from "../shared/two-vm-demo";
export * from "./demos";
export * from "./sync-overhead";
export * from "./shadow-entry";
