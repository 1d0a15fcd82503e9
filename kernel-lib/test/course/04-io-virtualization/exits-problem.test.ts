// Exercises of notebook 04: the seeded exits problem agrees with a by-hand count from the device
// models, and the needKick checker accepts vring_need_event and rejects typical wrong answers
// with a hint about the kind of case, never the expected value.
import { describe, expect, it } from "vitest";
import { feedback } from "../helpers";
import { IO_EMULATED_DEVICE_MODELS } from "../../../src/io/emulated";
import { checkNeedKick, exitsProblem } from "../../../src/course/04-io-virtualization";

/** Exits per request when each request is alone, counted by hand from the path's mechanisms. */
function byHand(configuration: string): number {
  const posted = configuration.includes("posted");
  const interruptAndEoi = posted ? 0 : 2;
  for (const device of ["e1000", "ide", "lance"] as const) {
    if (configuration.toLowerCase().includes(device)) {
      const m = IO_EMULATED_DEVICE_MODELS[device];
      return m.perRequest.length + m.perInterrupt.length + interruptAndEoi;
    }
  }
  if (configuration.startsWith("virtio") || configuration.startsWith("vhost")) return 1 + interruptAndEoi;
  if (configuration.startsWith("passthrough")) return interruptAndEoi;
  throw new Error(`unknown configuration ${configuration}`);
}

describe("exitsProblem (notebook 04)", () => {
  it("is deterministic for a seed and differs between seeds", () => {
    expect(JSON.stringify(exitsProblem(4))).toBe(JSON.stringify(exitsProblem(4)));
    const configs = new Set([1, 2, 3, 4, 5, 6].map((s) => exitsProblem(s).questions.map((q) => q.configuration).join("|")));
    expect(configs.size).toBeGreaterThan(1);
  });

  it("reveals the count a student gets by hand from the register lists", () => {
    for (const seed of [1, 2, 3, 4, 5, 6, 7, 8]) {
      const p = exitsProblem(seed, { count: 3 });
      expect(p.questions).toHaveLength(3);
      expect(p.questions.every((q) => !("exits per request (simulated)" in q))).toBe(true);
      for (const a of p.answers) {
        expect(a["exits per request (simulated)"]).toBeCloseTo(byHand(String(a.configuration)), 1);
      }
    }
  });
});

describe("checkNeedKick (notebook 04, graded)", () => {
  const reference = (e: number, n: number, o: number) => ((n - e - 1) & 0xffff) < ((n - o) & 0xffff);

  it("accepts vring_need_event", () => {
    const report = checkNeedKick(reference);
    expect(report.cases).toBeGreaterThan(100);
    expect(report.message).toContain("needKick");
  });

  it("rejects the naive range test at wrap-around, with a wrap-around hint", () => {
    const msg = feedback(() => checkNeedKick((e, n, o) => o <= e && e < n));
    expect(msg).toMatch(/wrapped around/);
  });

  it("rejects an inclusive upper end with a boundary hint", () => {
    expect(feedback(() => checkNeedKick((e, n, o) => ((n - e) & 0xffff) <= ((n - o) & 0xffff)))).toMatch(/exclusive|first entry/);
  });

  it("rejects non-boolean answers and unimplemented stubs with what is expected", () => {
    expect(feedback(() => checkNeedKick((() => 1) as unknown as (e: number, n: number, o: number) => boolean))).toMatch(/true .*or false/);
    expect(feedback(() => checkNeedKick(() => { throw new Error("not implemented"); }))).toMatch(/not implemented/);
  });

  it("never states the expected value in its feedback", () => {
    const msg = feedback(() => checkNeedKick(() => false));
    expect(msg).not.toMatch(/expected (true|false)/i);
  });
});
