// Chart colours stay apart for readers with colour-vision deficiencies: every pair of colours a
// chart may put side by side is compared after simulating deuteranopia and protanopia (Machado,
// Oliveira & Fernandes 2009, severity 1.0, in linear RGB) by its CIE76 colour difference.
import { describe, expect, it } from "vitest";
import { COLORWAY, MODE_COLORS, PALETTE } from "../../src/charts/palette";
import { barChart } from "../../src/charts/builders";
import { runPlayground } from "../../src/playgrounds";

const MACHADO: Record<string, number[][]> = {
  normal: [[1, 0, 0], [0, 1, 0], [0, 0, 1]],
  deuteranopia: [[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413], [-0.01182, 0.04294, 0.968881]],
  protanopia: [[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216], [-0.003882, -0.048116, 1.051998]],
};
const toLinear = (c: number) => (c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4);
function lab(hex: string, vision: string): number[] {
  const rgb = [1, 3, 5].map((i) => toLinear(parseInt(hex.slice(i, i + 2), 16) / 255));
  const [r, g, b] = MACHADO[vision]!.map((row) => Math.min(1, Math.max(0, row[0]! * rgb[0]! + row[1]! * rgb[1]! + row[2]! * rgb[2]!)));
  const xyz = [0.4124 * r! + 0.3576 * g! + 0.1805 * b!, 0.2126 * r! + 0.7152 * g! + 0.0722 * b!, 0.0193 * r! + 0.1192 * g! + 0.9505 * b!];
  const f = (t: number) => (t > 216 / 24389 ? Math.cbrt(t) : (24389 / 27 * t + 16) / 116);
  const [fx, fy, fz] = [f(xyz[0]! / 0.9505), f(xyz[1]!), f(xyz[2]! / 1.089)];
  return [116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz)];
}
const deltaE = (a: string, b: string, vision: string) => Math.hypot(...lab(a, vision).map((v, i) => v - lab(b, vision)[i]!));

/** The smallest colour difference between any two of `colors`, for each kind of vision. */
function closestPair(colors: readonly string[]): Record<string, number> {
  return Object.fromEntries(Object.keys(MACHADO).map((vision) => {
    let min = Infinity;
    for (let i = 0; i < colors.length; i++) for (let j = i + 1; j < colors.length; j++) min = Math.min(min, deltaE(colors[i]!, colors[j]!, vision));
    return [vision, min];
  }));
}

describe("chart colours for every reader", () => {
  it("the first six series colours stay apart under deuteranopia and protanopia (ΔE ≥ 15)", () => {
    for (const [vision, d] of Object.entries(closestPair(COLORWAY.slice(0, 6)))) expect(d, vision).toBeGreaterThanOrEqual(15);
  });

  it("the three memory modes, and the five I/O paths of the io-paths playground, stay apart (ΔE ≥ 15)", () => {
    for (const [vision, d] of Object.entries(closestPair(Object.values(MODE_COLORS)))) expect(d, `modes, ${vision}`).toBeGreaterThanOrEqual(15);
    const paths = runPlayground("io-paths", {}).data[0]!.marker as { color: string[] };
    expect(new Set(paths.color).size).toBe(5);
    for (const [vision, d] of Object.entries(closestPair(paths.color))) expect(d, `io paths, ${vision}`).toBeGreaterThanOrEqual(15);
  });

  it("builders and playgrounds use the palette", () => {
    expect(barChart([{ a: "x", b: 1 }], { x: "a", y: "b", title: "t", xTitle: "x", yTitle: "y" }).layout.colorway).toEqual([...COLORWAY]);
    const churn = runPlayground("page-table-churn", {}).data[0]!.marker as { color: string[] };
    expect(churn.color).toEqual([MODE_COLORS.native, MODE_COLORS.shadow, MODE_COLORS.nested]);
    expect(Object.values(PALETTE)).toContain(MODE_COLORS.nested);
  });
});
