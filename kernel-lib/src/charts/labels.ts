/**
 * Names for axes, legends and table columns that several figures and tables share: the x86
 * paging structures by level, and page sizes in binary units.
 */
import { formatNumber } from "../core/format";

const X86_LEVEL_NAMES = ["PT", "PD", "PDPT", "PML4", "PML5"];

/** x86 name of a table level (1 = PT … 4 = PML4, 5 = PML5); "L<n>" beyond. */
export function x86LevelName(level: number): string {
  return X86_LEVEL_NAMES[level - 1] ?? `L${level}`;
}

const BINARY_UNITS: readonly [string, number][] = [["GiB", 2 ** 30], ["MiB", 2 ** 20], ["KiB", 1024]];

/** "4 KiB", "2 MiB", "1 GiB" for a page size in bytes (the largest unit that divides it). */
export function pageSizeLabel(bytes: number): string {
  for (const [unit, size] of BINARY_UNITS) if (bytes >= size && bytes % size === 0) return `${formatNumber(bytes / size)} ${unit}`;
  return `${formatNumber(bytes)} B`;
}
