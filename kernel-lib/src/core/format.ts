/**
 * How numbers read in tables, charts and notices: a few significant digits and thousands
 * separators, and addresses in hex. Shared by charts/, display/ and the lessons.
 */

/** A number for a reader: integers with separators ("1,500"), others to `digits` significant digits. */
export function formatNumber(v: number, digits = 3): string {
  if (Number.isInteger(v)) return v.toLocaleString("en-US");
  if (Math.abs(v) >= 1000) return Math.round(v).toLocaleString("en-US");
  return Number(v.toPrecision(digits)).toString();
}

/** Hex text of a non-negative integer, e.g. 0x7f3a (addresses and frame numbers in tables). */
export function hex(n: number): string {
  return "0x" + n.toString(16);
}
