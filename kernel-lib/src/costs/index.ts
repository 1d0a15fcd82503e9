// Barrel of the cost model: memory/MMU constants in memory.ts, I/O constants in io.ts, and how
// every constant says where it comes from in source.ts.
export * from "./io";
export * from "./memory";
export * from "./source";
export * from "./memory-sources";
