// Barrel of kernel-lib/experiments (filled in as the modules land).
export {};
