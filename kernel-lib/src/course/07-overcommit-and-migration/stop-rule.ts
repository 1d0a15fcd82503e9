/**
 * Notebook 07's graded exercise: decide when to stop pre-copying.
 *
 * The student writes `shouldStopPreCopy(dirtyPages, pagesPerSecond, round, maxRounds,
 * downtimeTargetMs)`: true to pause the VM now and send the dirty pages, false for another round.
 * The rule asked for is QEMU's idea with Xen's round cap: stop when the pages left would go in
 * the downtime target (dirtyPages ÷ pagesPerSecond, in ms, at most the target), or when the round
 * limit is reached. The checker compares with the reference on fixed and seeded cases and, on a
 * mismatch, names the input and which condition was missed, never the answer.
 */
import { requireInt } from "../../core/errors";
import { Random } from "../../core/random";
import { formatNumber as f } from "../../core/format";
import { preCopyMigrate, type PreCopyResult } from "../../migration/pre-copy";
import { callStudent, ExerciseCheckError, passed, type ExerciseCheckReport } from "../shared/lesson-check";
import { LESSON_GUEST } from "./migration";

/** The student's stop rule. */
export type StopPreCopyFn = (dirtyPages: number, pagesPerSecond: number, round: number, maxRounds: number, downtimeTargetMs: number) => boolean;

/** Pages per second of links of 100 Mbit/s, 500 Mbit/s, 1 Gbit/s and 10 Gbit/s with 4 KiB pages (rounded down). */
export const LINK_PAGES_PER_SECOND: readonly number[] = Object.freeze([3051, 15258, 30517, 305175]);

/** The reference rule (kept out of the simulator's public API). */
function reference(d: number, pps: number, round: number, maxRounds: number, target: number): boolean {
  return round >= maxRounds || (d / pps) * 1000 <= target;
}

/** Checks the student's `shouldStopPreCopy`; throws an ExerciseCheckError naming the failing input. */
export function checkStopPreCopy(fn: StopPreCopyFn, seed?: number): ExerciseCheckReport {
  const exercise = "shouldStopPreCopy";
  const cases: [number, number, number, number, number][] = [
    [10, 30517, 1, 29, 300], // nearly clean after round 1: stop
    [100_000, 30517, 1, 29, 300], // 3.3 s of pages: go on
    [100_000, 30517, 29, 29, 300], // round limit reached: stop anyway
    [100_000, 30517, 30, 29, 300], // past it
    [9000, 30517, 4, 29, 300], // 295 ms: stop
    [9300, 30517, 4, 29, 300], // 305 ms: go on
    [9000, 3051, 4, 29, 300], // the same pages on a slow link: go on
    [0, 15258, 2, 29, 1], // nothing dirty: stop
    [50_000, 305175, 3, 29, 200], // fast link: 164 ms, stop
    [4000, 15258, 3, 5, 100], // 262 ms > 100: go on
    [4000, 15258, 5, 5, 100], // limit: stop
  ];
  if (seed !== undefined) {
    const rng = new Random(seed);
    for (let i = 0; i < 40; i++) {
      const pps = LINK_PAGES_PER_SECOND[rng.int(LINK_PAGES_PER_SECOND.length)]!;
      const maxRounds = 1 + rng.int(30);
      cases.push([rng.int(200_000), pps, 1 + rng.int(35), maxRounds, 1 + rng.int(1000)]);
    }
  }
  for (const [d, pps, round, maxRounds, target] of cases) {
    const args = `shouldStopPreCopy(dirtyPages = ${d}, pagesPerSecond = ${pps}, round = ${round}, maxRounds = ${maxRounds}, downtimeTargetMs = ${target})`;
    const got = callStudent(exercise, fn, [d, pps, round, maxRounds, target], args);
    if (typeof got !== "boolean") throw new ExerciseCheckError(exercise, `${args} returned ${JSON.stringify(got)}; return true (stop and copy now) or false (another round)`);
    const want = reference(d, pps, round, maxRounds, target);
    if (got !== want) {
      const ms = (d / pps) * 1000;
      const why = round >= maxRounds
        ? `the round limit: round ${round} of at most ${maxRounds}`
        : ms <= target
          ? `the pages left: sending ${d} pages at ${pps} pages per second takes about ${f(ms)} ms, against a target of ${target} ms`
          : `the pages left: sending ${d} pages at ${pps} pages per second takes about ${f(ms)} ms, against a target of ${target} ms, and the round limit (${round} of ${maxRounds})`;
      throw new ExerciseCheckError(exercise, `${args} returned ${got}: check ${why}`);
    }
  }
  return passed(exercise, cases.length);
}

/** The lesson's guest migrated with the student's rule (a 300 ms target, 29 rounds at most). */
export function migrateWithRule(fn: StopPreCopyFn, options: { writesPerSecond?: number; downtimeTargetMs?: number; maxRounds?: number } = {}): PreCopyResult {
  const target = options.downtimeTargetMs ?? 300;
  const maxRounds = requireInt("maxRounds", options.maxRounds ?? 29, 1, 1000);
  return preCopyMigrate({
    workload: { ...LESSON_GUEST, writesPerSecond: options.writesPerSecond ?? 100_000 },
    copyContent: false,
    stopWhen: (s) => fn(s.dirtyPages, Math.floor(s.pagesPerSecond), s.round, maxRounds, target),
  });
}
