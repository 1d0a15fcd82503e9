/**
 * What a memory-translation slowdown means for a whole program. The memory cost model counts the
 * cycles of translating and making each access (the data access itself at 1 cycle), so its
 * "N× native" is the cost of that work alone; a program also computes. If translation takes a
 * share s of a program's time on bare metal, an N× costlier translation makes the whole program
 * 1 − s + s·N times slower (Amdahl's law), the rest of its time unchanged.
 */
import type { CitedValue } from "../../costs/source";
import { formatNumber as f } from "../../core/format";

/** The share of a program's time that address translation takes on bare metal: big-memory servers. */
export const TRANSLATION_SHARE: CitedValue = {
  value: 0.1,
  source: {
    figure: ["A16"],
    how: "[A16] big-memory server workloads spend up to 10% of execution cycles on TLB misses even with large pages " +
      "(Basu et al., ISCA 2013; a secondary summary says up to 51% with 4 KiB pages): the measured, conservative figure.",
  },
};

/** The whole program's slowdown when its translation, a share `share` of its time, becomes `slowdown`× costlier. */
export function wholeProgramSlowdown(slowdown: number, share = TRANSLATION_SHARE.value): number {
  if (!(share >= 0 && share <= 1)) throw new RangeError(`share: got ${share}; allowed: a fraction from 0 to 1`);
  return 1 - share + share * slowdown;
}

/** One sentence for students: the slowdowns given, and what each means for a whole program. */
export function wholeProgramNote(slowdowns: readonly number[], share = TRANSLATION_SHARE.value): string {
  const pct = f(share * 100);
  const pairs = [...new Set(slowdowns)].sort((a, b) => b - a)
    .map((s) => `${f(s)}× → ${f(wholeProgramSlowdown(s, share))}×`).join(", ");
  return `**For a whole program:** these are the costs of translating memory accesses, not of running a program. ` +
    `A program also computes: big-memory servers spend up to ${pct} % of their time on TLB misses (figure A16, ` +
    `Basu et al., ISCA 2013). If translation is ${pct} % of a program's time, an N× costlier translation makes the ` +
    `whole program 1 + ${f(share)} × (N − 1) times slower: ${pairs}.`;
}
