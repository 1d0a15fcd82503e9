/**
 * Lesson 05, impact on system performance (notebooks/05-performance.ipynb): shadow vs nested
 * across workloads, the churn crossover, TLB reach and large pages, I/O cycles, the summary, and
 * the exercises (predict the winner; the `crossover` formula).
 * Tests: kernel-lib/test/course/05-performance/.
 */
export { workloads, workloadComparison, churnTrace, churnSweep, crossover, type WorkloadRow, type ChurnRow } from "../shared/memory-runs";
export { pathComparison, type PathRow } from "../shared/io-runs";
export { pageWalkNotice } from "../shared/page-walk-notice";
export { lessonTable as table, LESSON_COLUMN_LABELS as COLUMN_LABELS } from "../shared/tables";
export * from "./cost-model";
export * from "./workloads";
export * from "./crossover";
export * from "./large-pages";
export * from "./summary";
export * from "./overhead-model";
export * from "./shadow-presets";
