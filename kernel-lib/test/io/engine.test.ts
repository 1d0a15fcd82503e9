import { describe, expect, it } from "vitest";
import { IoEventQueue } from "../../src/io/event-queue";
import { IoSimulation } from "../../src/io/simulation";
import { IO_PRIORITY_INTERRUPT, IO_PRIORITY_NORMAL, IoServer } from "../../src/io/server";
import { ConfigError } from "../../src/core/errors";
import { Random } from "../../src/core/random";

describe("IoEventQueue", () => {
  it("pops in time order and, at equal times, in insertion order", () => {
    const q = new IoEventQueue();
    const fired: string[] = [];
    const times = [5, 1, 3, 1, 5, 0, 3, 1];
    times.forEach((t, i) => q.push(t, () => fired.push(`${t}:${i}`)));
    while (q.size > 0) q.pop()!.action();
    expect(fired).toEqual(["0:5", "1:1", "1:3", "1:7", "3:2", "3:6", "5:0", "5:4"]);
  });

  it("agrees with a stable sort on thousands of random times", () => {
    const r = new Random(3);
    const q = new IoEventQueue();
    const items = Array.from({ length: 5000 }, (_, i) => ({ t: r.int(50), i }));
    for (const it of items) q.push(it.t, () => {});
    const order: number[] = [];
    for (let e = q.pop(); e !== undefined; e = q.pop()) order.push(e.seq);
    const expected = [...items].sort((a, b) => a.t - b.t || a.i - b.i).map((x) => x.i);
    expect(order).toEqual(expected);
  });
});

describe("IoSimulation and IoServer", () => {
  it("advances the clock event by event and stops at a horizon", () => {
    const sim = new IoSimulation();
    const seen: number[] = [];
    sim.schedule(10, () => {
      seen.push(sim.nowNs);
      sim.schedule(0, () => seen.push(sim.nowNs + 0.5));
      sim.schedule(30, () => seen.push(sim.nowNs));
    });
    sim.schedule(20, () => seen.push(sim.nowNs));
    expect(sim.run(25)).toBe(25);
    expect(seen).toEqual([10, 10.5, 20]);
    sim.run();
    expect(seen).toEqual([10, 10.5, 20, 40]);
    expect(() => sim.schedule(-1, () => {})).toThrow(ConfigError);
  });

  it("serves one job at a time, interrupts before normal work, and measures busy time", () => {
    const sim = new IoSimulation();
    const server = new IoServer(sim, "cpu");
    const log: string[] = [];
    server.submit(IO_PRIORITY_NORMAL, () => 10, () => log.push(`a@${sim.nowNs}`));
    server.submit(IO_PRIORITY_NORMAL, () => 10, () => log.push(`b@${sim.nowNs}`));
    server.submit(IO_PRIORITY_INTERRUPT, () => 5, () => log.push(`irq@${sim.nowNs}`));
    sim.run();
    expect(log).toEqual(["a@10", "irq@15", "b@25"]);
    expect(server.busyNs).toBe(25);
  });
});
