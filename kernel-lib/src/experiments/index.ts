// Barrel of kernel-lib/experiments: the one place that builds machines, warms up, measures and
// caches results (frozen). Lessons, playgrounds and exercises measure through it.
export * from "./machines";
export * from "./measure";
export * from "./result-cache";
export * from "./io-runs";
export * from "./walk-reads";
export * from "./memory-experiments";
export * from "./overcommit-runs";
