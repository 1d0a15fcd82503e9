// Barrel of kernel-lib/memory (filled in as the modules land).
export {};
