// Barrel of kernel-lib/exercises (filled in as the modules land).
// Lessons 01–03: address translation, TLB, nested walks, the hypervisor's maps.
export * from "./lesson-check";
export * from "./translation";
export * from "./tlb";
export * from "./walk";
export * from "./memory-lesson";
// Lessons 04–06: I/O paths, performance trade-offs, the key activity.
export * from "./io";
export * from "./performance";
export * from "./activity";
