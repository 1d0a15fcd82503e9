// Barrel of kernel-lib/overcommit: a host with less memory than its VMs' total, and the four
// ways it takes memory back (balloon, page sharing, host swap, idle-memory tax).
export * from "./costs";
export * from "./idle-tax";
export * from "./host-swap";
export * from "./page-sharing";
export * from "./balloon";
export * from "./guest-memory";
export * from "./overcommit-host";
