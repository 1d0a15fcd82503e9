// Exercise of notebook 02: seeded problems are deterministic and right; checkers accept a
// correct answer and reject typical wrong ones with feedback that does not give the answer away.
import { describe, expect, it } from "vitest";
import { feedback } from "../helpers";
import { checkShadowEntry, shadowEntryOf, shadowTableProblem } from "../../../src/course/02-memory-virtualization";

describe("shadow entries (notebook 02)", () => {
  it("composes shadow entries and checks shadowEntry", () => {
    expect(shadowEntryOf(2, { 2: 1 }, [9, 5])).toBe(5);
    expect(shadowEntryOf(3, { 2: 1 }, [9, 5])).toBeNull();
    expect(shadowEntryOf(2, { 2: 4 }, [9, 5])).toBeNull();
    expect(checkShadowEntry((v, t, p) => shadowEntryOf(v, t, p)).cases).toBe(240);
    expect(feedback(() => checkShadowEntry((v, t) => t[v] ?? null))).toMatch(/guest-physical frame|past the VM's memory/);
    const p = shadowTableProblem(2);
    expect(p.answers.at(-1)!["shadow entry (host frame)"]).toMatch(/1 VM exit/);
  });
});
