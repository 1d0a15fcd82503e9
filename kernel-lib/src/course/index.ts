/**
 * The course layer: the only code that knows lessons exist. One folder per lesson, named like
 * its notebook (notebooks/NN-title.ipynb), holding that lesson's runs, the "what to notice" texts
 * computed from them, and its exercises (seeded problems and checkers); its tests are in
 * kernel-lib/test/course/NN-title/. `shared/` holds what several lessons use (the I/O and memory
 * runs of lessons 04–06, the checkers' common pieces). Imports go downward only: a lesson folder
 * imports shared/ and the simulator, never another lesson, and nothing outside course/ imports it.
 *
 * A notebook reaches its lesson through a namespace:
 *
 *     import * as kl from "kernel-lib";
 *     import { lesson03 as lesson } from "kernel-lib/course";
 *     const walk = lesson.nativeWalkDemo();
 */
export * as lesson01 from "./01-introduction";
export * as lesson02 from "./02-memory-virtualization";
export * as lesson03 from "./03-mmu-virtualization";
export * as lesson04 from "./04-io-virtualization";
export * as lesson05 from "./05-performance";
export * as lesson06 from "./06-activity-and-conclusion";
export * as lesson07 from "./07-overcommit-and-migration";
