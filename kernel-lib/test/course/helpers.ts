// Helpers of the lesson tests. A lesson test checks a notice's numbers and the run it names, not its
// sentences (the wording belongs to the lesson and may change; the numbers must be the runs' own),
// and a checker's verdict on a wrong answer.
import { expect } from "vitest";
import { formatNumber } from "../../src/core/format";
import { ExerciseCheckError } from "../../src/course/shared/lesson-check";

/** Asserts that `text` is a non-empty notice quoting every value (as the lessons format numbers). */
export function expectQuotes(text: string, ...values: (number | string)[]): void {
  expect(typeof text).toBe("string");
  expect(text.trim().length).toBeGreaterThan(0);
  for (const v of values) {
    const forms = typeof v === "string" ? [v] : [formatNumber(v), String(v), v.toLocaleString("en-US"), v.toFixed(1), v.toFixed(2)];
    expect(forms.some((form) => text.includes(form)), `notice quotes ${JSON.stringify(v)}: ${text}`).toBe(true);
  }
}

/** The feedback a checker gives when `fn` runs it on a wrong answer (fails if the checker accepts it). */
export function feedback(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ExerciseCheckError);
    return (e as Error).message;
  }
  throw new Error("the checker accepted a wrong answer");
}
