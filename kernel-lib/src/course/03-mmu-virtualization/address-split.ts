/**
 * Exercise (notebook 03): split a virtual address into its page-table indices and page offset.
 *
 * The seeded problem draws addresses for a layout (x86-64 4-level by default, or OSTEP's tiny
 * 2-level machine); the student writes down the index at every level and the offset, then the
 * reveal shows kernel-lib's own split ({@link AddressLayout.indexAt}). The graded exercise asks
 * for a function `splitAddress(address, indexBits, offsetBits)` for any layout; the checker
 * compares it with the layout's split on many addresses.
 */
import { ConfigError, requireInt } from "../../core/errors";
import { Random } from "../../core/random";
import { hex } from "../../core/format";
import { x86LevelName } from "../../charts/labels";
import { ADDRESS_LAYOUTS, type AddressLayout } from "../../memory/layout";
import { callStudent, ExerciseCheckError, passed, type ExerciseCheckReport, type SeededProblem } from "../shared/lesson-check";

/** An address split into table indices (root first) and the page offset. */
export interface AddressSplit {
  /** One index per level, root first (x86: PML4, PDPT, PD, PT). */
  indices: number[];
  /** Byte offset within the page. */
  offset: number;
}

/** The reference split of `address` in `layout` (indices root first). Not exported: it answers the graded exercise, and nothing a student imports may (issue 12). */
function splitAddressIn(layout: AddressLayout, address: number): AddressSplit {
  const { vpn, offset } = layout.splitVirtualAddress(address);
  const indices: number[] = [];
  for (let level = layout.levels; level >= 1; level--) indices.push(layout.indexAt(vpn, level));
  return { indices, offset };
}

function layoutByName(name: string): AddressLayout {
  const layout = ADDRESS_LAYOUTS[name];
  if (!layout) throw new ConfigError("layout", name, `one of ${Object.keys(ADDRESS_LAYOUTS).map((k) => JSON.stringify(k)).join(", ")}`);
  return layout;
}

/** A random address of a layout: any VPN below 2^53 and any offset. */
function randomAddress(layout: AddressLayout, rng: Random): number {
  const vpnLimit = Math.min(layout.virtualPages, 2 ** (53 - layout.offsetBits));
  return rng.int(vpnLimit) * layout.pageSizeBytes + rng.int(layout.pageSizeBytes);
}

/** Column name for the index of `level` in a layout (x86 names for 4/5-level layouts). */
export function levelName(layout: AddressLayout, level: number): string {
  if (layout.name.startsWith("x86-64")) return `${x86LevelName(level)} (L${level})`;
  if (layout.levels === 2) return level === 2 ? "directory index" : "table index";
  return `L${level} index`;
}

/**
 * A seeded address-split problem: `count` addresses of `layout` ("x86-64-4level",
 * "x86-64-5level", "ostep-2level"). Default 4 addresses, x86-64 4-level.
 */
export function addressSplitProblem(seed = 1, options: { layout?: string; count?: number } = {}): SeededProblem {
  const layout = layoutByName(options.layout ?? "x86-64-4level");
  const count = requireInt("count", options.count ?? 4, 1, 20);
  const rng = new Random(seed);
  const questions = [];
  const answers = [];
  for (let i = 0; i < count; i++) {
    const address = randomAddress(layout, rng);
    const split = splitAddressIn(layout, address);
    questions.push({ "#": i + 1, "virtual address": hex(address) });
    const row: Record<string, unknown> = { "#": i + 1, "virtual address": hex(address) };
    split.indices.forEach((index, d) => (row[levelName(layout, layout.levels - d)] = index));
    row["offset"] = hex(split.offset);
    answers.push(row);
  }
  const bits = layout.indexBits.join(" + ");
  return {
    seed,
    parameters: `seed ${seed} · layout **${layout.name}** · index bits ${bits} (root first) · offset bits ${layout.offsetBits} · ${count} addresses`,
    prompt:
      `For each address, write down the index into the table at every level (root first) and the byte offset in the page. ` +
      `The lowest ${layout.offsetBits} bits are the offset; above them come ${layout.levels} groups of ${bits} bits, the root's group highest.`,
    questions,
    answers,
    stats: `${count} addresses split · ${layout.levels} table reads each on a TLB miss (one per level).`,
  };
}

/** The signature students implement. */
export type SplitAddressFn = (address: number, indexBits: number[], offsetBits: number) => AddressSplit;

/**
 * Checks a student's `splitAddress` on 50 seeded addresses of each of three layouts (OSTEP's
 * 2-level toy, x86-64 4-level, and a 3-level 10+10+... layout) plus the edge addresses 0 and
 * the top of the space. Throws an {@link ExerciseCheckError} with feedback on the first mismatch.
 */
export function checkSplitAddress(splitAddress: SplitAddressFn, seed = 2024): ExerciseCheckReport {
  const exercise = "splitAddress";
  const rng = new Random(seed);
  const layouts = [layoutByName("ostep-2level"), layoutByName("x86-64-4level"), layoutByName("ostep-linear")];
  let cases = 0;
  for (const layout of layouts) {
    const top = Math.min(layout.virtualPages, 2 ** (53 - layout.offsetBits)) * layout.pageSizeBytes - 1;
    const addresses = [0, top, ...Array.from({ length: 50 }, () => randomAddress(layout, rng))];
    for (const address of addresses) {
      const want = splitAddressIn(layout, address);
      const args = `address ${hex(address)} with indexBits [${layout.indexBits.join(", ")}] and offsetBits ${layout.offsetBits}`;
      const got = callStudent(exercise, splitAddress, [address, layout.indexBits.slice(), layout.offsetBits], args);
      if (got === null || typeof got !== "object" || !Array.isArray(got.indices) || typeof got.offset !== "number") {
        throw new ExerciseCheckError(exercise, `return an object { indices: number[], offset: number } (got ${JSON.stringify(got)} for ${args})`);
      }
      if (got.indices.length !== layout.levels) {
        throw new ExerciseCheckError(exercise, `return one index per level: ${layout.levels} for ${args}, root first (got ${got.indices.length})`);
      }
      if (got.offset !== want.offset) {
        const ok = Number.isInteger(got.offset) && got.offset >= 0 && got.offset < layout.pageSizeBytes;
        throw new ExerciseCheckError(
          exercise,
          ok
            ? `wrong offset for ${args}: the offset is the lowest ${layout.offsetBits} bits of the address`
            : `the offset must be an integer from 0 to ${layout.pageSizeBytes - 1} (the lowest ${layout.offsetBits} bits); got ${got.offset} for ${args}`,
        );
      }
      for (let d = 0; d < layout.levels; d++) {
        if (got.indices[d] === want.indices[d]) continue;
        const max = 2 ** layout.indexBits[d]! - 1;
        const low = layout.offsetBits + layout.indexBits.slice(d + 1).reduce((a, b) => a + b, 0);
        const high = low + layout.indexBits[d]! - 1;
        const where = `indices[${d}] (${d === 0 ? "the root level" : `${d} below the root`})`;
        const g = got.indices[d];
        throw new ExerciseCheckError(
          exercise,
          typeof g !== "number" || !Number.isInteger(g) || g < 0 || g > max
            ? `${where} must be an integer from 0 to ${max}; got ${g} for ${args}`
            : `${where} is wrong for ${args}: it is bits ${low}..${high} of the address (hint: >>, >>> and & work on 32 bits only, so for wider addresses divide by a power of two and take a remainder)`,
        );
      }
      cases++;
    }
  }
  return passed(exercise, cases);
}
