// Barrel of kernel-lib/io (filled in as the modules land).
export {};
