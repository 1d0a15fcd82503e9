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
 * Registered playgrounds (one file each, named for what it shows; parameters in brackets):
 *   page-walk          memory reads of one TLB miss: native, shadow and nested paging
 *                      [guestLevels, hostLevels, guestPageKiB, hostPageKiB]   (00 welcome, 03 MMU)
 *   tlb-size           TLB hit rate and cycles per access per mode
 *                      [tlbEntries, workingSetPages, hostPageKiB]             (03 MMU)
 *   page-table-churn   slowdown vs native of shadow and nested paging as fork/exec churn grows
 *                      [forkExecPer10k, workingSetPages, hostPageKiB]         (02 memory, 05 performance)
 *   io-paths           throughput, latency and exits of emulated/virtio/vhost/passthrough/bare metal
 *                      [requestBytes, offeredLoadKrps, vmCount]               (04 I/O, 05 performance)
 *   live-migration     pre-copy rounds of a running VM: pages per round, downtime, total time
 *                      [writesPerSecond, bandwidthMbit, maxRounds]            (07 overcommit and migration)
 *
 * Adding one: write `<name>.ts` here that calls `definePlayground({ name, title, description,
 * params, run })` with a PURE, seeded, browser-safe `run` (no `node:` imports, no display/, no
 * course/), import it below, and add a test in kernel-lib/test/playgrounds/. Measure through
 * experiments/ (`measureMemory` with a warm-up, `pageWalkReads`, `memoize` for rows a notebook reads
 * twice); the "what to notice" under a playground is the lesson's (kernel-lib/src/course/).
 */
export * from "./registry";
import "./page-walk";
import "./tlb-size";
import "./page-table-churn";
import "./io-paths";
import "./live-migration";
// What the lessons read from the playgrounds, through this file so that every playground is
// registered in the order above whichever a module reaches first (the catalog's order).
export { tlbSizeRows, type TlbSizeParams } from "./tlb-size";
export { churnRows, churnTrace, type ChurnParams } from "./page-table-churn";
export { ioPathsRows, type IoPathsParams } from "./io-paths";
export { warmUpTrace } from "./steady-state";
export { liveMigrationRun, preCopyRoundsFigure, type LiveMigrationParams } from "./live-migration";
