// Chart touches of notebooks 04–06: readable log ticks and the horizontal ratio chart.
import { describe, expect, it } from "vitest";
import { barChart } from "../../src/charts/builders";
import { ConfigError } from "../../src/core/errors";
import { logAxisTicks, ratioFigure, runPlayground, playgroundNames } from "../../src";
import { figureBundle } from "../../src/display/bundle";

describe("lesson chart touches", () => {
  it("puts decade ticks only on a log axis, at least two of them, widening an axis inside one decade", () => {
    const chart = (vs: number[]) => logAxisTicks(barChart(vs.map((v, i) => ({ a: `r${i}`, v })), { x: "a", y: "v", logY: true, title: "t", xTitle: "a", yTitle: "b" }));
    const narrow = chart([3, 60]);
    expect(narrow.layout.yaxis!.tickvals).toEqual([1, 10, 100]);
    const wide = chart([2, 1900]);
    expect(wide.layout.yaxis!.tickvals).toEqual([10, 100, 1000]);
    expect(wide.layout.yaxis!.ticktext).toEqual(["10", "100", "1,000"]);
    // Inside one decade (12 to 80): a single "10"-less axis is widened to 10 and 100.
    const inside = chart([12, 80]);
    expect(inside.layout.yaxis!.tickvals).toEqual([10, 100]);
    const r = inside.layout.yaxis!.range as number[];
    expect(r[0]).toBeLessThanOrEqual(1);
    expect(r[1]).toBeGreaterThanOrEqual(2);
    // Spanning exactly one power of ten (5 to 40): never the single "10" tick.
    expect(chart([5, 40]).layout.yaxis!.tickvals).toEqual([1, 10, 100]);
    for (const vs of [[3, 60], [2, 1900], [12, 80], [5, 40], [0.3, 0.9], [7, 7]]) {
      const ticks = chart(vs).layout.yaxis!.tickvals as number[];
      expect(ticks.length, String(vs)).toBeGreaterThanOrEqual(2);
      expect(ticks.every((t) => Math.abs(Math.log10(t) - Math.round(Math.log10(t))) < 1e-9), String(vs)).toBe(true);
    }
    const linear = logAxisTicks(barChart([{ a: "x", v: 3 }], { x: "a", y: "v", title: "t", xTitle: "a", yTitle: "b" }));
    expect(linear.layout.yaxis).not.toHaveProperty("tickvals");
  });

  it("ticks every log axis kernel-lib draws: a second y axis of a playground, an axis with its own range", () => {
    for (const name of playgroundNames()) {
      const fig = runPlayground(name);
      for (const [key, axis] of Object.entries(fig.layout)) {
        if (!/^[xy]axis\d*$/.test(key) || (axis as { type?: string }).type !== "log") continue;
        const ticks = (axis as { tickvals?: number[] }).tickvals;
        expect(ticks, `${name} ${key}`).toBeDefined();
        expect(ticks!.length, `${name} ${key}`).toBeGreaterThanOrEqual(2);
        expect(ticks!.every((t) => Math.abs(Math.log10(t) - Math.round(Math.log10(t))) < 1e-9), `${name} ${key}: ${ticks}`).toBe(true);
      }
    }
    const bundle = figureBundle(barChart([{ a: "x", v: 12 }, { a: "y", v: 80 }], { x: "a", y: "v", logY: true, title: "t", xTitle: "a", yTitle: "b" }));
    expect((bundle["application/vnd.plotly.v1+json"] as { layout: { yaxis: { tickvals: number[] } } }).layout.yaxis.tickvals).toEqual([10, 100]);
  });

  it("draws ratios as labelled horizontal bars, one trace per colour, rows top to bottom", () => {
    const rows = [
      { what: "shadow", x: 20, area: "memory" },
      { what: "nested", x: 1.8, area: "memory" },
      { what: "emulated", x: 9.8, area: "I/O" },
    ];
    const fig = ratioFigure(rows, { label: "what", value: "x", color: "area", title: "t", valueTitle: "× native" });
    expect(fig.data.map((t) => t.name)).toEqual(["memory", "I/O"]);
    expect(fig.data.every((t) => t.type === "bar" && t.orientation === "h")).toBe(true);
    expect(fig.data[0]!.text).toEqual(["20×", "1.8×"]);
    expect(fig.layout.yaxis!.categoryarray).toEqual(["emulated", "nested", "shadow"]);
    expect(fig.layout.xaxis!.type).toBe("log");
    expect(() => ratioFigure(rows, { label: "nope" as never, value: "x", color: "area", title: "t", valueTitle: "v" })).toThrow(ConfigError);
  });
});
