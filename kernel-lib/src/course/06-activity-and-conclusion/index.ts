/**
 * Lesson 06, key activity and conclusion (notebooks/06-activity-and-conclusion.ipynb): be the
 * MMU on OSTEP's two-level machine (exercise `walk`), discussion on the class's measured numbers,
 * and the synthesis. The guided map to KVM/QEMU source is prose in the notebook.
 * Tests: kernel-lib/test/course/06-activity-and-conclusion/.
 */
export { pageWalkNotice } from "../shared/page-walk-notice";
export * from "./ostep-walk";
export * from "./measurements";
export * from "./discussion";
