/**
 * Exercises of notebook 06 (the key activity): simulate basic MMU operations by hand, then in
 * code, on OSTEP's two-level toy machine (figure D10, `paging-multilevel-translate.py`).
 *
 * - `ostepMachine(seed)`: a fresh machine as OSTEP's homework builds it: 128 pages of 32 bytes
 *   filled with random bytes, a page directory at the PDBR, page tables, and unused entries 0x7f
 *   (valid bit clear). Memory is a kernel-lib PhysicalMemory, so the library's own page walker
 *   (`solveOstepTranslation`) answers every question.
 * - `mmuTranslationProblem(seed)`: predict-then-reveal: the dump, the PDBR and a few virtual
 *   addresses; the student translates by hand; the reveal is the library's walk.
 * - `checkOstepWalk(fn)`: the graded exercise: the student's page walk is compared with the
 *   library's on many machines and addresses; feedback names the rule that was broken.
 * - `walkReadsAndTlbSavings(fn, ...)`: the student's walk, counted: how many page-table bytes it
 *   read, and how many of those walks a small TLB (kernel-lib's `Tlb`) would have saved.
 */
import { requireInt } from "../../core/errors";
import { Random } from "../../core/random";
import { hex } from "../../core/format";
import { OSTEP_TWO_LEVEL } from "../../memory/layout";
import { solveOstepTranslation } from "../../memory/ostep";
import type { WalkStep } from "../../memory/walk-step";
import { PhysicalMemory } from "../../memory/physical-memory";
import { Tlb } from "../../mmu/tlb";
import { callStudent, ExerciseCheckError, passed, type ExerciseCheckReport, type SeededProblem } from "../shared/lesson-check";

// The machine's geometry is OSTEP's two-level layout (memory/layout.ts): 32-byte pages, 128
// frames, 1024 virtual pages, 32 one-byte entries per table, a valid bit (0x80) over a 7-bit PFN.
const LAYOUT = OSTEP_TWO_LEVEL;
const PAGE = LAYOUT.pageSizeBytes;
const FRAMES = LAYOUT.physicalFrames;
const VIRTUAL_PAGES = LAYOUT.virtualPages;
const ENTRIES = 2 ** LAYOUT.indexBits[1]!;
const VALID = 2 ** LAYOUT.pte.presentBit;
/** What OSTEP writes in unused entries: the valid bit clear, every PFN bit set (0x7f). */
const INVALID = 2 ** LAYOUT.pte.frameBits - 1;

/** A generated OSTEP two-level machine. */
export interface OstepMachine {
  /** The seed it came from. */
  seed: number;
  /** Physical memory (128 frames of 32 bytes). */
  memory: PhysicalMemory;
  /** Page-directory base register: the frame of the page directory. */
  pdbr: number;
  /** Virtual page numbers that are mapped (valid PDE and valid PTE). */
  mappedVpns: number[];
  /** The memory dump as OSTEP prints it: one line "page  N: xx xx …" per frame. */
  dump: string;
}

/**
 * Builds a machine like OSTEP's `paging-multilevel-translate.py -s seed`: `mappedPages` virtual
 * pages (default 24) mapped to random free frames through a page directory and page tables.
 */
export function ostepMachine(seed = 1, options: { mappedPages?: number } = {}): OstepMachine {
  const mappedPages = requireInt("mappedPages", options.mappedPages ?? 24, 1, 64);
  const rng = new Random(seed);
  const image = new Uint8Array(FRAMES * PAGE);
  for (let i = 0; i < image.length; i++) image[i] = rng.int(256);
  const free = Array.from({ length: FRAMES }, (_, i) => i);
  const take = () => free.splice(rng.int(free.length), 1)[0]!;
  const pdbr = take();
  image.fill(INVALID, pdbr * PAGE, pdbr * PAGE + PAGE);
  const tableOf = new Map<number, number>();
  const mapped = new Set<number>();
  // Cluster the mappings in a few regions (code, heap, stack), as a real address space is.
  const regions = [rng.int(VIRTUAL_PAGES), rng.int(VIRTUAL_PAGES), rng.int(VIRTUAL_PAGES)];
  while (mapped.size < mappedPages) {
    const vpn = (regions[rng.int(regions.length)]! + rng.int(12)) % VIRTUAL_PAGES;
    if (mapped.has(vpn)) continue;
    const pdIndex = Math.floor(vpn / ENTRIES);
    let table = tableOf.get(pdIndex);
    if (table === undefined) {
      table = take();
      tableOf.set(pdIndex, table);
      image.fill(INVALID, table * PAGE, table * PAGE + PAGE);
      image[pdbr * PAGE + pdIndex] = VALID | table;
    }
    image[table * PAGE + (vpn % ENTRIES)] = VALID | take();
    mapped.add(vpn);
  }
  const memory = new PhysicalMemory({ pageSizeBytes: PAGE, frameCount: FRAMES, name: `OSTEP machine (seed ${seed})` });
  memory.loadImage(image);
  const lines: string[] = [];
  for (let f = 0; f < FRAMES; f++) {
    const bytes = Array.from(image.subarray(f * PAGE, (f + 1) * PAGE), (b) => b.toString(16).padStart(2, "0")).join(" ");
    lines.push(`page ${String(f).padStart(3)}: ${bytes}`);
  }
  return { seed, memory, pdbr, mappedVpns: [...mapped].sort((a, b) => a - b), dump: lines.join("\n") };
}

