/**
 * Where a cost constant comes from, said one way for every constant of the cost model.
 *
 * A constant either cites rows of docs/virtualization-figures.md (the key the lessons and
 * handouts cite; a test checks every cited id is a row there) or is an explicit assumption of
 * the model, with its reason and the lesson text that depends on it, so a reader can tell
 * which numbers are measured elsewhere and which are ours.
 */

/** A row id of docs/virtualization-figures.md: its section letter and number, e.g. "B7". */
export type FigureId = `${"A" | "B" | "C" | "D"}${number}`;

/** The source of one constant. */
export type CostSource =
  | {
      /** Rows of docs/virtualization-figures.md the value is taken or derived from. */
      readonly figure: readonly FigureId[];
      /** How the value follows from them; names each figure as "[B7]". */
      readonly how: string;
    }
  | {
      /** Why this value is plausible, with no published figure to take it from. */
      readonly assumption: string;
      /** The lesson text (or result) that depends on it, so a change can be checked there. */
      readonly usedBy: string;
    };

/** A constant and its source. */
export interface CitedValue {
  /** The default value. */
  readonly value: number;
  /** Where it comes from. */
  readonly source: CostSource;
}

/** One line for a table: "[B11] minus [B7]: …" for cited values, "Assumption: …" otherwise. */
export function costSourceText(source: CostSource): string {
  return "figure" in source ? source.how : `Assumption: ${source.assumption}`;
}

/** The figure ids a source cites (none for an assumption). */
export function citedFigureIds(source: CostSource): readonly FigureId[] {
  return "figure" in source ? source.figure : [];
}

/** How far a figure was checked, as tagged in docs/virtualization-figures.md. */
export type FigureCheck = "V" | "V2" | "D" | "R";

/**
 * How each figure the cost model and the lessons cite was checked: "V" in the primary source,
 * "V2" seen only in a secondary source quoting it, "D" derived, "R" recalled (not to be cited).
 * Rows with mixed parts (C3: [V] abstract, [V2] baseline) carry the tag of the part used.
 * test/costs/figures.test.ts reads the doc and checks each tag appears in that row's source.
 */
export const CITED_FIGURE_CHECKS: Readonly<Record<string, FigureCheck>> = Object.freeze({
  A1: "V", A4: "V2", A8: "D", A9: "V", A12: "V", A16: "V",
  B1: "V", B2: "V", B3: "V", B4: "V", B5: "V", B6: "V2", B7: "V", B8: "V", B10: "V2", B11: "V2", B12: "V2", B13: "V",
  C1: "V", C2: "V", C3: "V", C4: "V2", C5: "V", C6: "V", C7: "V2", C8: "V", C9: "V2", C10: "V", C12: "V2", C13: "V", C14: "V", C15: "V",
  D1: "V", D2: "V", D4: "V", D5: "V2", D10: "V",
});
