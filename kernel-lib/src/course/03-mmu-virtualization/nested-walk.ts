/**
 * Exercise (notebook 03): count the memory references of a nested (2D) page walk.
 *
 * Under nested paging (Intel EPT, AMD NPT/RVI) every guest-physical address the guest's walk
 * produces — the guest CR3, each guest table pointer, and the final guest-physical page — must
 * itself be translated by a walk of the host table. With an n-level guest table and an m-level
 * host table that is (n+1)·m host reads plus n guest reads = (n+1)(m+1) − 1 (figure A4; 24 for
 * 4+4, A1). A large leaf ends a walk early: a 2 MiB leaf removes one level on its side, a 1 GiB
 * leaf two (figure A8: 19, 15, 8, 14). Counts are for uncached walks; the final data access is
 * not counted (A5).
 *
 * {@link nestedWalkOrder} lists the references in the order the hardware makes them, which is
 * what the notebook draws as a grid; the simulator's walker in `mmu/` produces the same order
 * with real addresses (a unit test checks the counts against it).
 */
import { ConfigError, requireInt } from "../../core/errors";
import { Random } from "../../core/random";
import { pageSizeLabel } from "../../charts/labels";
import { walkReads } from "../../experiments/walk-reads";
import { callStudent, ExerciseCheckError, matchMistake, passed, type ExerciseCheckReport, type SeededProblem } from "../shared/lesson-check";

/** Leaf level of each x86 page size. */
const LEAF_LEVEL_OF: Record<number, number> = { 4096: 1, 2097152: 2, 1073741824: 3 };

/** The leaf level of an x86 page size (4 KiB → 1, 2 MiB → 2, 1 GiB → 3). */
export function leafLevelOfPageSize(pageSizeBytes: number, field = "pageSizeBytes"): number {
  const leaf = LEAF_LEVEL_OF[pageSizeBytes];
  if (leaf === undefined) throw new ConfigError(field, pageSizeBytes, "4096 (4 KiB), 2097152 (2 MiB) or 1073741824 (1 GiB)");
  return leaf;
}

/** Table reads of one walk of `levels` levels ending in a leaf of `pageSizeBytes`. */
export function walkLength(levels: number, pageSizeBytes = 4096, field = "levels"): number {
  requireInt(field, levels, 1, 6);
  const leaf = leafLevelOfPageSize(pageSizeBytes);
  if (leaf > levels - 1 && leaf > 1) throw new ConfigError("pageSizeBytes", pageSizeBytes, `a page size whose leaf level is below the root of a ${levels}-level table`);
  return levels - (leaf - 1);
}

/**
 * References of an uncached nested walk: (n'+1)(m'+1) − 1 with n', m' the guest and host walk
 * lengths after large leaves. `hostLevels` 0 means no virtualization (a native walk: n').
 * Not exported: it answers the graded exercise, and nothing a student imports may (issue 12).
 */
function nestedWalkReferences(guestLevels: number, hostLevels: number, guestPageBytes = 4096, hostPageBytes = 4096): number {
  const n = walkLength(guestLevels, guestPageBytes, "guestLevels");
  if (hostLevels === 0) return n;
  const m = walkLength(hostLevels, hostPageBytes, "hostLevels");
  return (n + 1) * (m + 1) - 1;
}

/** One reference of a nested walk, in hardware order. */
export interface NestedWalkReference {
  /** 1-based order of the reference. */
  order: number;
  /** "host" (an EPT/NPT entry) or "guest" (a guest page-table entry). */
  dimension: "guest" | "host";
  /**
   * Which guest-physical address is being resolved: the guest level whose table it points at
   * (n = the guest CR3 … 1 = the last guest table), or 0 for the final data page.
   */
  forGuestLevel: number;
  /** For a host read, the host table level read (m … 1); for a guest read, the guest level read. */
  level: number;
}

/** The references of an uncached nested walk in the order the hardware makes them. */
export function nestedWalkOrder(guestLevels: number, hostLevels: number, guestPageBytes = 4096, hostPageBytes = 4096): NestedWalkReference[] {
  const n = walkLength(guestLevels, guestPageBytes, "guestLevels");
  const m = walkLength(hostLevels, hostPageBytes, "hostLevels");
  const out: NestedWalkReference[] = [];
  const hostWalk = (forGuestLevel: number) => {
    for (let h = 0; h < m; h++) out.push({ order: out.length + 1, dimension: "host", forGuestLevel, level: hostLevels - h });
  };
  for (let g = 0; g < n; g++) {
    const guestLevel = guestLevels - g;
    hostWalk(guestLevel); // translate the gPA of the guest table at this level
    out.push({ order: out.length + 1, dimension: "guest", forGuestLevel: guestLevel, level: guestLevel });
  }
  hostWalk(0); // translate the final guest-physical page
  return out;
}