/**
 * Virtual addresses for questions, shuffled: about 60% in mapped pages (they translate), one in
 * a page whose directory entry is valid but whose table entry is not (a PTE fault), the rest
 * anywhere (mostly directory faults).
 */
function pickAddresses(machine: OstepMachine, rng: Random, count: number): number[] {
  const vpns: number[] = [];
  const mappedCount = Math.max(1, Math.round(count * 0.6));
  for (let i = 0; i < mappedCount; i++) vpns.push(rng.pick(machine.mappedVpns));
  if (vpns.length < count) {
    // A neighbour of a mapped page in the same table's region that is not mapped itself.
    const mapped = rng.pick(machine.mappedVpns);
    const base = mapped - (mapped % ENTRIES);
    const candidates = Array.from({ length: ENTRIES }, (_, k) => base + k).filter((v) => !machine.mappedVpns.includes(v));
    if (candidates.length > 0) vpns.push(rng.pick(candidates));
  }
  while (vpns.length < count) vpns.push(rng.int(VIRTUAL_PAGES));
  for (let i = vpns.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [vpns[i], vpns[j]] = [vpns[j]!, vpns[i]!];
  }
  return vpns.map((vpn) => vpn * PAGE + rng.int(PAGE));
}

/**
 * The walk behind one answer of the problem, for the reveal that shows it step by step. The problem
 * carries its walks as data: the walker itself (`solveOstepTranslation`) is the graded exercise's
 * answer, so notebooks do not get it.
 */
export interface OstepProblemWalk {
  virtualAddress: number;
  ok: boolean;
  /** The entries read, directory first. */
  steps: WalkStep[];
}

/**
 * The hand-translation problem: an OSTEP machine, its PDBR and `count` virtual addresses
 * (default 5). Answers: the PDE and PTE read and the physical address and value, or the fault.
 */
export function mmuTranslationProblem(seed = 1, options: { count?: number } = {}): SeededProblem & { pdbr: number; dump: string; machine: OstepMachine; virtualAddresses: number[]; walks: OstepProblemWalk[] } {
  const count = requireInt("count", options.count ?? 5, 1, 20);
  const machine = ostepMachine(seed);
  const rng = new Random(seed ^ 0x5eed);
  const vas = pickAddresses(machine, rng, count);
  const solved = vas.map((va) => solveOstepTranslation(machine.memory, machine.pdbr, va, OSTEP_TWO_LEVEL));
  const answers = vas.map((va, i) => {
    const a = solved[i]!;
    const entry = (k: number) => (a.steps[k] ? a.steps[k]!.entryHex : "—");
    return { question: i + 1, "virtual address": hex(va), "PDE read": entry(0), "PTE read": entry(1), answer: a.answer };
  });
  const ok = answers.filter((a) => a.answer.startsWith("Translates")).length;
  return {
    seed,
    machine,
    pdbr: machine.pdbr,
    dump: machine.dump,
    virtualAddresses: vas,
    parameters: `seed ${seed} · OSTEP two-level machine: ${PAGE}-byte pages, ${LAYOUT.virtualAddressBits}-bit virtual addresses (${LAYOUT.indexBits[0]}-bit PD index · ${LAYOUT.indexBits[1]}-bit PT index · ${LAYOUT.offsetBits}-bit offset), ${FRAMES} physical pages · PDBR ${machine.pdbr}`,
    prompt:
      `Translate each virtual address. Split it into PD index, PT index and offset; read the PDE at byte ` +
      `PDBR·32 + PD index; if its top bit (0x80) is clear, the answer is "Fault (page directory entry not valid)". Otherwise ` +
      `its low 7 bits are the page table's frame: read the PTE at PFN·32 + PT index, and so on. Give the physical address ` +
      `and the byte stored there, as OSTEP's \`-c\` does.`,
    questions: vas.map((va, i) => ({ question: i + 1, "virtual address": hex(va), "your answer": "?" })),
    answers,
    walks: vas.map((va, i) => ({ virtualAddress: va, ok: solved[i]!.ok, steps: solved[i]!.steps })),
    stats: `translated ${ok} · faulted ${count - ok} · page-table bytes read ${answers.reduce((s, a) => s + (a["PDE read"] === "—" ? 0 : 1) + (a["PTE read"] === "—" ? 0 : 1), 0)}`,
  };
}

/** The student's page walk: the physical address of `va`, or null if it faults. */
export type OstepWalkFn = (readByte: (physicalAddress: number) => number, pdbr: number, virtualAddress: number) => number | null;

/**
 * Checks a student's page walk against kernel-lib's on `machines` seeded machines (default 6)
 * with 40 addresses each. Feedback names the rule broken, never the expected address.
 */
