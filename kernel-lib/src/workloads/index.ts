// Barrel of kernel-lib/workloads (filled in as the modules land).
export {};
