// The live-migration playground: its bars are the simulator's rounds, and its sliders move them the right way.
import { describe, expect, it } from "vitest";
import { resolvePlaygroundParams, runPlayground } from "../../src/playgrounds";
import { liveMigrationRun } from "../../src/playgrounds";

describe("live-migration", () => {
  it("one bar per live round plus the stop-and-copy, from the run itself", () => {
    const p = resolvePlaygroundParams("live-migration");
    const r = liveMigrationRun(p as never);
    const fig = runPlayground("live-migration");
    expect(fig.data[0]!.y!.slice(0, -1)).toEqual(r.rounds.map((x) => x.pagesSent));
    expect(fig.data[0]!.x!.at(-1)).toBe("stop-and-copy");
    expect(fig.layout.yaxis!.type).toBe("log");
  });

  it("more writes: longer downtime; more bandwidth: shorter; a round limit of 1 pauses after the full copy", () => {
    const run = (writesPerSecond: number, bandwidthMbit: number, maxRounds = 29) => liveMigrationRun({ writesPerSecond, bandwidthMbit, maxRounds });
    expect(run(200_000, 1000).downtimeSeconds).toBeGreaterThan(run(5000, 1000).downtimeSeconds);
    expect(run(50_000, 10_000).downtimeSeconds).toBeLessThan(run(50_000, 1000).downtimeSeconds);
    const one = run(20_000, 1000, 1);
    expect(one.rounds).toHaveLength(1);
    expect(one.stopAndCopyPages).toBeGreaterThan(one.rounds[0]!.writes / 10);
  });

  it("rejects a bandwidth that is not a slider value", () => {
    expect(() => runPlayground("live-migration", { bandwidthMbit: 123 })).toThrow(/live-migration.bandwidthMbit: got 123; allowed: one of 100, 500, 1000, 10000 Mbit\/s/);
  });
});
