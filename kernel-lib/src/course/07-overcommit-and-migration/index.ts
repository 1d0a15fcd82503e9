/**
 * Lesson 07, overcommit and live migration (notebooks/07-overcommit-and-migration.ipynb), an
 * optional extension after 05/06.
 * Overcommit (overcommit.ts): balloon vs host swap under pressure, page sharing, the overcommit
 * table with its cited figures, double paging.
 * Migration: one pre-copy round by round, downtime against write rate, pre-copy against
 * post-copy, the papers beside the model, and the graded exercise (`shouldStopPreCopy`).
 * Tests: kernel-lib/test/course/07-overcommit-and-migration/.
 */
export { lessonTable as table, LESSON_COLUMN_LABELS as COLUMN_LABELS } from "../shared/tables";
// Memory overcommit
export * from "./overcommit";
// Live migration
export * from "./migration";
export * from "./paper";
export * from "./stop-rule";
export * from "./rounds-problem";
