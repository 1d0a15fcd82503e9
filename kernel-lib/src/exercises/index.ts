// Barrel of kernel-lib/exercises (filled in as the modules land).
export {};
