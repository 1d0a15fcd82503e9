// Chart touches of notebooks 04–06: readable log ticks and the horizontal ratio chart.
import { describe, expect, it } from "vitest";
import { barChart } from "../../src/charts/builders";
import { ConfigError } from "../../src/core/errors";
import { logAxisTicks, ratioFigure } from "../../src";

describe("lesson chart touches", () => {
  it("puts 1-2-5 ticks on a narrow log axis and decades on a wide one", () => {
    const narrow = logAxisTicks(barChart([{ a: "x", v: 3 }, { a: "y", v: 60 }], { x: "a", y: "v", logY: true, title: "t", xTitle: "a", yTitle: "b" }));
    expect(narrow.layout.yaxis!.tickvals).toEqual([2, 5, 10, 20, 50]);
    const wide = logAxisTicks(barChart([{ a: "x", v: 2 }, { a: "y", v: 1900 }], { x: "a", y: "v", logY: true, title: "t", xTitle: "a", yTitle: "b" }));
    expect(wide.layout.yaxis!.tickvals).toEqual([10, 100, 1000]);
    expect(wide.layout.yaxis!.ticktext).toEqual(["10", "100", "1,000"]);
    const linear = logAxisTicks(barChart([{ a: "x", v: 3 }], { x: "a", y: "v", title: "t", xTitle: "a", yTitle: "b" }));
    expect(linear.layout.yaxis).not.toHaveProperty("tickvals");
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
