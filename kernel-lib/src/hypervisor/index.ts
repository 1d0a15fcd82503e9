// Barrel of kernel-lib/hypervisor.
export * from "./vm-exit";