export function checkOstepWalk(walk: OstepWalkFn, options: { seed?: number; machines?: number } = {}): ExerciseCheckReport {
  const exercise = "walk";
  const seed = options.seed ?? 2026;
  const machines = requireInt("machines", options.machines ?? 6, 1, 50);
  let cases = 0;
  for (let m = 0; m < machines; m++) {
    const machine = ostepMachine(seed + m);
    const rng = new Random(seed * 31 + m);
    for (const va of pickAddresses(machine, rng, 40)) {
      cases++;
      const args = `walk(readByte, pdbr = ${machine.pdbr}, virtualAddress = ${hex(va)})`;
      const readByte = (pa: number) => {
        if (!Number.isInteger(pa) || pa < 0 || pa >= FRAMES * PAGE) {
          throw new Error(`it tried to read physical address ${pa}, outside memory (0 to ${FRAMES * PAGE - 1}); a frame number (entry & 0x7f) times 32 plus an index below 32 always fits`);
        }
        return machine.memory.readByte(pa);
      };
      const got = callStudent(exercise, walk, [readByte, machine.pdbr, va], args);
      const truth = solveOstepTranslation(machine.memory, machine.pdbr, va, OSTEP_TWO_LEVEL);
      if (got !== null && (typeof got !== "number" || !Number.isInteger(got))) {
        throw new ExerciseCheckError(exercise, { wrong: `returned ${JSON.stringify(got)}`, hint: "return a physical address (an integer) or null for a fault", input: args });
      }
      if (!truth.ok && got !== null) {
        const which = truth.steps.length === 1 ? "the page directory entry" : "the page table entry";
        throw new ExerciseCheckError(exercise, { wrong: `this address should fault: ${which} it reads has its valid bit (0x80, the top bit) clear`, hint: "check the valid bit of every entry before following it", input: args });
      }
      if (truth.ok && got === null) {
        throw new ExerciseCheckError(exercise, { wrong: "this address translates, but you reported a fault", hint: "check the valid-bit test (entry & 0x80), the frame number (entry & 0x7f), and which address bits index each table (PD index = bits 14–10, PT index = bits 9–5)", input: args });
      }
      if (truth.ok && got !== truth.physicalAddress) {
        const offsetOk = got! % PAGE === va % PAGE;
        const hint = offsetOk
          ? "the offset is right but the frame is wrong: PD index = bits 14–10 of the address, PT index = bits 9–5; the directory starts at byte PDBR × 32 and a page table at byte PFN × 32"
          : "the offset (the low 5 bits of the virtual address) must be kept unchanged in the physical address: physical address = PFN × 32 + offset";
        throw new ExerciseCheckError(exercise, { wrong: "you returned the wrong physical address", hint, input: args });
      }
    }
  }
  return passed(exercise, cases);
}

/** What the student's walk costs on a list of addresses, and what a TLB would save. */
export interface WalkCostReport {
  /** Addresses translated (or faulted). */
  addresses: number;
  /** Page-table bytes the walk read in total. */
  pageTableReads: number;
  /** Walks a TLB of `tlbEntries` entries (fully associative, LRU) would have avoided. */
  walksSavedByTlb: number;
  /** TLB entries assumed. */
  tlbEntries: number;
}

/**
 * Runs the student's walk on `count` addresses of a machine with locality (mostly mapped pages,
 * revisited), counting every byte it reads; then replays the virtual pages through kernel-lib's
 * TLB to count the walks a TLB would have saved (only successful translations are cached).
 */
export function walkReadsAndTlbSavings(walk: OstepWalkFn, options: { seed?: number; count?: number; tlbEntries?: number } = {}): WalkCostReport {
  const seed = options.seed ?? 1;
  const count = requireInt("count", options.count ?? 200, 1, 100_000);
  const tlbEntries = requireInt("tlbEntries", options.tlbEntries ?? 8, 1, 64);
  const machine = ostepMachine(seed);
  const rng = new Random(seed + 99);
  let reads = 0;
  const readByte = (pa: number) => {
    reads++;
    return machine.memory.readByte(pa);
  };
  const tlb = new Tlb({ sets: 1, ways: tlbEntries, pageShifts: [0] });
  let saved = 0;
  let vpn = rng.pick(machine.mappedVpns);
  for (let i = 0; i < count; i++) {
    // Locality: usually stay on the page or move to a neighbouring mapped page.
    if (rng.next() < 0.3) vpn = rng.pick(machine.mappedVpns);
    const va = vpn * PAGE + rng.int(PAGE);
    const pa = callStudent("walk", walk, [readByte, machine.pdbr, va], `walk(readByte, ${machine.pdbr}, ${hex(va)})`);
    if (tlb.lookup(vpn, 0) >= 0) saved++;
    else if (pa !== null) tlb.insert(vpn, 0, Math.floor(pa / PAGE));
  }
  return { addresses: count, pageTableReads: reads, walksSavedByTlb: saved, tlbEntries };
}
