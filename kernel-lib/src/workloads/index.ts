// Barrel of kernel-lib/workloads: traces, seeded generators, trace readers (browser-safe).
// The Node file reader is in ./trace-file (not re-exported: it imports node:fs).
export * from "./trace";
export * from "./generators";
export * from "./trace-readers";
export * from "./trace-parse";
export * from "./trace-stream";
export * from "./page-set";
export * from "./boot-image";
