/**
 * Lesson 01, introduction (notebooks/01-introduction.ipynb): the cloud-provider hook, a first
 * hypervisor with two VMs, and the exercise on the hypervisor's map (`hostAddressOf`).
 * Tests: kernel-lib/test/course/01-introduction/.
 */
export * from "./hook";
export * from "./address-chain";
export * from "./host-address";