const SIZES = [4096, 2097152, 1073741824];

/** A seeded problem: for `count` configurations, predict native and nested walk references. */
export function nestedWalkProblem(seed = 1, options: { count?: number } = {}): SeededProblem {
  const count = requireInt("count", options.count ?? 4, 1, 12);
  const rng = new Random(seed);
  const questions = [];
  const answers = [];
  for (let i = 0; i < count; i++) {
    const guestLevels = rng.pick([4, 4, 5]);
    const hostLevels = rng.pick([4, 4, 5]);
    const guestPage = rng.pick(SIZES);
    const hostPage = rng.pick(SIZES);
    const q = { "#": i + 1, "guest levels": guestLevels, "guest page": pageSizeLabel(guestPage), "host levels": hostLevels, "host page": pageSizeLabel(hostPage) };
    questions.push(q);
    answers.push({
      ...q,
      "native walk (guest table alone)": nestedWalkReferences(guestLevels, 0, guestPage),
      "nested walk": nestedWalkReferences(guestLevels, hostLevels, guestPage, hostPage),
    });
  }
  return {
    seed,
    parameters: `seed ${seed} · ${count} configurations · x86-64 tables (4 or 5 levels) · uncached walks · data access not counted`,
    prompt: "For each configuration, how many page-table entries does one TLB miss read (a) natively, with the guest's table alone, and (b) under nested paging? A 2 MiB leaf ends a walk one level early, a 1 GiB leaf two.",
    questions,
    answers,
    stats: `nested walks read ${answers.map((a) => a["nested walk"]).join(", ")} entries; the 4+4, 4 KiB maximum is ${nestedWalkReferences(4, 4)}.`,
  };
}

type WalkConfig = [g: number, h: number, gp: number, hp: number];

/** Every configuration the checker tries: 4/5 levels and 4 KiB/2 MiB/1 GiB pages on each side. */
function walkConfigs(): WalkConfig[] {
  const out: WalkConfig[] = [];
  for (const g of [4, 5]) for (const h of [4, 5]) for (const gp of SIZES) for (const hp of SIZES) out.push([g, h, gp, hp]);
  return out;
}

/**
 * The hint for a wrong nested-walk count: the common mistake (a mutated reference formula) that
 * gives the student's counts on every configuration, else a hint by direction on the failed one.
 * Comparing all configurations tells "one guest level short" from "one host level short", which
 * agree whenever guest and host are alike.
 */
function walkMistake(student: NestedWalkRefsFn, failed: WalkConfig, got: number): string {
  const nested = (a: number, b: number) => (a + 1) * (b + 1) - 1;
  const mutants: Array<{ count: (n: number, m: number, g: number, h: number) => number; hint: string }> = [
    { count: (n, m) => nested(n, m) + 1, hint: "it looks like you also counted the final data access; count page-table reads only" },
    { count: (_n, _m, g, h) => nested(g, h), hint: "large pages are ignored: a 2 MiB leaf ends a walk one level early and a 1 GiB leaf two, on its own side (guest or host)" },
    { count: (n, m) => n * m, hint: "besides a host walk for each guest table, count the guest's own entry reads and the host walk of the final guest-physical address" },
    { count: (_n, _m, g, h) => g * h, hint: "besides a host walk for each guest table, count the guest's own entry reads and the host walk of the final guest-physical address" },
    { count: (n, m) => n * (m + 1), hint: "the final guest-physical address (the data page) needs a host walk too" },
    { count: (n, m) => nested(n - 1, m), hint: "one guest level short: an n-level guest table is n reads (fewer only for a large leaf), each needing its own host walk" },
    { count: (n, m) => nested(n + 1, m), hint: "one guest level too many: an n-level guest table is n reads (a 2 MiB leaf makes it n−1, a 1 GiB leaf n−2)" },
    { count: (n, m) => nested(n, m - 1), hint: "one host level short: each host walk reads every level of the host table (fewer only for a large host leaf)" },
    { count: (n, m) => nested(n, m + 1), hint: "one host level too many: a host walk of an m-level table reads m entries (a large host leaf shortens it)" },
    { count: (n, m) => nested(n - 1, m - 1), hint: "one level short on both sides: each walk reads one entry per level down to the leaf" },
    { count: (n, m) => nested(n + 1, m + 1), hint: "one level too many on both sides: each walk reads one entry per level down to the leaf, no more" },
  ];
  const configs = [failed, ...walkConfigs()];
  const answers = configs.map(([g, h, gp, hp]) => {
    try {
      return student(g, h, gp, hp);
    } catch {
      return undefined;
    }
  });
  const matched = matchMistake(answers, mutants.map((mutant) => ({
    answer: () => configs.map(([g, h, gp, hp]) => mutant.count(walkLength(g, gp), walkLength(h, hp), g, h)),
    hint: mutant.hint,
  })));
  if (matched) return matched;
  // Two mistakes at once (e.g. large pages ignored AND the data access counted) match no mutant
  // everywhere; the first mutant that gives this one count still names one of them.
  const [g, h, gp, hp] = failed;
  const here = mutants.find((mutant) => mutant.count(walkLength(g, gp), walkLength(h, hp), g, h) === got);
  if (here) return here.hint;
  return got < nestedWalkReferences(g, h, gp, hp)
    ? "too few references: every guest-physical address the guest walk produces (the guest CR3 and each table pointer, and the final page) is translated by a full host walk"
    : "too many references: each guest-physical address is translated once, and a large leaf shortens the walk on its side";
}

