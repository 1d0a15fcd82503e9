// The io-paths and page-table-churn playgrounds: axis titles on every panel, and cached rows
// (a notebook draws the chart and prints its notice from the same run) that callers cannot corrupt.
import { describe, expect, it } from "vitest";
import { runPlayground } from "../../src/playgrounds";
import { ioPathsRows } from "../../src/playgrounds";
import { churnRows } from "../../src/playgrounds";

describe("io-paths and page-table-churn playgrounds", () => {
  it("io-paths has a titled x axis under both panels", () => {
    const f = runPlayground("io-paths", { requestBytes: 1500 });
    for (const axis of ["xaxis", "xaxis2", "yaxis", "yaxis2"]) {
      const t = (f.layout[axis] as { title?: { text: string } }).title;
      expect(t?.text, axis).toBeTruthy();
    }
  });

  it("rows are cached per parameters and handed out frozen (a cell cannot change what the next one reads)", () => {
    const p = { requestBytes: 4096, offeredLoadKrps: 50, vmCount: 2 };
    const a = ioPathsRows(p);
    expect(() => ((a[0] as { throughputGbps: number }).throughputGbps = -1)).toThrow(TypeError);
    const b = ioPathsRows(p);
    expect(b).toBe(a);
    expect(b[0]!.throughputGbps).toBeGreaterThan(0);
    expect(ioPathsRows({ ...p, vmCount: 1 })[0]!.throughputGbps).not.toBe(b[0]!.throughputGbps);
    const c = { forkExecPer10k: 2, workingSetPages: 64, hostPageKiB: 4 };
    expect(Object.isFrozen(churnRows(c)[1])).toBe(true);
    expect(churnRows(c)).toEqual(churnRows({ ...c }));
  });
});
