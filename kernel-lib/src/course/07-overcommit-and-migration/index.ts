/**
 * Lesson 07, overcommit and live migration (notebooks/07-overcommit-and-migration.ipynb).
 * Overcommit (overcommit.ts): balloon vs host swap under pressure, page sharing, the overcommit
 * table with its cited figures, double paging. Live migration: added by the migration part.
 * Tests: kernel-lib/test/course/07-overcommit-and-migration/.
 */
export * from "./overcommit";
