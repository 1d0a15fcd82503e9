/**
 * Notebook 04's table of cost constants: each value, its cited source, and how far the cited
 * figure of docs/virtualization-figures.md was checked.
 */
import { ConfigError } from "../../core/errors";
import { defaultIoCosts, ioCostSources, type IoCosts } from "../../costs/io";

/**
 * How each figure of docs/virtualization-figures.md was checked, for the figures cited by the
 * cost constants and the lessons: "V" in the primary source, "V2" seen only in a secondary source
 * quoting it, "D" derived, "R" recalled (not to be cited). Figures with mixed parts take the
 * weakest tag of the part the code or a lesson uses.
 */
export const FIGURE_CHECKS: Readonly<Record<string, "V" | "V2" | "D" | "R">> = Object.freeze({
  A1: "V", A4: "V2", A8: "D", A9: "V", A12: "V", A16: "V",
  B1: "V", B2: "V", B3: "V", B4: "V", B5: "V", B6: "V2", B7: "V", B8: "V", B10: "V2", B11: "V2", B12: "V2", B13: "V",
  C1: "V", C2: "V", C3: "V", C4: "V2", C5: "V", C6: "V", C7: "V2", C8: "V", C9: "V2", C10: "V",
  D1: "V", D2: "V", D4: "V", D5: "V2", D10: "V",
});

function howChecked(source: string): string {
  const ids = [...source.matchAll(/\[([A-D]\d{1,2})\]/g)].map((m) => m[1]!);
  if (ids.length === 0) return /^Assumption/.test(source) ? "assumption of the model" : "—";
  const levels: string[] = ids.map((id) => FIGURE_CHECKS[id] ?? "?");
  if (levels.includes("R") || levels.includes("?")) return "not checked: do not cite";
  if (levels.includes("V2")) return "reported by a secondary source (V2)";
  return levels.includes("D") || /derived/i.test(source) ? "derived from checked figures" : "checked in the primary source";
}

/** Cost constants with their values, cited sources and how far each cited figure was checked, for a table. */
export function costSources(names: readonly (keyof IoCosts)[] = Object.keys(defaultIoCosts) as (keyof IoCosts)[]): { constant: string; value: number; source: string; checked: string }[] {
  return names.map((name) => {
    if (!(name in defaultIoCosts)) throw new ConfigError("names", name, `IoCosts names: ${Object.keys(defaultIoCosts).join(", ")}`);
    return { constant: name, value: defaultIoCosts[name], source: ioCostSources[name], checked: howChecked(ioCostSources[name]) };
  });
}
