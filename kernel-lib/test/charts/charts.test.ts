import { describe, expect, it } from "vitest";
import { barChart, lineChart } from "../../src/charts/builders";
import { PLOTLY_MIME } from "../../src/charts/figure";
import { CHART_MIME, figureBundle, isNumericColumn, tableBundle } from "../../src/display/bundle";
import { ConfigError } from "../../src/core/errors";

const rows = [
  { mode: "shadow", entries: 16, cycles: 10 },
  { mode: "shadow", entries: 64, cycles: 7 },
  { mode: "nested", entries: 16, cycles: 20 },
  { mode: "nested", entries: 64, cycles: 9 },
];

describe("chart builders", () => {
  it("makes one trace per colour value from tidy rows", () => {
    const fig = lineChart(rows, { x: "entries", y: "cycles", color: "mode", title: "T", xTitle: "entries", yTitle: "cycles" });
    expect(fig.data.map((t) => t.name)).toEqual(["shadow", "nested"]);
    expect(fig.data[1]!.y).toEqual([20, 9]);
    expect(fig.layout.xaxis?.title).toEqual({ text: "entries" });
  });

  it("names a missing column and the columns that exist", () => {
    expect(() => barChart(rows, { x: "entries", y: "nope" as "cycles", title: "T", xTitle: "a", yTitle: "b" })).toThrowError(
      /column: got "nope"; allowed: a column of the rows: mode, entries, cycles/,
    );
    expect(() => barChart([], { x: "a", y: "b", title: "T", xTitle: "a", yTitle: "b" })).toThrow(ConfigError);
  });
});

describe("display bundles", () => {
  it("puts a chart in one output with Plotly JSON and an HTML copy that survives export", () => {
    const fig = barChart(rows, { x: "entries", y: "cycles", color: "mode", title: "A <b> chart", xTitle: "a", yTitle: "b" });
    const bundle = figureBundle(fig);
    expect(bundle[PLOTLY_MIME]).toBe(fig);
    const html = String(bundle["text/html"]);
    const json = html.match(/<script type="application\/vnd.plotly.v1\+json">(.*?)<\/script>/)![1]!;
    expect(JSON.parse(json)).toEqual(fig);
    expect(html).not.toMatch(/plotly(\.min)?\.js/); // no bundle embedded per output
    expect(html).toContain("A &lt;b&gt; chart");
    expect(bundle[CHART_MIME], "the marker lab-extension/ draws fitted").toEqual({ title: "A <b> chart" });
  });

  it("renders tables as HTML and aligned text", () => {
    const b = tableBundle(rows, { caption: "Costs" });
    expect(String(b["text/html"])).toContain('<th style="text-align:right">cycles</th>');
    expect(String(b["text/plain"]).split("\n")).toHaveLength(6);
  });

  it("aligns each table column as a whole by its content: numbers right, text (even mixed with numbers) left", () => {
    const html = String(tableBundle([
      { fault: "none (guest page fault)", reads: 27, note: "—" },
      { fault: 3, reads: 4, note: "" },
    ])["text/html"]);
    const aligned = (column: number) => [...html.matchAll(/<t[hd] style="text-align:(\w+)">/g)].map((m) => m[1]).filter((_, i) => i % 3 === column);
    expect(aligned(0)).toEqual(["left", "left", "left"]); // header and both cells: a text column with a number in it
    expect(aligned(1)).toEqual(["right", "right", "right"]);
    expect(aligned(2)).toEqual(["left", "left", "left"]); // only placeholders: nothing to right-align
    expect(isNumericColumn([1, "—", undefined, 2.5])).toBe(true);
    expect(isNumericColumn(["0x1f", 3])).toBe(false);
  });
});
