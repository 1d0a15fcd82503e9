// A checker refuses a definition left over from before a failed compile (course/shared/compile-watch.ts).
// tslab is imitated by what the watcher relies on: a new process.stderr.write per execution, a
// diagnostic printed in tslab's "line:col - message" form, and globalThis.__tslab__.exports.
import { afterEach, describe, expect, it } from "vitest";
import { inspect } from "node:util";
import { lesson03 } from "../../src/course";
import { StaleDefinitionError, ExerciseCheckError } from "../../src/course/shared/lesson-check";
import type { AddressSplit } from "../../src/course/03-mmu-virtualization";

const right = (a: number, bits: number[], off: number): AddressSplit => {
  const offset = a % 2 ** off;
  let rest = Math.floor(a / 2 ** off);
  const indices: number[] = [];
  for (let d = bits.length - 1; d >= 0; d--) {
    indices.unshift(rest % 2 ** bits[d]!);
    rest = Math.floor(rest / 2 ** bits[d]!);
  }
  return { indices, offset };
};

const g = globalThis as { __tslab__?: { exports: Record<string, unknown> } };
const stderr = process.stderr as unknown as { write: (chunk: unknown) => boolean };
const realWrite = stderr.write;
/** One imitated tslab execution: its own stderr writer, collecting what the cell printed. */
function execution(run: () => void): string {
  let text = "";
  stderr.write = (chunk: unknown) => ((text += String(chunk)), true);
  try {
    run();
  } finally {
    stderr.write = realWrite;
  }
  return text;
}

afterEach(() => {
  delete g.__tslab__;
});

describe("a definition left over from a failed compile", () => {
  it("is refused with its own block after the solution cell fails to compile, and checked again once a new definition runs", () => {
    g.__tslab__ = { exports: {} };
    execution(() => (g.__tslab__!.exports.splitAddress = right)); // the solution cell compiles and runs
    execution(() => process.stderr.write("2:9 - Type 'number' is not assignable to type 'string'.\n")); // the edited cell does not compile
    let error: unknown;
    execution(() => {
      try {
        lesson03.checkSplitAddress(g.__tslab__!.exports.splitAddress as typeof right);
      } catch (e) {
        error = e;
      }
    });
    expect(error).toBeInstanceOf(StaleDefinitionError);
    const printed = inspect(error);
    expect(printed.split("\n")[0]).toBe("✗ splitAddress was not checked");
    expect(printed).toMatch(/did not compile \(2:9 - Type 'number' is not assignable to type 'string'\), so splitAddress is still the version from before that edit/);
    expect(printed).not.toMatch(/^\s+at /m);

    const fixed = (a: number, bits: number[], off: number) => right(a, bits, off); // the solution cell, fixed and run
    execution(() => (g.__tslab__!.exports.splitAddress = fixed));
    expect(lesson03.checkSplitAddress(fixed).cases).toBeGreaterThan(100);
  });

  it("does not touch a function defined after the failure, or any check outside tslab", () => {
    g.__tslab__ = { exports: {} };
    execution(() => process.stderr.write("1:1 - Cannot find name 'x'.\n"));
    const later = (a: number, bits: number[], off: number) => right(a, bits, off);
    execution(() => (g.__tslab__!.exports.splitAddress = later));
    expect(lesson03.checkSplitAddress(later).cases).toBeGreaterThan(100);
    delete g.__tslab__;
    expect(() => lesson03.checkSplitAddress((a, b, o) => ({ ...right(a, b, o), offset: 1 }))).toThrow(ExerciseCheckError);
  });
});
