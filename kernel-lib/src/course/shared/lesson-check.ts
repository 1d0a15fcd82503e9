/**
 * Shared pieces of the lesson exercises: the error a checker throws on a
 * wrong answer, the report it returns on a right one, and the shape of a seeded problem.
 *
 * A checker runs the student's function on many inputs and compares it with kernel-lib's own
 * answer. On a mismatch it throws an {@link ExerciseCheckError} whose message says WHAT KIND of
 * answer was expected (a range, a type, which bits, which rule) and the input that went wrong,
 * but never the expected value itself: the student still has to work it out. Throwing makes the
 * graded test cell fail, which is what nbgrader scores as zero.
 */
import { KernelLibError } from "../../core/errors";
import type { Row } from "../../charts/builders";

/** A student's answer was wrong; the message is feedback, not the answer. */
export class ExerciseCheckError extends KernelLibError {
  constructor(
    /** The exercise, e.g. "splitAddress". */
    readonly exercise: string,
    /** The feedback shown to the student. */
    readonly feedback: string,
  ) {
    super(`${exercise}: ${feedback}`);
  }
}

/** What a checker returns when every check passed. */
export interface ExerciseCheckReport {
  /** The exercise checked. */
  exercise: string;
  /** How many cases were checked. */
  cases: number;
  /**
   * A one-line markdown message for the notebook, e.g. "✓ **splitAddress**: all 40 checks passed."
   * (✓ U+2713, which ordinary text fonts have, not the ✅ emoji: a handout printed or opened where
   * no emoji font is installed would show a box.)
   */
  message: string;
}

/**
 * A seeded, OSTEP-style problem: the same seed always gives the same problem, a new seed a
 * fresh one. A notebook shows `prompt` and `questions`, the student predicts, and a later
 * cell shows `answers` (the reveal) and `stats` (one closing line, as OSTEP's `-c` prints).
 */
export interface SeededProblem {
  /** The seed that generated this problem. */
  seed: number;
  /** The parameters, echoed first as OSTEP's simulators do (markdown, one line). */
  parameters: string;
  /** What to work out (markdown). */
  prompt: string;
  /** The problem's data, one row per question (no answers in it). */
  questions: Row[];
  /** The same rows with the answer columns filled in. */
  answers: Row[];
  /** One closing line of final statistics (markdown). */
  stats: string;
}

/** Report for a checker that passed. */
export function passed(exercise: string, cases: number): ExerciseCheckReport {
  return { exercise, cases, message: `✓ **${exercise}**: all ${cases} checks passed.` };
}

/** Calls the student's function, turning a thrown error into feedback that names the input. */
export function callStudent<A extends unknown[], R>(exercise: string, fn: (...args: A) => R, args: A, describeArgs: string): R {
  if (typeof fn !== "function") throw new ExerciseCheckError(exercise, `expected a function, got ${typeof fn}`);
  try {
    return fn(...args);
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    if (/not implemented/i.test(why)) throw new ExerciseCheckError(exercise, "the function still throws \"not implemented\": replace that line with your code");
    throw new ExerciseCheckError(exercise, `your function threw an error for ${describeArgs}: ${why}`);
  }
}
