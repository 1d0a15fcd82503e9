// Barrel of kernel-lib/hypervisor: VM exits, the guest kernel, VMs, shadow paging, the machine.
export * from "./vm-exit";
export * from "./os-kernel";
export * from "./virtual-machine";
export * from "./shadow";
export * from "./machine";
export * from "./dirty-log";
export * from "./shadow-sync";
