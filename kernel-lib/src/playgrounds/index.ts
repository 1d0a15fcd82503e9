/**
 * The playground registry: charts a reader re-runs with sliders, in a notebook or an HTML handout.
 *
 * Use in a notebook:
 *
 *     kl.showPlayground("tlb-size");                      // the defaults
 *     kl.showPlayground("page-walk", { guestLevels: 5 }); // override some parameters
 *
 * The chart is drawn in the notebook with those parameters; the HTML handout (`npm run handouts`)
 * adds a slider per parameter and re-runs the simulation in the reader's browser on every change.
 * `kl.playgroundCatalog()` lists every playground with its parameters (label, unit, min, max, step,
 * default).
 *
 * Registered playgrounds (one file each, named for what it shows):
 *   page-walk   memory reads of one TLB miss: native, shadow and nested paging, vs guest/host
 *               levels and page sizes (welcome notebook; MMU lessons)
 *
 * Adding one: write `<name>.ts` here that calls `definePlayground({ name, title, description,
 * params, run })` with a PURE, seeded, browser-safe `run` (no `node:` imports, no display/), import
 * it below, and add a test in kernel-lib/test/playgrounds/.
 */
export * from "./registry";
import "./page-walk";
export { pageWalkReads, type PageWalkReads } from "./page-walk";
