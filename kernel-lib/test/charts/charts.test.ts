import { describe, expect, it } from "vitest";
import { barChart, lineChart } from "../../src/charts/builders";
import { PLOTLY_MIME } from "../../src/charts/figure";
import { figureBundle, tableBundle } from "../../src/display/bundle";
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
  });

  it("renders tables as HTML and aligned text", () => {
    const b = tableBundle(rows, { caption: "Costs" });
    expect(String(b["text/html"])).toContain("<th>cycles</th>");
    expect(String(b["text/plain"]).split("\n")).toHaveLength(6);
  });
});
