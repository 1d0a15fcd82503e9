/**
 * Lesson 04, I/O virtualization (notebooks/04-io-virtualization.ipynb): Ava in Virtuopolis,
 * emulation, virtio and vhost, passthrough with an IOMMU, the paths compared, the trading-firm
 * what-if, and the exercises (exits per request; `needKick`, virtio's `vring_need_event`).
 * Tests: kernel-lib/test/course/04-io-virtualization/.
 */
export { directAccessChaos, pathComparison, IO_VARIANTS, IO_STEADY_RPS, IO_REQUESTS, IO_REQUEST_BYTES, type DmaChaosRow, type IoVariant, type PathRow, type RunOptions } from "../shared/io-runs";
export { lessonTable as table, LESSON_COLUMN_LABELS as COLUMN_LABELS } from "../shared/tables";
export * from "./traffic-jam";
export * from "./emulation";
export * from "./virtio";
export * from "./passthrough";
export * from "./comparison";
export * from "./cost-sources";
export * from "./tail-latency";
export * from "./exits-problem";
