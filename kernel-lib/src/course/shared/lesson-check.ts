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
import { staleDefinition, watchCompileFailures } from "./compile-watch";

// Checkers refuse a definition a failed compile left behind (compile-watch.ts); start watching
// as soon as a lesson is imported, before any solution cell runs.
watchCompileFailures();

/** What went wrong in one check, in parts the feedback block shows on separate lines. */
export interface CheckFailure {
  /** What was wrong with the answer, e.g. "indices[0] (the root level) is wrong". */
  wrong: string;
  /** The hint for this mistake (matched to it where the checker recognises it). */
  hint?: string;
  /** The input that went wrong, e.g. "address 0x1f3 with indexBits [5, 5] and offsetBits 5". */
  input?: string;
}

/**
 * A student's answer was wrong; the message is feedback, not the answer.
 *
 * tslab prints a thrown error with Node's `util.inspect` (console.error) to the cell's stderr:
 * normally the stack (kernel-lib's dist/ paths, ten frames) and an object dump. This error
 * answers `util.inspect` with {@link block} instead, and its `stack` is the same block, so the
 * student reads one block (exercise, what was wrong, hint, input) and the cell still fails
 * (tslab's reply is an error, which nbgrader and tools/nbexec.py score as a failure).
 */
export class ExerciseCheckError extends KernelLibError {
  /** The feedback in one line (what was wrong, hint, input). */
  readonly feedback: string;
  readonly wrong: string;
  readonly hint: string | undefined;
  readonly input: string | undefined;

  constructor(
    /** The exercise, e.g. "splitAddress". */
    readonly exercise: string,
    /** The feedback shown to the student: one sentence, or its parts. */
    failure: string | CheckFailure,
  ) {
    const f = typeof failure === "string" ? { wrong: failure } : failure;
    const feedback = typeof failure === "string" ? failure : [f.wrong, f.hint && `Hint: ${f.hint}`, f.input && `Input: ${f.input}`].filter(Boolean).join(". ");
    super(`${exercise}: ${feedback}`);
    this.feedback = feedback;
    this.wrong = f.wrong;
    this.hint = f.hint;
    this.input = f.input;
    // Non-enumerable, so no inspector lists them after the block.
    for (const key of ["exercise", "feedback", "wrong", "hint", "input"]) Object.defineProperty(this, key, { enumerable: false });
    Object.defineProperty(this, "stack", { value: this.block(), enumerable: false, writable: true, configurable: true });
  }

  /** The block's first line (the answer was checked and is wrong). */
  protected headline(): string {
    return `✗ ${this.exercise} is not right yet`;
  }

  /** The block's last line: what to do next. */
  protected footer(): string {
    return "Fix your solution cell above, run it, then run this cell again.";
  }

  /** The feedback block a student reads under a failed test cell. */
  block(): string {
    const lines = [this.headline()];
    if (this.input) lines.push(`  Input: ${this.input}`);
    lines.push(`  What was wrong: ${this.wrong}`);
    if (this.hint) lines.push(`  Hint: ${this.hint}`);
    if (this.footer()) lines.push(`  ${this.footer()}`);
    return lines.join("\n");
  }

  /** What console.error (so tslab) prints for this error: the block, without stack or fields. */
  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return this.block();
  }
}

/** The student's function was not checked: it is a definition left over from before a failed compile. */
export class StaleDefinitionError extends ExerciseCheckError {
  protected override headline(): string {
    return `✗ ${this.exercise} was not checked`;
  }

  protected override footer(): string {
    return ""; // the hint already says what to do
  }
}

/**
 * The hint for a recognised mistake: the first candidate whose answer (a mutated reference, e.g.
 * indices leaf-first or computed with 32-bit operators) equals the student's, compared as JSON.
 */
export function matchMistake<T>(got: unknown, candidates: Array<{ answer: () => T; hint: string }>): string | undefined {
  const key = JSON.stringify(got);
  for (const c of candidates) {
    let answer: T;
    try {
      answer = c.answer();
    } catch {
      continue;
    }
    if (JSON.stringify(answer) === key) return c.hint;
  }
  return undefined;
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
  if (typeof fn !== "function") throw new ExerciseCheckError(exercise, { wrong: `expected a function, got ${typeof fn}`, hint: `define ${exercise} in the solution cell above and run that cell` });
  const stale = staleDefinition(exercise, fn);
  if (stale) throw new StaleDefinitionError(exercise, stale);
  try {
    return fn(...args);
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    if (/not implemented/i.test(why)) throw new ExerciseCheckError(exercise, { wrong: "the function still throws \"not implemented\"", hint: "replace that line with your code, then run the solution cell" });
    throw new ExerciseCheckError(exercise, { wrong: `your function threw an error: ${why}`, input: describeArgs });
  }
}