/** The signature students implement. */
export type NestedWalkRefsFn = (guestLevels: number, hostLevels: number, guestPageBytes: number, hostPageBytes: number) => number;

/**
 * Checks a student's `nestedWalkRefs(guestLevels, hostLevels, guestPageBytes, hostPageBytes)`
 * on every combination of 4/5 levels and 4 KiB/2 MiB/1 GiB pages, with feedback on the kind of
 * mistake (data access counted, large pages ignored, a missing host walk).
 */
export function checkNestedWalkRefs(nestedWalkRefs: NestedWalkRefsFn): ExerciseCheckReport {
  const exercise = "nestedWalkRefs";
  let cases = 0;
  for (const g of [4, 5]) {
    for (const h of [4, 5]) {
      for (const gp of SIZES) {
        for (const hp of SIZES) {
          const want = nestedWalkReferences(g, h, gp, hp);
          const args = `a ${g}-level guest with ${pageSizeLabel(gp)} pages over a ${h}-level host with ${pageSizeLabel(hp)} pages`;
          const got = callStudent(exercise, nestedWalkRefs, [g, h, gp, hp], args);
          if (typeof got !== "number" || !Number.isInteger(got)) throw new ExerciseCheckError(exercise, { wrong: `returned ${JSON.stringify(got)}`, hint: "return a whole number of memory references", input: args });
          if (got === want) {
            cases++;
            continue;
          }
          throw new ExerciseCheckError(exercise, { wrong: `your count, ${got}, is ${got < want ? "too low" : "too high"}`, hint: walkMistake(nestedWalkRefs, [g, h, gp, hp], got), input: args });
        }
      }
    }
  }
  return passed(exercise, cases);
}

/**
 * A hidden test for notebook 03's `nestedWalkRefs` exercise: `machines` seeded random
 * configurations (4 or 5 levels on each side, 4 KiB / 2 MiB / 1 GiB pages on each side), each
 * built as a real simulated machine whose hardware walker reads the tables; the student's count
 * must equal the entries that walker read. Feedback names the configuration, never the count.
 */
export function checkNestedWalkRefsOnMachines(nestedWalkRefs: NestedWalkRefsFn, options: { seed?: number; machines?: number } = {}): ExerciseCheckReport {
  const exercise = "nestedWalkRefs";
  const rng = new Random(options.seed ?? 7);
  const machines = options.machines ?? 6;
  for (let i = 0; i < machines; i++) {
    const g = rng.pick([4, 5]), h = rng.pick([4, 5]);
    const gp = rng.pick(SIZES), hp = rng.pick(SIZES);
    const want = walkReads("nested", g, h, gp / 1024, hp / 1024).total;
    const args = `a simulated machine with a ${g}-level guest (${pageSizeLabel(gp)} pages) over a ${h}-level host (${pageSizeLabel(hp)} pages)`;
    const got = callStudent(exercise, nestedWalkRefs, [g, h, gp, hp], args);
    if (got === want) continue;
    const hint = typeof got === "number" ? walkMistake(nestedWalkRefs, [g, h, gp, hp], got) : "return a whole number of memory references";
    throw new ExerciseCheckError(exercise, { wrong: `your count, ${JSON.stringify(got)}, differs from the entries the machine's hardware walker read`, hint, input: args });
  }
  return passed(exercise, machines);
}
