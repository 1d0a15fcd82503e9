// Exercise of notebook 02: seeded problems are deterministic and right; checkers accept a
// correct answer and reject typical wrong ones with feedback that does not give the answer away.
import { describe, expect, it } from "vitest";
import { feedback } from "../helpers";
import { checkShadowEntry, shadowTableProblem } from "../../../src/course/02-memory-virtualization";

describe("shadow entries (notebook 02)", () => {
  it("composes shadow entries and checks shadowEntry", () => {
    // The reference is private (it answers the exercise): a right answer passes every case.
    const right = (v: number, t: Record<number, number>, p: number[]) => (t[v] === undefined || t[v]! >= p.length ? null : p[t[v]!]!);
    expect(checkShadowEntry(right).cases).toBe(240);
    expect(feedback(() => checkShadowEntry((v, t, p) => (t[v] === undefined ? null : p[t[v]!] ?? -1)))).toMatch(/past the VM's memory/);
    expect(feedback(() => checkShadowEntry((v, t) => t[v] ?? null))).toMatch(/guest-physical frame|past the VM's memory/);
    const p = shadowTableProblem(2);
    expect(p.answers.at(-1)!["shadow entry (host frame)"]).toMatch(/1 VM exit/);
  });
});
