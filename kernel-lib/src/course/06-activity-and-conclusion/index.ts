/**
 * Lesson 06, key activity and conclusion (notebooks/06-activity-and-conclusion.ipynb): be the
 * MMU on OSTEP's two-level machine (exercise `walk`), a guided map to KVM/QEMU source, discussion
 * on the class's measured numbers, and the synthesis.
 * Tests: kernel-lib/test/course/06-activity-and-conclusion/.
 */
export { pageWalkNotice } from "../shared/page-walk-notice";
export * from "./ostep-walk";
export * from "./measurements";
export * from "./discussion";
export * from "./hypervisor-map";
