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
import { callStudent, ExerciseCheckError, matchMistake, passed, type ExerciseCheckReport, type SeededProblem } from "../shared/lesson-check";

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

/** The split computed with a common mistake, for {@link splitMistake}. */
function mistakenSplit(address: number, layout: AddressLayout, mistake: "leaf-first" | ">>" | ">>>" | "no-offset" | "one-level-short" | "one-level-extra"): AddressSplit {
  const bits = layout.indexBits;
  const off = layout.offsetBits;
  const right = splitAddressIn(layout, address);
  switch (mistake) {
    case "leaf-first":
      return { indices: right.indices.slice().reverse(), offset: right.offset };
    case ">>":
    case ">>>": {
      const indices: number[] = [];
      let shift = off;
      for (let d = bits.length - 1; d >= 0; d--) {
        const shifted = mistake === ">>" ? address >> shift : address >>> shift;
        indices.unshift(shifted & (2 ** bits[d]! - 1));
        shift += bits[d]!;
      }
      return { indices, offset: address & (2 ** off - 1) };
    }
    case "no-offset": {
      // The index groups taken from bit 0, as if there were no offset below them.
      const indices: number[] = [];
      let rest = address;
      for (let d = bits.length - 1; d >= 0; d--) {
        indices.unshift(rest % 2 ** bits[d]!);
        rest = Math.floor(rest / 2 ** bits[d]!);
      }
      return { indices, offset: right.offset };
    }
    case "one-level-short":
      return { indices: right.indices.slice(1), offset: right.offset };
    case "one-level-extra":
      return { indices: [0, ...right.indices], offset: right.offset };
  }
}

/** The hint for a recognised wrong split (a mutated reference equal to the student's answer), if any. */
function splitMistake(got: AddressSplit, address: number, layout: AddressLayout): string | undefined {
  const as = (m: Parameters<typeof mistakenSplit>[2]) => () => mistakenSplit(address, layout, m);
  return matchMistake(got, [
    { answer: as("leaf-first"), hint: "your indices are in leaf-first order: indices[0] must be the ROOT's index (the highest group of bits), the last one the leaf table's" },
    { answer: as(">>"), hint: "JavaScript's >>, >>> and & work on 32-bit integers, and these addresses are wider: divide by a power of two (Math.floor(a / 2 ** n)) and take a remainder (% 2 ** bits) instead" },
    { answer: as(">>>"), hint: "JavaScript's >>, >>> and & work on 32-bit integers, and these addresses are wider: divide by a power of two (Math.floor(a / 2 ** n)) and take a remainder (% 2 ** bits) instead" },
    { answer: as("no-offset"), hint: `the index bits start above the offset: shift the address right by offsetBits (${layout.offsetBits} here) before taking the leaf's index` },
    { answer: as("one-level-short"), hint: "one index is missing: there is one index per entry of indexBits, and the root's is the first" },
    { answer: as("one-level-extra"), hint: "one index too many: there is exactly one index per entry of indexBits" },
  ]);
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
        throw new ExerciseCheckError(exercise, { wrong: `returned ${JSON.stringify(got)}`, hint: "return an object { indices: number[], offset: number }", input: args });
      }
      const hint = splitMistake(got, address, layout);
      if (got.indices.length !== layout.levels) {
        throw new ExerciseCheckError(exercise, { wrong: `returned ${got.indices.length} indices`, hint: hint ?? `return one index per level: ${layout.levels} here (indexBits has one entry per level), root first`, input: args });
      }
      if (got.offset !== want.offset) {
        const ok = Number.isInteger(got.offset) && got.offset >= 0 && got.offset < layout.pageSizeBytes;
        throw new ExerciseCheckError(exercise, ok
          ? { wrong: "the offset is wrong", hint: hint ?? `the offset is the lowest ${layout.offsetBits} bits of the address`, input: args }
          : { wrong: `the offset ${got.offset} is not an integer from 0 to ${layout.pageSizeBytes - 1}`, hint: hint ?? `the offset is the lowest ${layout.offsetBits} bits of the address`, input: args });
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
            ? { wrong: `${where} is ${JSON.stringify(g)}, not an integer from 0 to ${max}`, hint: hint ?? `it is bits ${low}..${high} of the address`, input: args }
            : { wrong: `${where} is wrong: it is bits ${low}..${high} of the address`, hint: hint ?? "take each level's bits from the top of the address down: the root's group is the highest, just above the groups of the levels below it and the offset", input: args },
        );
      }
      cases++;
    }
  }
  return passed(exercise, cases);
}
