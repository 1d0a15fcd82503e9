/**
 * Exercises of notebook 05 (impact on system performance).
 *
 * - `predictProblem(seed)`: OSTEP-style predict-then-reveal in the style of Patterson &
 *   Hennessy's exercise (figure B13): for a few programs, given TLB misses and guest page-table
 *   writes per 1000 accesses, which of shadow and nested paging costs less, and by how much?
 * - `checkCrossover(fn)`: the graded exercise. The student writes the churn at which shadow and
 *   nested paging cost the same; the checker compares with kernel-lib's model and, on a wrong
 *   answer, says which property failed (proportional to misses, inverse to exit cost, the walk
 *   lengths) rather than the value.
 */
import { requireInt } from "../../core/errors";
import { Random } from "../../core/random";
import { MEMORY_COSTS_DEFAULT, exitCycles } from "../../costs/memory";
import { formatNumber } from "../../core/format";
import { overheadPerThousand } from "./cost-model";
import { callStudent, ExerciseCheckError, passed, type ExerciseCheckReport, type SeededProblem } from "../shared/lesson-check";

const PROGRAMS = ["program A", "program B", "program C", "program D", "program E", "program F", "program G", "program H"];

/**
 * A seeded problem: `count` programs (default 3), each with TLB misses and guest page-table
 * writes per 1000 memory accesses and 4- or 5-level page tables. Predict the translation
 * overhead per 1000 accesses under shadow and nested paging, and the winner.
 */
export function predictProblem(seed = 1, options: { count?: number } = {}): SeededProblem {
  const count = requireInt("count", options.count ?? 3, 1, PROGRAMS.length);
  const rng = new Random(seed);
  const names = PROGRAMS;
  const ref = MEMORY_COSTS_DEFAULT.walkRefCycles;
  const exit = exitCycles(MEMORY_COSTS_DEFAULT, "guest-pt-write");
  const questions: Record<string, string | number>[] = [];
  const answers: Record<string, string | number>[] = [];
  let shadowWins = 0;
  // Both outcomes in every problem of two or more programs (a one-sided set teaches nothing about
  // the trade-off): draw each program's winner, flip one if they all agree, then place its page-
  // table churn 2–8× below or above its crossover, so the answer is clear but not obvious.
  const winners = Array.from({ length: count }, () => (rng.next() < 0.5 ? "shadow" : "nested"));
  if (count >= 2 && winners.every((w) => w === winners[0])) {
    const flip = rng.int(count);
    winners[flip] = winners[flip] === "shadow" ? "nested" : "shadow";
  }
  for (let i = 0; i < count; i++) {
    const program = names[i]!;
    const tlbMissesPerThousand = 1 + rng.int(40);
    const levels = rng.next() < 0.75 ? 4 : 5;
    const cross = crossoverPteWritesPerThousand(tlbMissesPerThousand, levels, ref, exit);
    const factor = 2 ** (1 + rng.int(3));
    const pteWritesPerThousand = Number((winners[i] === "shadow" ? cross / factor : cross * factor).toFixed(2));
    const q = { program, "TLB misses / 1000": tlbMissesPerThousand, "PTE writes / 1000": pteWritesPerThousand, levels };
    const o = overheadPerThousand({ tlbMissesPerThousand, pteWritesPerThousand, levels });
    if (o.winner === "shadow") shadowWins++;
    questions.push({ ...q, "shadow (cycles / 1000)": "?", "nested (cycles / 1000)": "?", winner: "?" });
    answers.push({ ...q, "shadow (cycles / 1000)": Math.round(o.shadow), "nested (cycles / 1000)": Math.round(o.nested), winner: o.winner });
  }
  return {
    seed,
    parameters: `seed ${seed} · ${count} programs · walk reference ${formatNumber(ref)} cycles · VM exit for a guest PTE write ${formatNumber(exit)} cycles (round trip + handler, kernel-lib's default cost model)`,
    prompt:
      `For each program, compute the translation overhead per 1000 accesses. **Shadow**: every TLB miss walks the shadow table ` +
      `(n references for an n-level table) and every guest PTE write is a VM exit. **Nested**: no exits, but every TLB miss walks ` +
      `in two dimensions, (n+1)(n+1)−1 references. Then say which mode wins.`,
    questions,
    answers,
    stats: `shadow wins ${shadowWins} of ${count} · nested wins ${count - shadowWins} of ${count}`,
  };
}

/** The student's crossover function. */
export type CrossoverFn = (tlbMissesPerThousand: number, levels: number, walkRefCycles: number, exitCycles: number) => number;

