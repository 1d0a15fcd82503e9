// Barrel of kernel-lib/experiments: runs that return tidy rows for tables and charts.
export * from "./memory-experiments";
