// Barrel of the cost model: memory/MMU constants in memory.ts, I/O constants in io.ts.
export * from "./io";
export * from "./memory";
