// Lesson 07's migration runs, notices and graded exercise.
import { describe, expect, it } from "vitest";
import { lesson07 as lesson } from "../../../src/course";
import { ExerciseCheckError } from "../../../src/course/shared/lesson-check";

const good = (d: number, pps: number, round: number, maxRounds: number, target: number) => round >= maxRounds || (d / pps) * 1000 <= target;

describe("lesson 07: one migration, round by round", () => {
  const r = lesson.migrationDemo();

  it("converges, copies memory exactly, and its rows add up", () => {
    expect(r.stopReason).toBe("few dirty pages");
    expect(r.differingPages).toEqual([]);
    const rows = lesson.roundRows(r);
    expect(rows).toHaveLength(r.rounds.length + 1);
    expect(rows.reduce((a, x) => a + x.pagesSent, 0)).toBe(r.pagesSent);
    expect(rows.at(-1)!.round).toBe("stop-and-copy");
    expect(rows[0]!.pagesSent).toBe(256 * 256);
  });

  it("the notice is computed from the run", () => {
    const n = lesson.roundsNotice(r);
    expect(n).toContain(`${r.rounds.length} rounds`);
    expect(n).toContain("**identical**");
    expect(n).toContain(r.rounds[0]!.dirtiedPages.toLocaleString("en-US"));
  });

  it("the chart has one bar per round and one for the stop-and-copy", () => {
    const fig = lesson.roundsFigure(r);
    expect(fig.data[0]!.x).toHaveLength(r.rounds.length + 1);
    expect(JSON.stringify(fig.layout.title)).toMatch(/downtime [\d.]+ ms/);
  });
});

describe("lesson 07: downtime against write rate; pre-copy against post-copy", () => {
  it("downtime and traffic grow with the write rate, and fast writers stop at a limit", () => {
    const rows = lesson.downtimeSweep();
    expect(rows.map((r) => r.writesPerSecond)).toEqual([...lesson.SWEEP_WRITE_RATES]);
    for (let i = 1; i < rows.length; i++) expect(rows[i]!.downtimeMs).toBeGreaterThanOrEqual(rows[i - 1]!.downtimeMs);
    expect(rows[0]!.stopReason).toBe("few dirty pages");
    expect(rows.at(-1)!.stopReason).not.toBe("few dirty pages");
    expect(rows.at(-1)!.mibSent).toBeGreaterThan(2 * rows[0]!.mibSent);
    expect(lesson.downtimeNotice(rows)).toMatch(/From [\d,]+ writes per second on/);
    expect(lesson.downtimeFigure(rows).layout.xaxis!.type).toBe("log");
  });

  it("post-copy: shorter pause, less traffic, a slower guest; a longer round trip slows it more", () => {
    const [pre, post] = lesson.prePostComparison();
    expect(post!.downtimeMs).toBeLessThan(pre!.downtimeMs);
    expect(post!.mibSent).toBeLessThan(pre!.mibSent);
    expect(post!.guestProgressPercent).toBeLessThan(100);
    expect(post!.remoteFaults).toBeGreaterThan(0);
    expect(lesson.prePostNotice([pre!, post!])).toContain(`${post!.remoteFaults.toLocaleString("en-US")} remote page faults`);
    const rtt = lesson.postCopyRttRows();
    for (let i = 1; i < rtt.length; i++) expect(rtt[i]!.guestProgressPercent).toBeLessThan(rtt[i - 1]!.guestProgressPercent);
  });

  it("the papers beside the model: the web server's downtime is longer than the game server's, as in Clark et al.", () => {
    const rows = lesson.paperComparison();
    expect(rows).toHaveLength(3);
    const ms = (s: string) => Number(/downtime ([\d.,]+) ms/.exec(s)![1]!.replace(/,/g, ""));
    expect(ms(rows[0]!.model)).toBeGreaterThan(ms(rows[1]!.model));
    expect(rows[0]!.paper).toContain("210 ms");
    expect(rows[2]!.model).toMatch(/\d+ %/);
  });
});

describe("lesson 07: the graded stop rule", () => {
  it("a correct rule passes the fixed and the seeded cases", () => {
    expect(lesson.checkStopPreCopy(good).message).toMatch(/all 11 checks passed/);
    expect(lesson.checkStopPreCopy(good, 7).cases).toBe(51);
  });

  it("wrong rules fail with feedback that names the input and the condition, not the answer", () => {
    const noLimit = (d: number, pps: number, _r: number, _m: number, t: number) => (d / pps) * 1000 <= t;
    expect(() => lesson.checkStopPreCopy(noLimit)).toThrow(/round limit/);
    const seconds = (d: number, pps: number, r: number, m: number, t: number) => r >= m || d / pps <= t;
    expect(() => lesson.checkStopPreCopy(seconds)).toThrow(ExerciseCheckError);
    const pagesOnly = (d: number, _pps: number, r: number, m: number) => r >= m || d < 50;
    expect(() => lesson.checkStopPreCopy(pagesOnly)).toThrow(/pages per second takes about/);
    expect(() => lesson.checkStopPreCopy((() => "stop") as never)).toThrow(/return true \(stop and copy now\) or false/);
    expect(() => lesson.checkStopPreCopy(() => { throw new Error("not implemented"); })).toThrow(/still throws "not implemented"/);
  });

  it("the student's rule drives a real migration: downtime within the target when the rounds converge", () => {
    const r = lesson.migrateWithRule(good, { writesPerSecond: 20_000 });
    expect(r.stopReason).toBe("stop rule");
    expect(r.downtimeSeconds * 1000).toBeLessThanOrEqual(300 + 0.2);
    const capped = lesson.migrateWithRule(good, { writesPerSecond: 200_000, maxRounds: 3, downtimeTargetMs: 10 });
    expect(capped.rounds).toHaveLength(3);
  });
});

describe("lesson 07: the seeded rounds problem", () => {
  it("the same seed gives the same problem; answers follow the geometric series; no answer in the questions", () => {
    const p = lesson.roundsProblem(3);
    expect(lesson.roundsProblem(3)).toEqual(p);
    expect(lesson.roundsProblem(4).questions).not.toEqual(p.questions);
    for (const [q, a] of p.questions.map((q, i) => [q, p.answers[i]!] as const)) {
      expect(q["round 2 (pages)"]).toBe("?");
      const n = a["pages (4 KiB)"] as number, pps = a["link (pages/s)"] as number, d = a["guest dirties (pages/s)"] as number;
      expect(a["round 2 (pages)"]).toBe(Math.round((n * d) / pps));
      expect(a["round 3 (pages)"]).toBeLessThan(a["round 2 (pages)"] as number);
      expect(a["downtime if stopped after round 3 (ms)"]).toBeCloseTo(((n * (d / pps) ** 3) / pps) * 1000, 1);
    }
    expect(() => lesson.roundsProblem(1, { count: 9 })).toThrow(/count: got 9/);
  });
});
