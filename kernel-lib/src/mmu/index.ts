// Barrel of kernel-lib/mmu (filled in as the modules land).
export {};
