/**
 * Live migration: moving a running VM to another host.
 *
 *   link.ts         the network between the hosts (bandwidth, round trip)
 *   source-vm.ts    the migrating guest on a real Machine, writing its writable working set
 *   destination.ts  the destination's copy of its memory, compared page by page with the source
 *   pre-copy.ts     Clark et al. (NSDI 2005): rounds driven by dirty logging, then stop-and-copy
 *   post-copy.ts    Hines & Gopalan (VEE 2009): resume first, remote page faults and active push
 *
 * Figures compared with the papers: docs/virtualization-figures.md, section M.
 */
export * from "./link";
export * from "./source-vm";
export * from "./destination";
export * from "./pre-copy";
export * from "./post-copy";