/** kernel-lib's answer: the PTE writes per 1000 accesses at which shadow and nested cost the same. */
export function crossoverPteWritesPerThousand(tlbMissesPerThousand: number, levels: number, walkRefCycles: number, exitCycles: number): number {
  const extraRefsPerMiss = (levels + 1) * (levels + 1) - 1 - levels;
  return (tlbMissesPerThousand * extraRefsPerMiss * walkRefCycles) / exitCycles;
}

function close(a: number, b: number): boolean {
  return Math.abs(a - b) <= 1e-6 * Math.max(1, Math.abs(b));
}

/**
 * Checks a student's `crossover(tlbMissesPerThousand, levels, walkRefCycles, exitCycles)`.
 * On a wrong answer the feedback names the property the answer breaks.
 */
export function checkCrossover(crossover: CrossoverFn, seed?: number): ExerciseCheckReport {
  const exercise = "crossover";
  const call = (m: number, n: number, r: number, e: number) => {
    const args = `crossover(tlbMissesPerThousand = ${m}, levels = ${n}, walkRefCycles = ${r}, exitCycles = ${e})`;
    const v = callStudent(exercise, crossover, [m, n, r, e], args);
    if (typeof v !== "number" || !Number.isFinite(v)) {
      throw new ExerciseCheckError(exercise, { wrong: `returned ${JSON.stringify(v)}`, hint: "return a finite number of guest PTE writes per 1000 accesses", input: args });
    }
    return { v, args };
  };
  // The base case is the default cost model's (a walk reference, a guest-PTE-write exit); each
  // neighbour changes one input, so a wrong answer's feedback can name the property it breaks.
  const ref = MEMORY_COSTS_DEFAULT.walkRefCycles;
  const exit = exitCycles(MEMORY_COSTS_DEFAULT, "guest-pt-write");
  const cases: [number, number, number, number][] = [
    [10, 4, ref, exit],
    [20, 4, ref, exit],
    [10, 4, ref, 2 * exit],
    [10, 4, 2 * ref, exit],
    [10, 5, ref, exit],
    [10, 3, ref, exit],
    [0, 4, ref, exit],
    [37, 4, 200 / 24, 30000], // the textbook's figures (B13): 200 cycles per 24-reference walk
    [3, 5, 12, 1500],
  ];
  if (seed !== undefined) {
    // Extra seeded cases (hidden tests use them): random miss rates, depths and costs.
    const rng = new Random(seed);
    for (let i = 0; i < 20; i++) cases.push([rng.int(200), 2 + rng.int(4), 1 + rng.int(30), 500 + rng.int(30000)]);
  }
  const { v: base, args: baseArgs } = call(...cases[0]!);
  if (!close(base, crossoverPteWritesPerThousand(...cases[0]!))) {
    // Diagnose with properties of the right answer, so the feedback does not give it away.
    const zero = call(0, 4, ref, exit).v;
    if (zero !== 0) throw new ExerciseCheckError(exercise, { wrong: "your answer is wrong", hint: "with no TLB misses nested paging costs nothing extra, so any page-table write makes shadow lose: the crossover must be 0", input: baseArgs });
    if (!close(call(20, 4, ref, exit).v, 2 * base)) throw new ExerciseCheckError(exercise, { wrong: "your answer is wrong", hint: "your answer should double when the TLB misses double: each miss costs nested paging more than shadow, so shadow can afford proportionally more exits", input: baseArgs });
    if (!close(call(10, 4, ref, 2 * exit).v, base / 2)) throw new ExerciseCheckError(exercise, { wrong: "your answer is wrong", hint: "your answer should halve when exitCycles doubles: the dearer an exit, the fewer page-table writes shadow can afford", input: baseArgs });
    if (!close(call(10, 4, 2 * ref, exit).v, 2 * base)) throw new ExerciseCheckError(exercise, { wrong: "your answer is wrong", hint: "your answer should double when walkRefCycles doubles: the walk difference is paid per reference", input: baseArgs });
    throw new ExerciseCheckError(exercise, { wrong: "your answer is wrong", hint: "the proportions are right but the walk lengths are not: per TLB miss, count the references a nested walk reads for an n-level guest on an n-level host, minus the n a shadow walk reads", input: baseArgs });
  }
  for (const c of cases) {
    const { v, args } = call(...c);
    if (!close(v, crossoverPteWritesPerThousand(...c))) {
      throw new ExerciseCheckError(exercise, { wrong: "wrong answer", hint: "check that your walk lengths use the levels argument (not a fixed 4) and that nothing is rounded", input: args });
    }
  }
  return passed(exercise, cases.length);
}
